#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "connectors/parquet/parquet_endpoint.h"
#include "core/error.h"
#include "engine/engine.h"
#include "support/run_dvt.h"

namespace dvt {
namespace {

using test::TempDir;

// Yields `rows` rows (id BIGINT, name VARCHAR with 4-byte UTF-8, amount
// DECIMAL(12,2) delivered as text, note VARCHAR NULL on every third row) and
// throws after `fail_after_chunks` chunks when set.
class SyntheticReader : public BatchReader {
 public:
  SyntheticReader(uint64_t rows, int fail_after_chunks = -1)
      : rows_(rows), fail_after_(fail_after_chunks) {
    schema_.columns = {{"id", Type(DUCKDB_TYPE_BIGINT), "bigint", false},
                       {"name", Type(DUCKDB_TYPE_VARCHAR), "text", true},
                       {"amount", Type::decimal(12, 2), "numeric(12,2)", true},
                       {"note", Type(DUCKDB_TYPE_VARCHAR), "text", true}};
  }
  const TableSchema& schema() const override { return schema_; }
  std::vector<Type> wire_types() const override {
    return {Type(DUCKDB_TYPE_BIGINT), Type(DUCKDB_TYPE_VARCHAR), Type(DUCKDB_TYPE_VARCHAR),
            Type(DUCKDB_TYPE_VARCHAR)};
  }
  bool next(duckdb_data_chunk out) override {
    // Several engine threads may call; record who did and whether any two
    // ever overlapped.
    if (inside_.fetch_add(1) != 0) overlapped_ = true;
    struct Leave {
      std::atomic<int>& inside;
      ~Leave() { inside.fetch_sub(1); }
    } leave{inside_};
    {
      std::lock_guard lock(callers_mutex_);
      callers_.insert(std::this_thread::get_id());
    }
    if (fail_after_ >= 0 && chunks_ == fail_after_) throw DataError("source connection lost");
    ++chunks_;
    idx_t count = 0;
    duckdb_vector ids = duckdb_data_chunk_get_vector(out, 0);
    duckdb_vector names = duckdb_data_chunk_get_vector(out, 1);
    duckdb_vector amounts = duckdb_data_chunk_get_vector(out, 2);
    duckdb_vector notes = duckdb_data_chunk_get_vector(out, 3);
    duckdb_vector_ensure_validity_writable(notes);
    while (count < duckdb_vector_size() && produced_ < rows_) {
      uint64_t id = produced_++;
      static_cast<int64_t*>(duckdb_vector_get_data(ids))[count] = static_cast<int64_t>(id);
      std::string name = "naïve 😀 " + std::to_string(id);
      duckdb_vector_assign_string_element_len(names, count, name.data(), name.size());
      std::string amount =
          std::to_string(id % 1000) + "." + (id % 100 < 10 ? "0" : "") + std::to_string(id % 100);
      duckdb_vector_assign_string_element_len(amounts, count, amount.data(), amount.size());
      if (id % 3 == 0) {
        duckdb_validity_set_row_invalid(duckdb_vector_get_validity(notes), count);
      } else {
        duckdb_vector_assign_string_element_len(notes, count, "", 0);
      }
      ++count;
    }
    duckdb_data_chunk_set_size(out, count);
    return count > 0;
  }
  size_t caller_threads() const { return callers_.size(); }
  bool overlapped() const { return overlapped_; }

