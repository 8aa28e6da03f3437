#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "connectors/mysql/mysql_prefetch.h"
#include "core/error.h"
#include "engine/handles.h"

namespace dvt::mysql {
namespace {

// Yields `chunks` chunks of 3 rows (0, 1, 2, ...), then fails if asked to,
// or blocks until cancel() when `block_after` chunks were read.
class CountingReader : public BatchReader {
 public:
  CountingReader(int chunks, bool fail, int block_after = -1)
      : chunks_(chunks), fail_(fail), block_after_(block_after) {
    Column column;
    column.name = "n";
    column.type = Type(DUCKDB_TYPE_BIGINT);
    schema_.columns.push_back(column);
  }
  const TableSchema& schema() const override { return schema_; }
  bool next(duckdb_data_chunk out) override {
    if (produced_ == block_after_) {
      std::unique_lock lock(mutex_);
      released_.wait(lock, [this] { return cancelled_; });
      throw DataError("cancelled");
    }
    if (produced_ == chunks_) {
      if (fail_) throw DataError("source failed after " + std::to_string(chunks_) + " chunks");
      return false;
    }
    auto* data =
        static_cast<int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(out, 0)));
    for (int i = 0; i < 3; ++i) data[i] = produced_ * 3 + i;
    duckdb_data_chunk_set_size(out, 3);
    ++produced_;
    return true;
  }
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    released_.notify_all();
  }

 private:
  TableSchema schema_;
  int chunks_;
  bool fail_;
  int block_after_;
  int produced_ = 0;
  std::mutex mutex_;
  std::condition_variable released_;
  bool cancelled_ = false;
};

// Every value the prefetcher hands over, in order; rethrows its failure.
std::vector<int64_t> drain(PrefetchReader& reader) {
  std::vector<int64_t> values;
  for (;;) {
    DataChunk chunk(reader.wire_types());
    if (!reader.next(chunk.get())) return values;
    auto* data =
        static_cast<int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk.get(), 0)));
    for (idx_t i = 0; i < chunk.size(); ++i) values.push_back(data[i]);
  }
}

TEST(MysqlPrefetch, HandsOverEveryChunkInOrder) {
  PrefetchReader reader(std::make_unique<CountingReader>(100, false), nullptr, 2);
  std::vector<int64_t> values = drain(reader);
  ASSERT_EQ(values.size(), 300u);
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(values[i], static_cast<int64_t>(i));
}

TEST(MysqlPrefetch, RethrowsTheReadersErrorAfterItsRows) {
  PrefetchReader reader(std::make_unique<CountingReader>(5, true), nullptr, 2);
  try {
    drain(reader);
    FAIL() << "expected the reader's DataError";
  } catch (const DataError& error) {
    EXPECT_STREQ(error.what(), "source failed after 5 chunks");
  }
}

TEST(MysqlPrefetch, DestroyingMidwayCancelsABlockedReader) {
  auto inner = std::make_unique<CountingReader>(100, false, 3);
  CountingReader* raw = inner.get();
  std::atomic<int> cancels{0};
  {
    PrefetchReader reader(std::move(inner), [&] {
      ++cancels;
      raw->cancel();
    });
    DataChunk chunk(reader.wire_types());
    ASSERT_TRUE(reader.next(chunk.get()));
    EXPECT_EQ(chunk.size(), 3u);
  }  // must not hang: the reading thread is blocked until cancel()
  EXPECT_EQ(cancels.load(), 1);
}

}  // namespace
}  // namespace dvt::mysql
