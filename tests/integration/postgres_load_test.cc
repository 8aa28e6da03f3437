// Loading into PostgreSQL: the DDL contract, types mapped back to the right
// PostgreSQL types, quoted identifiers, and atomicity (a failing value or a
// Ctrl-C leaves the target exactly as it was).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "integration/postgres_support.h"
#include "support/embedded.h"

namespace dvt::test::pgtest {
namespace {

class PostgresLoad : public ::testing::Test {
 protected:
  PostgresLoad() : schema_("load") {}

  std::string table(const std::string& name) const { return schema_.name() + "." + name; }

  // Writes a Parquet file with DuckDB (independently of the code under test).
  std::string parquet(const std::string& name, const std::string& select) const {
    std::string path = schema_.file(name + ".parquet");
    duck_query(fmt::format("COPY ({}) TO '{}' (FORMAT parquet)", select, path));
    return path;
  }

  PgRows rows(const std::string& sql) { return schema_.db().query(sql); }

  PgTestSchema schema_;
};

TEST_F(PostgresLoad, OverwriteEmptiesTheTableButKeepsItsIndexCommentAndGrants) {
  schema_.db().exec(fmt::format(
      "CREATE TABLE {0} (id int PRIMARY KEY, name text); CREATE INDEX by_name ON {0} (name); "
      "COMMENT ON TABLE {0} IS 'kept'; GRANT SELECT ON {0} TO PUBLIC; INSERT INTO {0} VALUES (1, "
      "'old'), (9, 'gone')",
      table("t")));
  std::string file = parquet("src", "SELECT * FROM (VALUES (1, 'one'), (2, 'two')) v(id, name)");
  DvtRun run = schema_.dvt({"load", file, schema_.endpoint("t")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(rows("SELECT id, name FROM " + table("t") + " ORDER BY id"),
            (PgRows{{"1", "one"}, {"2", "two"}}));
  EXPECT_EQ(
      schema_.db().value(fmt::format("SELECT count(*) FROM pg_indexes WHERE schemaname = '{}' AND "
                                     "indexname = 'by_name'",
                                     schema_.name())),
      "1");
  EXPECT_EQ(schema_.db().value(fmt::format("SELECT obj_description('{}'::regclass)", table("t"))),
            "kept");
  EXPECT_EQ(schema_.db().value(
                fmt::format("SELECT has_table_privilege('public', '{}', 'SELECT')", table("t"))),
            "t");
}

TEST_F(PostgresLoad, AppendKeepsExistingRows) {
  schema_.db().exec(fmt::format(
      "CREATE TABLE {0} (id int, name text); INSERT INTO {0} VALUES (1, 'old')", table("t")));
  std::string file = parquet("src", "SELECT 2 AS id, 'new' AS name");
  for (const char* method : {"native", "pipe"}) {
    DvtRun run =
        schema_.dvt({"load", file, schema_.endpoint("t"), "--mode", "append", "--method", method});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  EXPECT_EQ(rows("SELECT id, name FROM " + table("t") + " ORDER BY id"),
            (PgRows{{"1", "old"}, {"2", "new"}, {"2", "new"}}));
}

TEST_F(PostgresLoad, FullRefreshRecreatesTheTableWithMappedTypes) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (unrelated int); CREATE INDEX old_index ON {0} (unrelated)",
                  table("typed")));
  // A DuckDB file, not Parquet: Parquet itself would turn HUGEINT into
  // DOUBLE and cut the interval to milliseconds.
  std::string duck = schema_.file("typed.duckdb");
  duck_query(fmt::format("ATTACH '{}' AS f; CREATE TABLE f.typed AS SELECT", duck) + R"(*
    FROM (SELECT
      true AS b, (-128)::TINYINT AS ti, 32767::SMALLINT AS si, (-2147483648)::INTEGER AS i, 9223372036854775807 AS bi,
      255::UTINYINT AS uti, 65535::USMALLINT AS usi, 4294967295::UINTEGER AS ui,
      18446744073709551615::UBIGINT AS ubi, 170141183460469231731687303715884105727::HUGEINT AS hi,
      1.5::FLOAT AS f, -0.0::DOUBLE AS d, 1234.56::DECIMAL(12,2) AS dec, 'text' AS v, '{"a": [1, 2]}'::JSON AS j,
      '\x00\xff'::BLOB AS bl, DATE '2024-02-29' AS dt, TIME '24:00:00' AS tm, TIMESTAMP '2024-01-01 12:34:56.123456' AS ts,
      TIMESTAMPTZ '2024-01-01 12:00:00+00' AS tz, INTERVAL '1 month 2 days 0.000001 seconds' AS iv,
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID AS u, [1, NULL, 3] AS ia, ['a', NULL, 'b"c'] AS va,
      {'k': 1, 's': 'x'} AS st, [[1, 2], [3]] AS nested))");
  schema_.add_output(fmt::format("duck:\n  type: duckdb\n  path: {}\n", duck));
  DvtRun run = schema_.dvt({"copy", "duck:typed", schema_.endpoint("typed"), "--full-refresh"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(
      rows(fmt::format(
          "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
          "'{}'::regclass AND attnum > 0 ORDER BY attnum",
          table("typed"))),
      (PgRows{{"b", "boolean"},
              {"ti", "smallint"},
              {"si", "smallint"},
              {"i", "integer"},
              {"bi", "bigint"},
              {"uti", "smallint"},
              {"usi", "integer"},
              {"ui", "bigint"},
              {"ubi", "numeric(20,0)"},
              {"hi", "numeric(39,0)"},
              {"f", "real"},
              {"d", "double precision"},
              {"dec", "numeric(12,2)"},
              {"v", "text"},
              {"j", "json"},
              {"bl", "bytea"},
              {"dt", "date"},
              {"tm", "time without time zone"},
              {"ts", "timestamp without time zone"},
              {"tz", "timestamp with time zone"},
              {"iv", "interval"},
              {"u", "uuid"},
              {"ia", "integer[]"},
              {"va", "text[]"},
              {"st", "json"},
              {"nested", "json"}}));
  EXPECT_EQ(rows("SELECT b::text, ti::text, si::text, i::text, bi::text, uti::text, usi::text, "
                 "ui::text, ubi::text, "
                 "hi::text, f::text, d::text, dec::text, v, j::text, bl::text, dt::text, tm::text, "
                 "ts::text, tz::text, "
                 "iv::text, u::text, ia::text, va::text, st::text, nested::text FROM " +
                 table("typed")),
            (PgRows{{"true",
                     "-128",
                     "32767",
                     "-2147483648",
                     "9223372036854775807",
                     "255",
                     "65535",
                     "4294967295",
                     "18446744073709551615",
                     "170141183460469231731687303715884105727",
                     "1.5",
                     "-0",
                     "1234.56",
                     "text",
                     "{\"a\": [1, 2]}",
                     "\\x00ff",
                     "2024-02-29",
                     "24:00:00",
                     "2024-01-01 12:34:56.123456",
                     "2024-01-01 12:00:00+00",
                     "1 mon 2 days 00:00:00.000001",
                     "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                     "{1,NULL,3}",
                     "{a,NULL,\"b\\\"c\"}",
                     "{\"k\":1,\"s\":\"x\"}",
                     "[[1,2],[3]]"}}));
  EXPECT_EQ(schema_.db().value(fmt::format(
                "SELECT count(*) FROM pg_indexes WHERE schemaname = '{}'", schema_.name())),
            "0");
}

TEST_F(PostgresLoad, NewTableGetsTheSourcePrimaryKey) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (a int, b text, v int, PRIMARY KEY (b, a)); INSERT INTO {0} "
                  "SELECT g, 'k' || (g % 3), g FROM generate_series(1, 3000) g",
                  table("keyed")));
  for (const char* method : {"native", "pipe"}) {
    std::string target = std::string("keyed_") + method;
    DvtRun run = schema_.dvt({"copy", schema_.endpoint("keyed"), schema_.endpoint(target),
                              "--full-refresh", "--method", method});
    ASSERT_EQ(run.exit_code, 0) << method << ": " << run.err;
    EXPECT_EQ(rows(fmt::format("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                               "WHERE conrelid = '{}'::regclass",
                               table(target))),
              (PgRows{{target + "_pkey", "PRIMARY KEY (b, a)"}}))
        << method;
    EXPECT_EQ(differing_rows(schema_.db(), table("keyed"), table(target)), 0) << method;
  }
}

TEST_F(PostgresLoad, TableCreatedFromStagingGetsNotNullAndThePrimaryKey) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (a int NOT NULL, b text NOT NULL, v int, PRIMARY KEY (b, a)); "
                  "INSERT INTO {0} "
                  "SELECT g, 'k' || (g % 3), g FROM generate_series(1, 3000) g",
                  table("staged_keyed")));
  std::string file = schema_.file("staged_keyed.parquet");
  DvtRun extract = schema_.dvt({"copy", schema_.endpoint("staged_keyed"), file});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  for (const char* method : {"native", "pipe"}) {
    std::string target = std::string("from_file_") + method;
    DvtRun run =
        schema_.dvt({"load", file, schema_.endpoint(target), "--full-refresh", "--method", method});
    ASSERT_EQ(run.exit_code, 0) << method << ": " << run.err;
    EXPECT_EQ(
        rows(fmt::format(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{}'::regclass",
            table(target))),
        (PgRows{{"PRIMARY KEY (b, a)"}}))
        << method;
    EXPECT_EQ(
        rows(fmt::format("SELECT attname || ':' || attnotnull FROM pg_attribute WHERE attrelid = "
                         "'{}'::regclass AND attnum > 0 ORDER BY attnum",
                         table(target))),
        (PgRows{{"a:true"}, {"b:true"}, {"v:false"}}))
        << method;
    EXPECT_EQ(differing_rows(schema_.db(), table("staged_keyed"), table(target)), 0) << method;
  }
}

