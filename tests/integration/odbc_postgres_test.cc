// PostgreSQL through psqlODBC (the odbc tier of a postgres output, and a
// `type: odbc` output): every type the driver maps reads as the native tier
// reads it, long values past the bound buffers, wide and narrow text, every
// load mode, atomicity (a failing last batch, a killed session, SIGKILL and
// Ctrl-C of dvt) and `--method auto` falling back to ODBC.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "integration/odbc_support.h"
#include "integration/postgres_support.h"
#include "support/embedded.h"

namespace dvt::test::pgtest {
namespace {

constexpr const char* kUnicode = "PostgreSQL Unicode";
constexpr const char* kAnsi = "PostgreSQL ANSI";
constexpr const char* kPackage = "odbc-postgresql";

class OdbcPostgres : public ::testing::Test {
 protected:
  OdbcPostgres() : schema_("odbc") {}

  std::string table(const std::string& name) const { return schema_.name() + "." + name; }
  PgRows rows(const std::string& sql) { return schema_.db().query(sql); }

  std::string parquet(const std::string& name, const std::string& select) const {
    std::string path = schema_.file(name + ".parquet");
    write_parquet(path, select);
    return path;
  }

  // Extracts `source` through `method` into <name>.parquet.
  DvtRun extract(const std::string& source, const std::string& name, const std::string& method) {
    return schema_.dvt(
        {"extract", source, "--staging-dir", schema_.dir(), "--name", name, "--method", method});
  }

  // A `type: odbc` output `name` for the test server through `driver`.
  void add_odbc_output(const std::string& name, const std::string& driver,
                       const std::string& extra = "") {
    ServerEnv env = pg_env();
    schema_.add_output(fmt::format(
        "{}:\n  type: odbc\n  driver: {}\n  host: {}\n  port: {}\n  user: {}\n  password: \"{}\"\n"
        "  database: {}\n  schema: {}\n{}",
        name, driver, env.host, env.port, env.user, env.password, env.database, schema_.name(),
        extra));
  }

  void create_types_table() {
    schema_.db().exec(fmt::format(
        R"(CREATE TABLE {0} (id int PRIMARY KEY, b boolean, i2 smallint, i4 int, i8 bigint,
          f4 real, f8 double precision, n12 numeric(12,2), n38 numeric(38,10), nu numeric,
          t text, vc varchar(20), c char(3), by bytea, d date, ts timestamp, tz timestamptz,
          tm time, u uuid, j json, jb jsonb, iv interval, ar int[], mo money);
        INSERT INTO {0} VALUES
          (1, true, 32767, 2147483647, 9223372036854775807, 3.4028235e38, 1.7976931348623157e308,
           9999999999.99, 9999999999999999999999999999.9999999999,
           123456789012345678901234567890.123456789, 'ü€😀 text', 'varchar ü', 'abc',
           '\x00ff'::bytea, '0001-01-01', '2024-02-29 23:59:59.999999',
           '2024-06-01 12:34:56.123456+02', '23:59:59.999999',
           'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{{"a": [1, 2]}}', '{{"b": null}}',
           '1 year 2 mons 3 days 04:05:06.789', '{{1,2,3}}', 12.34),
          (2, false, -32768, -2147483648, -9223372036854775808, -1.5, -0.0,
           -9999999999.99, -9999999999999999999999999999.9999999999, -0.000001, '', '', ' ',
           '\x'::bytea, '9999-12-31', '1970-01-01 00:00:00', '1969-12-31 23:59:59.5+00',
           '00:00:00', '00000000-0000-0000-0000-000000000000', '[]', '[]', '-1 days', '{{}}',
           -0.01),
          (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (4, true, 1, 1, 1, 0.1, 0.1, 0.01, 0.0000000001, 1e-20,
           repeat('ü', 100000) || '😀', repeat('€', 20), 'ü  ', decode(repeat('ab', 150000), 'hex'),
           '2000-01-01', '2000-01-01 00:00:00.000001', '2000-01-01 00:00:00.000001+00',
           '12:00:00.5', 'ffffffff-ffff-ffff-ffff-ffffffffffff', (repeat('[', 300) || repeat(']', 300))::json,
           ('{{"k": "' || repeat('x', 5000) || '"}}')::jsonb, '1 mon', '{{4,NULL,6}}', 0))",
        table("types")));
  }

