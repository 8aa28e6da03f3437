// Peak memory of PostgreSQL jobs does not grow with the rows moved: not with
// their number (chunks of 2048 rows, a few blocks of COPY data in flight)
// and not with their width (a chunk also ends at about 2 MB of values).
#include <gtest/gtest.h>

#include <cstdio>

#include <fmt/format.h>

#include "integration/postgres_support.h"
#include "support/embedded.h"

namespace dvt::test::pgtest {
namespace {

class PostgresMemory : public ::testing::TestWithParam<std::string> {
 protected:
  PostgresMemory() : schema_("memory") {}

  std::string table(const std::string& name) const { return schema_.name() + "." + name; }

  // Extracts the first `rows` rows of `source`; returns the peak RSS in KiB.
  long extract(const std::string& source, int rows, const std::string& name) {
    DvtRun run = schema_.dvt({"-q", "extract", schema_.endpoint(source), "--staging-dir",
                              schema_.dir(), "--name", name, "--where",
                              fmt::format("id <= {}", rows), "--method", GetParam()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.peak_rss_kb;
  }

  PgTestSchema schema_;
};

TEST_P(PostgresMemory, ExtractPeakRssDoesNotGrowWithRows) {
  // The benchmark's eight columns. The smaller run already fills two Parquet
  // row groups (122,880 rows each), so it measures the steady state.
  schema_.db().exec(fmt::format(
      "CREATE TABLE {0} (id bigint PRIMARY KEY, qty int, name text, amount numeric(12,2), "
      "created timestamptz, active boolean, score double precision, note text); "
      "INSERT INTO {0} SELECT g, g % 100000, 'customer ' || g, round((g % 1000000) / 7.0, 2), "
      "timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second', g % 3 = 0, g / 13.0, "
      "CASE WHEN g % 4 = 0 THEN NULL ELSE 'note ' || (g % 997) END "
      "FROM generate_series(1, 1000000) g",
      table("narrow")));
  long small = extract("narrow", 300000, "narrow300k");
  long large = extract("narrow", 1000000, "narrow1m");
  EXPECT_EQ(duck_query(fmt::format("SELECT count(*), sum(id), count(note) FROM '{}'",
                                   schema_.file("narrow1m.parquet"))),
            (Rows{{"1000000", "500000500000", "750000"}}));
  std::printf("peak RSS (%s): 300K rows %ld KiB, 1M rows %ld KiB\n", GetParam().c_str(), small,
              large);
  EXPECT_LE(large, small * 115 / 100) << "300K rows: " << small << " KiB, 1M rows: " << large;
  EXPECT_LE(large, 100 * 1024);
}

TEST_P(PostgresMemory, WideRowsKeepPeakRssFlat) {
  // 64 rows of 1.5 MB (1 MB of text, 0.5 MB of bytea) that do not compress
  // to nothing: 96 MB in all, far more than any chunk may hold.
  schema_.db().exec(fmt::format(
      "CREATE TABLE {0} (id int PRIMARY KEY, doc text, bytes bytea); "
      "INSERT INTO {0} SELECT g, (SELECT string_agg(md5((g * 100000 + i)::text), '') FROM "
      "generate_series(1, 32768) i), decode((SELECT string_agg(md5((g * 7 + i)::text), '') FROM "
      "generate_series(1, 16384) i), 'hex') FROM generate_series(1, 64) g",
      table("wide")));
  long small_extract = extract("wide", 16, "wide16");
  long large_extract = extract("wide", 64, "wide64");
  EXPECT_EQ(duck_query(fmt::format("SELECT count(*), sum(length(doc)), sum(octet_length(bytes)) "
                                   "FROM '{}'",
                                   schema_.file("wide64.parquet"))),
            (Rows{{"64", "67108864", "16777216"}}));

  // Database to database: the reader's chunks go straight into the COPY.
  auto copy = [&](int rows) {
    DvtRun run = schema_.dvt({"-q", "copy", schema_.endpoint("wide"), schema_.endpoint("wide_copy"),
                              "--where", fmt::format("id <= {}", rows), "--method", GetParam()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.peak_rss_kb;
  };
  long small_copy = copy(16);
  long large_copy = copy(64);
  EXPECT_EQ(differing_rows(schema_.db(), table("wide"), table("wide_copy")), 0);

  std::printf("wide rows peak RSS (%s): extract %ld -> %ld KiB, copy %ld -> %ld KiB\n",
              GetParam().c_str(), small_extract, large_extract, small_copy, large_copy);
  EXPECT_LE(large_extract, small_extract * 12 / 10);
  EXPECT_LE(large_copy, small_copy * 12 / 10);
  EXPECT_LE(large_extract, 150 * 1024);
  EXPECT_LE(large_copy, 150 * 1024);
}

INSTANTIATE_TEST_SUITE_P(Tiers, PostgresMemory, ::testing::Values("native", "pipe"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dvt::test::pgtest