TEST_F(PostgresLoad, TextIsReadByPostgresInputFunctions) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {} (d date, n numeric, a int[], ip inet, ts timestamptz, j jsonb)",
                  table("typed")));
  std::string file =
      parquet("text",
              "SELECT '0044-03-15 BC' AS d, '1e-3' AS n, '{1,NULL}' AS a, '10.0.0.1/8' AS ip, "
              "'2024-01-01 12:00:00+02' AS ts, '{\"b\": 1, \"a\": 2}' AS j");
  for (const char* method : {"native", "pipe"}) {
    DvtRun run = schema_.dvt({"load", file, schema_.endpoint("typed"), "--method", method});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(rows("SELECT d::text, n::text, a::text, ip::text, ts::text, j::text FROM " +
                   table("typed")),
              (PgRows{{"0044-03-15 BC", "0.001", "{1,NULL}", "10.0.0.1/8", "2024-01-01 10:00:00+00",
                       "{\"a\": 2, \"b\": 1}"}}))
        << method;
  }
}

TEST_F(PostgresLoad, EveryIdentifierIsQuoted) {
  std::string file =
      parquet("names",
              "SELECT 1 AS \"Customer Code\", 2 AS \"select\", 3 AS \"Mixed\"\"Quote\", "
              "4 AS \"UPPER\"");
  for (const char* method : {"native", "pipe"}) {
    for (const char* mode : {"--full-refresh", "--mode=overwrite"}) {
      DvtRun run = schema_.dvt(
          {"load", file, "pg:" + schema_.name() + ".\"Odd Table\"", mode, "--method", method});
      ASSERT_EQ(run.exit_code, 0) << method << " " << mode << ": " << run.err;
    }
  }
  EXPECT_EQ(rows(fmt::format("SELECT \"Customer Code\", \"select\", \"Mixed\"\"Quote\", \"UPPER\" "
                             "FROM {}.\"Odd Table\"",
                             schema_.name())),
            (PgRows{{"1", "2", "3", "4"}}));
}