  PgTestSchema schema_;
};

TEST_F(OdbcPostgres, EveryTypeReadsAsTheNativeTierReadsIt) {
  REQUIRE_ODBC_DRIVER(kUnicode, kPackage);
  create_types_table();
  DvtRun native = extract(schema_.endpoint("types"), "native", "native");
  ASSERT_EQ(native.exit_code, 0) << native.err;
  DvtRun odbc = extract(schema_.endpoint("types"), "odbc", "odbc");
  ASSERT_EQ(odbc.exit_code, 0) << odbc.err;
  EXPECT_NE(odbc.out.find("method: odbc -> native"), std::string::npos) << odbc.out;
  EXPECT_EQ(parquet_columns(schema_.file("odbc.parquet")),
            (std::vector<std::string>{"id INTEGER",
                                      "b BOOLEAN",
                                      "i2 SMALLINT",
                                      "i4 INTEGER",
                                      "i8 BIGINT",
                                      "f4 FLOAT",
                                      "f8 DOUBLE",
                                      "n12 DECIMAL(12,2)",
                                      "n38 DECIMAL(38,10)",
                                      "nu VARCHAR",
                                      "t VARCHAR",
                                      "vc VARCHAR",
                                      "c VARCHAR",
                                      "by BLOB",
                                      "d DATE",
                                      "ts TIMESTAMP",
                                      "tz TIMESTAMP WITH TIME ZONE",
                                      "tm TIME",
                                      "u UUID",
                                      "j JSON",
                                      "jb JSON",
                                      "iv VARCHAR",
                                      "ar VARCHAR",
                                      "mo VARCHAR"}));
  // The native tier decodes arrays as lists; psqlODBC sends their text.
  EXPECT_EQ(parquet_differences(schema_.file("odbc.parquet"), schema_.file("native.parquet"),
                                "* EXCLUDE (ar)"),
            0);
  EXPECT_EQ(duck_query(fmt::format(
                "SELECT id, ar, n38::VARCHAR, length(t), octet_length(\"by\"), tz::VARCHAR FROM "
                "read_parquet('{}') ORDER BY id",
                schema_.file("odbc.parquet"))),
            (Rows{{"1", "{1,2,3}", "9999999999999999999999999999.9999999999", "8", "2",
                   "2024-06-01 10:34:56.123456+00"},
                  {"2", "{}", "-9999999999999999999999999999.9999999999", "0", "0",
                   "1969-12-31 23:59:59.5+00"},
                  {"3", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
                  {"4", "{4,NULL,6}", "0.0000000001", "100001", "150000",
                   "2000-01-01 00:00:00.000001+00"}}));
}

TEST_F(OdbcPostgres, ATypeOdbcOutputReadsWideAndNarrowText) {
  REQUIRE_ODBC_DRIVER(kUnicode, kPackage);
  REQUIRE_ODBC_DRIVER(kAnsi, kPackage);
  create_types_table();
  add_odbc_output("wide", kUnicode);
  add_odbc_output("narrow", kAnsi, "  text: narrow\n");
  DvtRun native = extract(schema_.endpoint("types"), "native", "native");
  ASSERT_EQ(native.exit_code, 0) << native.err;
  for (const char* output : {"wide", "narrow"}) {
    DvtRun run = extract(fmt::format("{}:types", output), output, "auto");
    ASSERT_EQ(run.exit_code, 0) << output << ": " << run.err;
    EXPECT_EQ(parquet_differences(schema_.file(std::string(output) + ".parquet"),
                                  schema_.file("native.parquet"), "* EXCLUDE (ar)"),
              0)
        << output;
  }
  // The dialect was found from the DBMS name the driver reports.
  DvtRun debug = schema_.dvt({"debug", "--output", "narrow"});
  EXPECT_EQ(debug.exit_code, 0) << debug.err;
  EXPECT_NE(debug.out.find("(postgres dialect)"), std::string::npos) << debug.out;
  EXPECT_EQ(debug.out.find(pg_env().password), std::string::npos);
}

TEST_F(OdbcPostgres, QueriesLimitsAndColumnsArePushedDown) {
  REQUIRE_ODBC_DRIVER(kUnicode, kPackage);
  schema_.db().exec(fmt::format(
      "CREATE TABLE {0} (id int, \"Customer Code\" text); INSERT INTO {0} SELECT g, 'c' || g FROM "
      "generate_series(1, 10) g",
      table("q")));
  DvtRun run = schema_.dvt({"extract", schema_.endpoint("q"), "--columns", "Customer Code",
                            "--where", "id > 3", "--limit", "2", "--keep-order", "--staging-dir",
                            schema_.dir(), "--method", "odbc"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(duck_query(fmt::format("SELECT count(*), min(\"Customer Code\" > 'c3') FROM "
                                   "read_parquet('{}')",
                                   schema_.file("q.parquet"))),
            (Rows{{"2", "true"}}));
  DvtRun query = schema_.dvt({"extract", "pg", "--query",
                              fmt::format("SELECT sum(id)::bigint AS s FROM {}", table("q")),
                              "--name", "sum", "--staging-dir", schema_.dir(), "--method", "odbc"});
  ASSERT_EQ(query.exit_code, 0) << query.err;
  EXPECT_EQ(
      duck_query(fmt::format("SELECT s FROM read_parquet('{}')", schema_.file("sum.parquet"))),
      (Rows{{"55"}}));
}

TEST_F(OdbcPostgres, LoadedTypesMatchTheNativeLoad) {
  REQUIRE_ODBC_DRIVER(kUnicode, kPackage);
  create_types_table();
  // Read through ODBC, so the array is its text: DuckDB's text of a LIST is
  // not PostgreSQL's, and nested types load through the native tier only.
  ASSERT_EQ(extract(schema_.endpoint("types"), "src", "odbc").exit_code, 0);
  for (const char* method : {"native", "odbc"}) {
    DvtRun run = schema_.dvt({"load", schema_.file("src.parquet"),
                              schema_.endpoint(std::string("by_") + method), "--full-refresh",
                              "--method", method});
    ASSERT_EQ(run.exit_code, 0) << method << ": " << run.err;
  }
  EXPECT_EQ(differing_rows(schema_.db(), table("by_native"), table("by_odbc")), 0);
  EXPECT_EQ(rows(fmt::format("SELECT count(*), max(length(t)), max(octet_length(by)) FROM {}",
                             table("by_odbc"))),
            (PgRows{{"4", "100001", "150000"}}));
  EXPECT_EQ(
      rows(fmt::format("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                       "'{}'::regclass AND attname IN ('n38', 'tz', 'u', 'j') ORDER BY attnum",
                       table("by_odbc"))),
      (PgRows{{"numeric(38,10)"}, {"timestamp with time zone"}, {"uuid"}, {"json"}}));
}

TEST_F(OdbcPostgres, EveryLoadModeKeepsTheContract) {
  REQUIRE_ODBC_DRIVER(kUnicode, kPackage);
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (id int PRIMARY KEY, v text); CREATE INDEX by_v ON {0} (v); "
                  "INSERT INTO {0} VALUES (1, 'old'), (2, 'two')",
                  table("t")));
  std::string file = parquet("in", "SELECT * FROM (VALUES (2, 'new two'), (3, 'three')) v(id, v)");
  auto load = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"load", file, schema_.endpoint("t"), "--method", "odbc"};
    args.insert(args.end(), extra.begin(), extra.end());
    return schema_.dvt(args);
  };
  auto contents = [&] { return rows("SELECT id, v FROM " + table("t") + " ORDER BY id"); };
  DvtRun merge = load({"--mode", "merge"});
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_EQ(contents(), (PgRows{{"1", "old"}, {"2", "new two"}, {"3", "three"}}));
  schema_.db().exec(
      fmt::format("DELETE FROM {0}; INSERT INTO {0} VALUES (1, 'old'), (2, 'two')", table("t")));
  ASSERT_EQ(load({"--mode", "delete+insert"}).exit_code, 0);
  EXPECT_EQ(contents(), (PgRows{{"1", "old"}, {"2", "new two"}, {"3", "three"}}));
  DvtRun duplicate = load({"--mode", "append"});  // id 2 is there already
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_NE(duplicate.err.find("t_pkey"), std::string::npos) << duplicate.err;
  EXPECT_EQ(contents(), (PgRows{{"1", "old"}, {"2", "new two"}, {"3", "three"}}));
  ASSERT_EQ(load({}).exit_code, 0);
  EXPECT_EQ(contents(), (PgRows{{"2", "new two"}, {"3", "three"}}));
  EXPECT_EQ(schema_.db().value(fmt::format(
                "SELECT count(*) FROM pg_indexes WHERE schemaname = '{}' AND indexname = 'by_v'",
                schema_.name())),
            "1");
  ASSERT_EQ(load({"--full-refresh"}).exit_code, 0);
  EXPECT_EQ(contents(), (PgRows{{"2", "new two"}, {"3", "three"}}));
  EXPECT_EQ(schema_.db().value(fmt::format(
                "SELECT count(*) FROM pg_indexes WHERE schemaname = '{}' AND indexname = 'by_v'",
                schema_.name())),
            "0");
  // A key repeated in the incoming rows refuses the merge; nothing changes.
  std::string twice = parquet("twice", "SELECT * FROM (VALUES (5, 'a'), (5, 'b')) v(id, v)");
  DvtRun refused = schema_.dvt({"load", twice, schema_.endpoint("t"), "--method", "odbc", "--mode",
                                "merge", "--unique-key", "id"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("incoming rows repeat the unique key (id)"), std::string::npos)
      << refused.err;
  EXPECT_EQ(contents(), (PgRows{{"2", "new two"}, {"3", "three"}}));
}

TEST_F(OdbcPostgres, FailureInTheLastBatchLeavesThePreviousContents) {
  REQUIRE_ODBC_DRIVER(kUnicode, kPackage);
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (id int PRIMARY KEY, v int CHECK (v < 100000)); "
                  "INSERT INTO {0} VALUES (1, 10), (2, 20)",
                  table("guarded")));
  // 50,000 good rows, then one the server refuses: the CHECK, or a NUL in
  // text (which PostgreSQL cannot store) for a table the load recreates.
  std::string checked = parquet("checked",
                                "SELECT i AS id, CASE WHEN i = 50001 THEN 100000 ELSE i END AS v "
                                "FROM range(1, 50002) t(i)");
  DvtRun run = schema_.dvt({"load", checked, schema_.endpoint("guarded"), "--method", "odbc"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("guarded_v_check"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("inserting rows"), std::string::npos) << run.err;
  std::string nul = parquet("nul",
                            "SELECT i AS id, CASE WHEN i = 50001 THEN 'a' || chr(0) || 'b' ELSE "
                            "'ok' END AS v FROM range(1, 50002) t(i)");
  DvtRun refresh =
      schema_.dvt({"load", nul, schema_.endpoint("guarded"), "--method", "odbc", "--full-refresh"});
  EXPECT_EQ(refresh.exit_code, 1);
  EXPECT_NE(refresh.err.find("inserting rows 49153 to 50001"), std::string::npos) << refresh.err;
  EXPECT_EQ(rows("SELECT id, v FROM " + table("guarded") + " ORDER BY id"),
            (PgRows{{"1", "10"}, {"2", "20"}}));
}

class OdbcPostgresInterrupted : public OdbcPostgres {
 protected:
  void SetUp() override {
    schema_.db().exec(
        fmt::format("CREATE TABLE {0} (id bigint, name text); INSERT INTO {0} VALUES (1, 'old')",
                    table("target")));
    file_ = parquet("big", "SELECT i AS id, 'name-' || i AS name FROM range(3000000) t(i)");
  }

  pid_t start_load() {
    // A TMPDIR of its own: a killed job cannot remove its scratch folder.
    return spawn_dvt({"--profiles-dir", schema_.dir(), "load", file_, schema_.endpoint("target"),
                      "--method", "odbc"},
                     schema_.dir(), {{"TMPDIR", schema_.dir()}});
  }

  // Waits until the load's INSERTs run in the server.
  bool wait_for_inserts() {
    for (int i = 0; i < 400; ++i) {
      if (schema_.db().value(fmt::format("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                                         "'INSERT INTO \"{}\".\"target\"%'",
                                         schema_.name())) != "0")
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  void expect_unchanged() {
    EXPECT_EQ(rows("SELECT id, name FROM " + table("target")), (PgRows{{"1", "old"}}));
  }

  std::string file_;
};

TEST_F(OdbcPostgresInterrupted, CtrlCLeavesThePreviousContents) {
  REQUIRE_ODBC_DRIVER(kUnicode, kPackage);
  pid_t pid = start_load();
  EXPECT_TRUE(wait_for_inserts());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(pid, SIGINT);
  EXPECT_EQ(wait_dvt(pid), 130) << read_file(schema_.file("spawned.err"));
  expect_unchanged();
}

TEST_F(OdbcPostgresInterrupted, SigkillLeavesThePreviousContents) {
  REQUIRE_ODBC_DRIVER(kUnicode, kPackage);
  pid_t pid = start_load();
  EXPECT_TRUE(wait_for_inserts());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(pid, SIGKILL);
  EXPECT_EQ(wait_dvt(pid), 128 + SIGKILL);
  // The server ends the dead client's session and rolls its transaction back.
  for (int i = 0; i < 200; ++i) {
    if (schema_.db().value(fmt::format("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
                                       "'INSERT INTO \"{}\".\"target\"%'",
                                       schema_.name())) == "0")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  expect_unchanged();
}

TEST_F(OdbcPostgresInterrupted, KilledSessionLeavesThePreviousContents) {
  REQUIRE_ODBC_DRIVER(kUnicode, kPackage);
  pid_t pid = start_load();
  std::string killed = "0";
  for (int i = 0; i < 400 && killed == "0"; ++i) {
    killed = schema_.db().value(fmt::format(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE 'INSERT "
        "INTO \"{}\".\"target\"%'",
        schema_.name()));
    if (killed == "0") std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(killed, "1");
  EXPECT_EQ(wait_dvt(pid), 1) << read_file(schema_.file("spawned.err"));
  EXPECT_NE(read_file(schema_.file("spawned.err")).find("inserting rows"), std::string::npos)
      << read_file(schema_.file("spawned.err"));
  expect_unchanged();
}

TEST_F(OdbcPostgres, AutoFallsBackToOdbcWhenNativeAndPipeAreUnavailable) {
  REQUIRE_ODBC_DRIVER(kUnicode, kPackage);
  schema_.db().exec(
      fmt::format("CREATE TABLE {0} (id int); INSERT INTO {0} VALUES (1), (2)", table("src")));
  DvtRunOptions broken{.environment = {{"DVT_TEST_BREAK_TIER", "native,pipe"}}};
  DvtRun run = schema_.dvt({"copy", schema_.endpoint("src"), schema_.endpoint("dst")}, broken);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("method: odbc -> odbc"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("fallback: native -> pipe: the native tier is disabled by "
                         "DVT_TEST_BREAK_TIER"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("fallback: pipe -> odbc: the pipe tier is disabled by "
                         "DVT_TEST_BREAK_TIER"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(rows("SELECT id FROM " + table("dst") + " ORDER BY id"), (PgRows{{"1"}, {"2"}}));
  DvtRun json = schema_.dvt(
      {"--log-format", "json", "extract", schema_.endpoint("src"), "--staging-dir", schema_.dir()},
      broken);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"source\":\"odbc\""), std::string::npos) << json.out;
}

TEST_F(OdbcPostgres, AMissingDriverIsATierProblemWithItsInstallHint) {
  // The table exists (its catalog is read natively): what fails is the read.
  schema_.db().exec(fmt::format("CREATE TABLE {} (id int)", table("t")));
  schema_.write_profiles({"odbc_driver: No Such Driver"});
  DvtRun run = schema_.dvt(
      {"extract", schema_.endpoint("t"), "--staging-dir", schema_.dir(), "--method", "odbc"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("ODBC driver 'No Such Driver'"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("odbcinst -q -d"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(pg_env().password), std::string::npos) << run.err;
}

}  // namespace
}  // namespace dvt::test::pgtest
