// dvt hashes: one MD5 per row keyed by the primary key, computed inside
// PostgreSQL, streamed into <staging>/_state/<name>.hashes.parquet.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "integration/postgres_support.h"
#include "support/embedded.h"

namespace dvt::test::pgtest {
namespace {

class PostgresHashes : public ::testing::Test {
 protected:
  PostgresHashes() : schema_("hashes") {}

  // Runs dvt hashes on `table`; returns the file's rows ordered by _pk.
  Rows hashes(const std::string& table) {
    DvtRun run = schema_.dvt({"hashes", schema_.endpoint(table), "--staging-dir", schema_.dir()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return duck_query(fmt::format("SELECT _pk, _hash FROM '{}' ORDER BY _pk",
                                  schema_.file("_state/" + table + ".hashes.parquet")));
  }

  // md5 of a literal string, computed by PostgreSQL.
  std::string md5(const std::string& text) {
    std::string literal = "'";
    for (char c : text) literal += c == '\'' ? std::string("''") : std::string(1, c);
    return schema_.db().value("SELECT md5(" + literal + "')");
  }

  PgTestSchema schema_;
};

TEST_F(PostgresHashes, MatchTheContractComputedIndependently) {
  schema_.db().exec(fmt::format(
      "CREATE TABLE {0}.h (id int PRIMARY KEY, a text, b int, c timestamptz, d bytea, e "
      "numeric(6,2), f float8);"
      "INSERT INTO {0}.h VALUES (1, 'a|b', 5, '2024-01-01 05:30:00+05:30', '\\x00ff', 1.50, 0.1),"
      "(2, NULL, NULL, NULL, NULL, NULL, NULL), (3, '\u00e9', 0, NULL, '\\x', 0, '-0')",
      schema_.name()));
  // Each value as its text; NULL -> N; a value -> V<octet length>:<text>.
  EXPECT_EQ(hashes("h"),
            (Rows{{"1", md5("V1:1V3:a|bV1:5V22:2024-01-01 00:00:00+00V6:\\x00ffV4:1.50V3:0.1")},
                  {"2", md5("V1:2NNNNNN")},
                  {"3", md5("V1:3V2:\u00e9V1:0NV2:\\xV4:0.00V2:-0")}}));
}

TEST_F(PostgresHashes, SeparatorsAndNullsCannotCollide) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0}.left_split (id int PRIMARY KEY, x text, y text); INSERT INTO "
                  "{0}.left_split VALUES (1, 'a|b', 'c');"
                  "CREATE TABLE {0}.right_split (id int PRIMARY KEY, x text, y text); INSERT INTO "
                  "{0}.right_split VALUES (1, 'a', 'b|c');"
                  "CREATE TABLE {0}.null_value (id int PRIMARY KEY, x text); INSERT INTO "
                  "{0}.null_value VALUES (1, NULL);"
                  "CREATE TABLE {0}.empty_value (id int PRIMARY KEY, x text); INSERT INTO "
                  "{0}.empty_value VALUES (1, '')",
                  schema_.name()));
  // A naive separator join would collide on both pairs.
  EXPECT_EQ(schema_.db().value("SELECT concat_ws('|', 'a|b', 'c') = concat_ws('|', 'a', 'b|c')"),
            "t");
  EXPECT_EQ(schema_.db().value("SELECT coalesce(NULL::text, '') = ''"), "t");
  Rows left = hashes("left_split"), right = hashes("right_split");
  Rows null_value = hashes("null_value"), empty_value = hashes("empty_value");
  ASSERT_EQ(left.size(), 1u);
  ASSERT_EQ(right.size(), 1u);
  ASSERT_EQ(null_value.size(), 1u);
  ASSERT_EQ(empty_value.size(), 1u);
  EXPECT_NE(left[0][1], right[0][1]);
  EXPECT_NE(null_value[0][1], empty_value[0][1]);
  EXPECT_EQ(null_value[0][1], md5("V1:1N"));
  EXPECT_EQ(empty_value[0][1], md5("V1:1V0:"));
}

TEST_F(PostgresHashes, CompositeKeyIsEncodedAndUniqueIndexStandsInForAMissingKey) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0}.composite (a int, b text, v int, PRIMARY KEY (b, a)); INSERT "
                  "INTO {0}.composite VALUES (1, 'x', 7);"
                  "CREATE TABLE {0}.unique_code (code text NOT NULL UNIQUE, v int); INSERT INTO "
                  "{0}.unique_code VALUES ('k1', 1)",
                  schema_.name()));
  // Key columns in the key's order (b, a), not the table's.
  EXPECT_EQ(hashes("composite"), (Rows{{"V1:xV1:1", md5("V1:1V1:xV1:7")}}));
  EXPECT_EQ(hashes("unique_code"), (Rows{{"k1", md5("V2:k1V1:1")}}));
}

TEST_F(PostgresHashes, TableWithoutAKeyIsRefused) {
  schema_.db().exec(fmt::format("CREATE TABLE {}.heap (v int)", schema_.name()));
  DvtRun run = schema_.dvt({"hashes", schema_.endpoint("heap"), "--staging-dir", schema_.dir()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("has no primary key or unique index; row hashes need one"),
            std::string::npos)
      << run.err;
}

TEST_F(PostgresHashes, StreamInBoundedMemory) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0}.many (id bigint PRIMARY KEY, name text); INSERT INTO {0}.many "
                  "SELECT g, repeat('n', 50) || g FROM generate_series(1, 1000000) g",
                  schema_.name()));
  DvtRun run = schema_.dvt(
      {"hashes", schema_.endpoint("many"), "--staging-dir", schema_.dir(), "--name", "m"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(duck_query(fmt::format("SELECT count(*), count(DISTINCT _pk) FROM '{}'",
                                   schema_.file("_state/m.hashes.parquet"))),
            (Rows{{"1000000", "1000000"}}));
  // The whole result (about 100 MB in libpq) never sits in memory at once.
  EXPECT_LT(run.peak_rss_kb, 100 * 1024);
}

}  // namespace
}  // namespace dvt::test::pgtest