TEST_F(PostgresLoad, MissingTargetColumnIsReportedBeforeAnyRowMoves) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (id int); INSERT INTO {0} VALUES (7)", table("narrow")));
  std::string file = parquet("wide", "SELECT 1 AS id, 'x' AS extra");
  DvtRun run = schema_.dvt({"load", file, schema_.endpoint("narrow")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("has no column \"extra\"; use --full-refresh"), std::string::npos)
      << run.err;
  EXPECT_EQ(rows("SELECT id FROM " + table("narrow")), (PgRows{{"7"}}));
}

TEST_F(PostgresLoad, CheckViolationInTheLastBatchLeavesThePreviousContents) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (id int PRIMARY KEY, v int CHECK (v < 100000)); "
                  "INSERT INTO {0} VALUES (1, 10), (2, 20)",
                  table("guarded")));
  // 50,000 good rows, then one that breaks the CHECK constraint.
  std::string file = parquet("bad",
                             "SELECT i AS id, CASE WHEN i = 50001 THEN 100000 ELSE i END AS v "
                             "FROM range(1, 50002) t(i)");
  for (const char* method : {"native", "pipe"}) {
    DvtRun run = schema_.dvt({"load", file, schema_.endpoint("guarded"), "--method", method});
    EXPECT_EQ(run.exit_code, 1) << method;
    EXPECT_NE(run.err.find("guarded_v_check"), std::string::npos) << method << ": " << run.err;
    EXPECT_EQ(rows("SELECT id, v FROM " + table("guarded") + " ORDER BY id"),
              (PgRows{{"1", "10"}, {"2", "20"}}))
        << method;
  }
}

