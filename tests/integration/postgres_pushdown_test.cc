// Pushdown: the statement PostgreSQL itself receives (as pg_stat_statements
// and the server log record it) names only the requested columns and carries
// the predicate and the limit.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "integration/postgres_support.h"
#include "support/embedded.h"

namespace dvt::test::pgtest {
namespace {

TEST(PostgresPushdown, ServerReceivesOnlyTheRequestedColumnsAndThePredicate) {
  PgTestSchema schema("pushdown");
  schema.db().exec(fmt::format(
      "CREATE TABLE {0}.wide (id int PRIMARY KEY, keep_a text, keep_b int, secret_c text); "
      "INSERT INTO {0}.wide SELECT g, 'a' || g, g, 'c' || g FROM generate_series(1, 100) g",
      schema.name()));
  for (const char* method : {"native", "pipe"}) {
    DvtRun run =
        schema.dvt({"extract", schema.endpoint("wide"), "--staging-dir", schema.dir(), "--name",
                    method, "--columns", "keep_a,keep_b", "--where",
                    "keep_b > 90 AND keep_a <> 'a95'", "--limit", "7", "--method", method});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(duck_query(fmt::format("SELECT string_agg(keep_a, ',' ORDER BY keep_b) FROM '{}'",
                                     schema.file(std::string(method) + ".parquet"))),
              (Rows{{"a91,a92,a93,a94,a96,a97,a98"}}));
  }
  std::string expected = fmt::format(
      "COPY (SELECT \"keep_a\", \"keep_b\" FROM \"{}\".\"wide\" WHERE keep_b > 90 AND keep_a <> "
      "'a95' LIMIT 7) "
      "TO STDOUT (FORMAT ",
      schema.name());
  PgRows statements =
      schema.db().query(fmt::format("SELECT query FROM pg_stat_statements WHERE query LIKE 'COPY "
                                    "%' AND query LIKE '%{}%' ORDER BY query",
                                    schema.name()));
  EXPECT_EQ(statements, (PgRows{{expected + "binary)"}, {expected + "csv, HEADER)"}}));
  // The server log (log_statement = all) holds the same statements.
  ServerEnv env = pg_env();
  if (!env.log_path.empty()) {
    std::string log = read_file(env.log_path);
    EXPECT_NE(log.find("statement: " + expected + "binary)"), std::string::npos);
    EXPECT_NE(log.find("statement: " + expected + "csv, HEADER)"), std::string::npos);
  }
}

}  // namespace
}  // namespace dvt::test::pgtest

namespace dvt::test::pgtest {
namespace {

TEST(PostgresQuery, ResultColumnsTakeTheirTypesFromTheRowDescription) {
  PgTestSchema schema("query");
  schema.db().exec(
      fmt::format("CREATE TABLE {0}.t (id int, amount numeric(10,2)); INSERT INTO {0}.t VALUES "
                  "(1, 2.50), (2, NULL)",
                  schema.name()));
  for (const char* method : {"native", "pipe"}) {
    DvtRun run =
        schema.dvt({"extract", "pg", "--name", method, "--staging-dir", schema.dir(), "--method",
                    method, "--query",
                    fmt::format("SELECT id, amount * 2 AS doubled, amount::numeric(12,3) AS exact, "
                                "ARRAY[id, NULL] AS ids, json_build_object('id', id) AS doc, "
                                "now() - now() AS nothing FROM {}.t",
                                schema.name()),
                    "--where", "id > 0"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::string file = schema.file(std::string(method) + ".parquet");
    EXPECT_EQ(duck_query(fmt::format(
                  "SELECT column_name || ' ' || column_type FROM (DESCRIBE FROM '{}')", file)),
              (Rows{{"id INTEGER"},
                    {"doubled VARCHAR"},
                    {"exact DECIMAL(12,3)"},
                    {"ids INTEGER[]"},
                    {"doc JSON"},
                    {"nothing VARCHAR"}}))
        << method;
    EXPECT_EQ(duck_query(fmt::format(
                  "SELECT id, doubled, exact::VARCHAR, ids::VARCHAR, doc::VARCHAR, nothing "
                  "FROM '{}' ORDER BY id",
                  file)),
              (Rows{{"1", "5.00", "2.500", "[1, NULL]", "{\"id\" : 1}", "00:00:00"},
                    {"2", std::nullopt, std::nullopt, "[2, NULL]", "{\"id\" : 2}", "00:00:00"}}))
        << method;
  }
}

}  // namespace
}  // namespace dvt::test::pgtest
