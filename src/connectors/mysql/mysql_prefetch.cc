#include "connectors/mysql/mysql_prefetch.h"

#include "core/error.h"

namespace dvt::mysql {

PrefetchReader::PrefetchReader(std::unique_ptr<BatchReader> inner, std::function<void()> cancel,
                               size_t depth)
    : inner_(std::move(inner)),
      cancel_(std::move(cancel)),
      wire_(inner_->wire_types()),
      depth_(depth) {}

PrefetchReader::~PrefetchReader() {
  if (!thread_.joinable()) return;
  bool finished = false;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    finished = finished_;
  }
  changed_.notify_all();
  // The reading thread may be blocked on the source: unblock it.
  if (!finished && cancel_) cancel_();
  thread_.join();
}

void PrefetchReader::run() noexcept {
  try {
    for (;;) {
      DataChunk chunk(wire_);
      bool more = inner_->next(chunk.get());
      bytes_.store(inner_->bytes_read(), std::memory_order_relaxed);
      std::unique_lock lock(mutex_);
      if (!more || stop_) break;
      changed_.wait(lock, [this] { return ready_.size() < depth_ || stop_; });
      if (stop_) break;
      ready_.push_back(std::move(chunk));
      changed_.notify_all();
    }
  } catch (...) {
    std::lock_guard lock(mutex_);
    failure_ = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  finished_ = true;
  changed_.notify_all();
}

bool PrefetchReader::next(duckdb_data_chunk out) {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  DataChunk chunk;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !ready_.empty() || finished_; });
    if (ready_.empty()) {
      if (failure_) std::rethrow_exception(failure_);
      duckdb_data_chunk_set_size(out, 0);
      return false;
    }
    chunk = std::move(ready_.front());
    ready_.pop_front();
  }
  changed_.notify_all();
  idx_t columns = duckdb_data_chunk_get_column_count(out);
  for (idx_t c = 0; c < columns; ++c) {
    duckdb_vector_reference_vector(duckdb_data_chunk_get_vector(out, c),
                                   duckdb_data_chunk_get_vector(chunk.get(), c));
  }
  duckdb_data_chunk_set_size(out, chunk.size());
  return true;
}

}  // namespace dvt::mysql