 private:
  std::atomic<int> inside_{0};
  std::atomic<bool> overlapped_{false};
  std::mutex callers_mutex_;
  std::set<std::thread::id> callers_;
  TableSchema schema_;
  uint64_t rows_;
  int fail_after_;
  int chunks_ = 0;
  uint64_t produced_ = 0;
};

uint64_t stage(Engine& engine, BatchReader& reader, const std::string& path,
               RowOrder order = RowOrder::kAny) {
  RegisteredScan scan = engine.register_reader(reader, nullptr);
  ParquetSink sink(path, order);
  return sink.consume(engine, "SELECT * FROM " + scan.relation(), reader.schema(), nullptr).rows;
}

std::string single(Engine& engine, const std::string& sql) {
  auto rows = engine.query_strings(sql);
  return rows.at(0).at(0).value_or("NULL");
}

TEST(StagingWriter, WritesExactRowsTypesNullsAndUnicode) {
  TempDir dir;
  Engine engine;
  SyntheticReader reader(10'000);
  std::string path = dir.file("t.parquet");
  EXPECT_EQ(stage(engine, reader, path), 10'000u);
  std::string file = duck_literal(path);
  EXPECT_EQ(single(engine, "SELECT count(*) FROM read_parquet(" + file + ")"), "10000");
  auto types = engine.query_strings(
      "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(" + file + "))");
  ASSERT_EQ(types.size(), 4u);
  EXPECT_EQ(*types[0][1], "BIGINT");
  EXPECT_EQ(*types[1][1], "VARCHAR");
  EXPECT_EQ(*types[2][1], "DECIMAL(12,2)");
  EXPECT_EQ(*types[3][1], "VARCHAR");
  EXPECT_EQ(single(engine, "SELECT count(*) FROM read_parquet(" + file + ") WHERE note IS NULL"),
            "3334");
  EXPECT_EQ(single(engine, "SELECT count(*) FROM read_parquet(" + file + ") WHERE note = ''"),
            "6666");
  EXPECT_EQ(single(engine, "SELECT name FROM read_parquet(" + file + ") WHERE id = 4242"),
            "naïve 😀 4242");
  EXPECT_EQ(single(engine, "SELECT amount FROM read_parquet(" + file + ") WHERE id = 4207"),
            "207.07");
  EXPECT_EQ(single(engine, "SELECT sum(id) FROM read_parquet(" + file + ")"), "49995000");
  EXPECT_EQ(single(engine, "SELECT compression FROM parquet_metadata(" + file + ") LIMIT 1"),
            "ZSTD");
}

TEST(StagingWriter, RowsInAnyOrderAreEncodedOnTwoThreadsAndNoneIsLost) {
  TempDir dir;
  Engine engine;
  SyntheticReader reader(1'000'000);
  std::string path = dir.file("t.parquet");
  EXPECT_EQ(stage(engine, reader, path, RowOrder::kAny), 1'000'000u);
  std::string file = duck_literal(path);
  EXPECT_EQ(single(engine,
                   "SELECT count(DISTINCT id) || ' ' || min(id) || ' ' || max(id) || ' ' || "
                   "sum(id) FROM read_parquet(" +
                       file + ")"),
            "1000000 0 999999 499999500000");
  EXPECT_EQ(single(engine, "SELECT count(*) FROM read_parquet(" + file + ") WHERE note IS NULL"),
            "333334");
  EXPECT_EQ(single(engine, "SELECT count(*) FROM read_parquet(" + file +
                               ") WHERE name <> 'naïve 😀 ' || id"),
            "0");
  // Both engine threads took chunks from the reader, never at the same time.
  EXPECT_EQ(reader.caller_threads(), 2u);
  EXPECT_FALSE(reader.overlapped());
  // Each thread builds its own row groups, of at most 61,440 rows.
  EXPECT_EQ(
      single(engine, "SELECT max(row_group_num_rows) <= 61440 FROM parquet_metadata(" + file + ")"),
      "true");
  // No bloom filters: a staging file is read whole.
  EXPECT_EQ(single(engine, "SELECT count(*) FROM parquet_metadata(" + file +
                               ") WHERE bloom_filter_offset IS NOT NULL"),
            "0");
  // The engine is back on one thread, keeping insertion order, afterwards.
  EXPECT_EQ(engine.threads(), 1);
  EXPECT_EQ(single(engine, "SELECT current_setting('preserve_insertion_order')"), "true");
}

TEST(StagingWriter, ReadingAStagingFileBackCachesNoneOfIt) {
  TempDir dir;
  Engine engine;
  SyntheticReader reader(300'000);
  std::string path = dir.file("t.parquet");
  EXPECT_EQ(stage(engine, reader, path), 300'000u);
  EXPECT_EQ(single(engine, "SELECT sum(id) FROM read_parquet(" + duck_literal(path) + ")"),
            "44999850000");
  // Memory must not grow with the size of the file read.
  EXPECT_EQ(single(engine, "SELECT count(*) FROM duckdb_external_file_cache()"), "0");
}

// "<rows> <rows whose id is their place in the file>" of a staged file.
std::string rows_in_place(Engine& engine, const std::string& path) {
  return single(
      engine,
      "SELECT count(*) || ' ' || count(*) FILTER (WHERE id = file_row_number) FROM read_parquet(" +
          duck_literal(path) + ", file_row_number = true)");
}

TEST(StagingWriter, RowsKeepTheirOrderWhenAsked) {
  TempDir dir;
  Engine engine;
  SyntheticReader reader(1'000'000);
  std::string path = dir.file("t.parquet");
  EXPECT_EQ(stage(engine, reader, path, RowOrder::kAsRead), 1'000'000u);
  EXPECT_EQ(reader.caller_threads(), 1u);
  EXPECT_EQ(rows_in_place(engine, path), "1000000 1000000");
}

TEST(StagingWriter, OneThreadChosenByTheUserStaysOneThread) {
  TempDir dir;
  EngineOptions options;
  options.threads = 1;
  Engine engine(options);
  SyntheticReader reader(300'000);
  std::string path = dir.file("t.parquet");
  EXPECT_EQ(stage(engine, reader, path, RowOrder::kAny), 300'000u);
  EXPECT_EQ(reader.caller_threads(), 1u);
  EXPECT_EQ(rows_in_place(engine, path), "300000 300000");
}

TEST(SqlText, MentionsOrderBy) {
  EXPECT_TRUE(mentions_order_by("SELECT * FROM t ORDER BY id"));
  EXPECT_TRUE(mentions_order_by("select * from t order\n\t  by id desc"));
  EXPECT_TRUE(mentions_order_by("SELECT row_number() OVER (Order By x) FROM t"));
  EXPECT_TRUE(mentions_order_by("SELECT 'order by'"));
  EXPECT_FALSE(mentions_order_by("SELECT * FROM orders"));
  EXPECT_FALSE(mentions_order_by("SELECT border, bypass FROM t"));
  EXPECT_FALSE(mentions_order_by("SELECT sort_order BY_x FROM t"));
  EXPECT_FALSE(mentions_order_by("SELECT orderby FROM t"));
  EXPECT_FALSE(mentions_order_by(""));
}

TEST(StagingWriter, FailureMidWayLeavesNoFile) {
  TempDir dir;
  Engine engine;
  SyntheticReader reader(100'000, /*fail_after_chunks=*/5);
  std::string path = dir.file("t.parquet");
  try {
    stage(engine, reader, path);
    FAIL() << "expected the reader's DataError";
  } catch (const DataError& error) {
    EXPECT_STREQ(error.what(), "source connection lost");
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ADD_FAILURE() << "left behind: " << entry.path();
  }
}

TEST(StagingWriter, FailureMidWayKeepsOlderFileIntact) {
  TempDir dir;
  Engine engine;
  std::string path = dir.file("t.parquet");
  SyntheticReader good(777);
  ASSERT_EQ(stage(engine, good, path), 777u);
  auto before = std::filesystem::file_size(path);
  SyntheticReader bad(100'000, /*fail_after_chunks=*/3);
  EXPECT_THROW(stage(engine, bad, path), DataError);
  EXPECT_EQ(std::filesystem::file_size(path), before);
  EXPECT_EQ(single(engine, "SELECT count(*) FROM read_parquet(" + duck_literal(path) + ")"), "777");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(StagingWriter, ReaderTextThatDoesNotConvertFailsLoudly) {
  // A wire VARCHAR cast to DECIMAL(12,2): "not a number" must stop the job.
  class BadText : public SyntheticReader {
   public:
    BadText() : SyntheticReader(1) {}
    bool next(duckdb_data_chunk out) override {
      if (!SyntheticReader::next(out)) return false;
      duckdb_vector_assign_string_element(duckdb_data_chunk_get_vector(out, 2), 0, "not a number");
      return true;
    }
  };
  TempDir dir;
  Engine engine;
  BadText reader;
  try {
    stage(engine, reader, dir.file("t.parquet"));
    FAIL() << "expected a DataError";
  } catch (const DataError& error) {
    EXPECT_NE(std::string(error.what()).find("not a number"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("t.parquet")));
}

TEST(StagingWriter, RemovesStaleTempFilesOfDeadProcesses) {
  TempDir dir;
  std::string path = dir.file("t.parquet");
  // pid 2^22+1 is above Linux's pid_max default and cannot be running.
  test::write_file(path + ".tmp-4194305", "partial");
  Engine engine;
  SyntheticReader reader(5);
  stage(engine, reader, path);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp-4194305"));
  EXPECT_TRUE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace dvt
