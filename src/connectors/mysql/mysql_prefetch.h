// Runs a reader on a thread of its own, a few chunks ahead of the engine.
//
// Why: a MySQL server streams a result only as fast as the client drains its
// socket. Read inline, the engine's thread stops draining whenever it encodes
// and compresses a Parquet row group, and the server waits; read ahead, the
// socket keeps being drained (and a remote server keeps sending) while the
// engine works. On the 2-core bench machine, where the server shares the
// cores, both measured the same; the overlap matters when the server is
// elsewhere. Memory stays bounded: at most `depth` chunks wait.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/batch.h"
#include "engine/handles.h"

namespace dvt::mysql {

class PrefetchReader : public BatchReader {
 public:
  // `cancel` must make a blocked inner->next() return or throw soon (e.g.
  // cancel the connection, stop the child); it is called from this thread
  // while the reading thread may be inside inner->next().
  PrefetchReader(std::unique_ptr<BatchReader> inner, std::function<void()> cancel,
                 size_t depth = 4);
  ~PrefetchReader() override;

  const TableSchema& schema() const override { return inner_->schema(); }
  std::vector<Type> wire_types() const override { return wire_; }
  // Hands over the next chunk the reading thread decoded (its vectors are
  // referenced, not copied). Rethrows the reading thread's exception.
  bool next(duckdb_data_chunk out) override;
  uint64_t bytes_read() const override { return bytes_.load(std::memory_order_relaxed); }
  // REQUIRES: next() returned false.
  std::vector<std::string> warnings() const override { return inner_->warnings(); }

 private:
  void run() noexcept;

  std::unique_ptr<BatchReader> inner_;
  std::function<void()> cancel_;
  std::vector<Type> wire_;
  size_t depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<DataChunk> ready_;
  bool finished_ = false;  // the reading thread is done (end, failure or stop)
  bool stop_ = false;
  std::exception_ptr failure_;
  std::atomic<uint64_t> bytes_{0};
  std::thread thread_;
};

}  // namespace dvt::mysql
