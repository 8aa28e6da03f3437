// Peak memory must not grow with the number of rows.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "support/embedded.h"
#include "support/run_dvt.h"

namespace dvt::test {
namespace {

TEST(Memory, ExtractPeakRssDoesNotGrowWithRows) {
  TempDir dir;
  std::string db = dir.file("big.db");
  sqlite_exec(db, R"(
    CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(12,2), ts TIMESTAMP, flag BOOLEAN, r REAL);
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 5000000)
    INSERT INTO t SELECT i, 'name-' || i || ' ünï', printf('%d.%02d', i % 100000, i % 100),
      datetime(1700000000 + i, 'unixepoch'), i % 2, i * 0.5 FROM c;
  )");
  write_file(dir.file("profiles.yml"),
             fmt::format("m:\n  outputs:\n    lite:\n      type: sqlite\n      path: {}\n", db));

  auto extract = [&](uint64_t rows) {
    DvtRun run = run_dvt({"--profiles-dir", dir.path(), "-q", "copy", "lite:t",
                          dir.file(fmt::format("t{}.parquet", rows)), "--where",
                          fmt::format("id <= {}", rows)});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.peak_rss_kb;
  };
  long small = extract(500'000);
  long large = extract(5'000'000);
  EXPECT_EQ(duck_query(fmt::format("SELECT count(*) FROM read_parquet('{}')",
                                   dir.file("t5000000.parquet"))),
            (Rows{{"5000000"}}));
  RecordProperty("peak_rss_kb_500k", std::to_string(small));
  RecordProperty("peak_rss_kb_5m", std::to_string(large));
  std::printf("peak RSS: 500K rows %ld KiB, 5M rows %ld KiB (%.1f%%)\n", small, large,
              100.0 * (large - small) / small);
  EXPECT_LE(large, small * 12 / 10)
      << "500K rows: " << small << " KiB, 5M rows: " << large << " KiB";
}

TEST(Memory, OverwritingADuckDbTableDoesNotGrowWithTheRowsItHeld) {
  // DELETE keeps a marker per deleted row until the transaction ends, so
  // emptying 6M rows that way took 100 MB more than emptying 60K.
  TempDir dir;
  const std::string warehouse = dir.file("wh.duckdb");
  duck_query(fmt::format(
      "ATTACH '{0}' AS wh; "
      "CREATE TABLE wh.small (id BIGINT PRIMARY KEY, name VARCHAR); "
      "INSERT INTO wh.small SELECT range, 'name ' || range FROM range(60000); "
      "CREATE TABLE wh.large (id BIGINT PRIMARY KEY, name VARCHAR); "
      "INSERT INTO wh.large SELECT range, 'name ' || range FROM range(6000000); "
      "COPY (SELECT range AS id, 'new ' || range AS name FROM range(10)) TO '{1}' (FORMAT parquet)",
      warehouse, dir.file("new.parquet")));
  write_file(
      dir.file("profiles.yml"),
      fmt::format("m:\n  outputs:\n    wh:\n      type: duckdb\n      path: {}\n", warehouse));
  auto overwrite = [&](const std::string& table) {
    DvtRun run = run_dvt(
        {"--profiles-dir", dir.path(), "-q", "load", dir.file("new.parquet"), "wh:" + table});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.peak_rss_kb;
  };
  long small = overwrite("small");
  long large = overwrite("large");
  EXPECT_EQ(duck_query(fmt::format("ATTACH '{}' AS wh (READ_ONLY); SELECT (SELECT count(*) FROM "
                                   "wh.small), (SELECT count(*) FROM wh.large), (SELECT "
                                   "string_agg(name, ',' ORDER BY id) FROM wh.large WHERE id < 3)",
                                   warehouse)),
            (Rows{{"10", "10", "new 0,new 1,new 2"}}));
  std::printf("peak RSS: overwriting 60K rows %ld KiB, 6M rows %ld KiB (%.1f%%)\n", small, large,
              100.0 * (large - small) / small);
  EXPECT_LE(large, small * 12 / 10)
      << "60K rows: " << small << " KiB, 6M rows: " << large << " KiB";
}

}  // namespace
}  // namespace dvt::test