TEST_F(PostgresLoad, CtrlCDuringTheLoadLeavesThePreviousContents) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (id bigint, name text, amount numeric(12,2)); "
                  "INSERT INTO {0} VALUES (1, 'old', 1.00)",
                  table("target")));
  std::string file =
      parquet("big",
              "SELECT i AS id, 'name-' || i AS name, (i % 100000) / 100 :: DECIMAL(12,2) "
              "AS amount FROM range(1000000) t(i)");
  for (const char* method : {"native", "pipe"}) {
    pid_t pid = spawn_dvt({"--profiles-dir", schema_.dir(), "load", file,
                           schema_.endpoint("target"), "--method", method},
                          schema_.dir());
    // Interrupt only once rows are flowing into the table.
    bool copying = false;
    for (int i = 0; i < 400 && !copying; ++i) {
      copying = schema_.db().value(fmt::format(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                    "'dvt' AND query LIKE 'COPY \"{}\".\"target\"%' AND state = 'active'",
                    schema_.name())) != "0";
      if (!copying) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    EXPECT_TRUE(copying) << method;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::kill(pid, SIGINT);
    EXPECT_EQ(wait_dvt(pid), 130) << method << ": " << read_file(schema_.file("spawned.err"));
    EXPECT_EQ(rows("SELECT id, name, amount::text FROM " + table("target")),
              (PgRows{{"1", "old", "1.00"}}))
        << method;
  }
}

TEST_F(PostgresLoad, KilledConnectionDuringTheLoadLeavesThePreviousContents) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (id bigint, name text); INSERT INTO {0} VALUES (1, 'old')",
                  table("target")));
  std::string file =
      parquet("big", "SELECT i AS id, 'name-' || i AS name FROM range(1000000) t(i)");
  for (const char* method : {"native", "pipe"}) {
    pid_t pid = spawn_dvt({"--profiles-dir", schema_.dir(), "load", file,
                           schema_.endpoint("target"), "--method", method},
                          schema_.dir());
    // Kill the server session that runs the COPY once rows are flowing (for
    // the pipe tier that is psql's session).
    std::string killed = "0";
    for (int i = 0; i < 400 && killed == "0"; ++i) {
      killed = schema_.db().value(fmt::format(
          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name "
          "= 'dvt' AND query LIKE 'COPY \"{}\".\"target\"%' AND state = 'active'",
          schema_.name()));
      if (killed == "0") std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    EXPECT_EQ(killed, "1") << method;
    EXPECT_EQ(wait_dvt(pid), 1) << method << ": " << read_file(schema_.file("spawned.err"));
    EXPECT_NE(
        read_file(schema_.file("spawned.err")).find("server closed the connection unexpectedly"),
        std::string::npos)
        << method << ": " << read_file(schema_.file("spawned.err"));
    EXPECT_EQ(rows("SELECT id, name FROM " + table("target")), (PgRows{{"1", "old"}})) << method;
  }
}

TEST_F(PostgresLoad, RowsTheServerDidNotStoreRollTheLoadBack) {
  // A trigger that silently drops one row: COPY reports 2 rows stored for 3
  // sent, and the load must not commit.
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (id int, name text); INSERT INTO {0} VALUES (9, 'old');"
                  "CREATE FUNCTION {1}.drop_two() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$ BEGIN IF NEW.id = 2 THEN RETURN NULL; END IF; RETURN NEW; END $$;"
                  "CREATE TRIGGER drop_two BEFORE INSERT ON {0} FOR EACH ROW EXECUTE FUNCTION "
                  "{1}.drop_two()",
                  table("lossy"), schema_.name()));
  std::string file =
      parquet("three", "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) v(id, name)");
  for (const char* method : {"native", "pipe"}) {
    DvtRun run = schema_.dvt({"load", file, schema_.endpoint("lossy"), "--method", method});
    EXPECT_EQ(run.exit_code, 1) << method << ": " << run.out;
    EXPECT_NE(run.err.find("3 rows sent but the server stored 2"), std::string::npos)
        << method << ": " << run.err;
    EXPECT_EQ(rows("SELECT id, name FROM " + table("lossy")), (PgRows{{"9", "old"}})) << method;
  }
}

}  // namespace
}  // namespace dvt::test::pgtest
