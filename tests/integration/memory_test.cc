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

}  // namespace
}  // namespace dvt::test
