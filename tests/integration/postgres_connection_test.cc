// Connecting: dbt's profile fields, the PostgreSQL-compatible aliases, and
// failures that are fast and name the output and host, never the password.
#include <gtest/gtest.h>

#include <chrono>

#include <fmt/format.h>

#include "integration/postgres_support.h"
#include "support/embedded.h"

namespace dvt::test::pgtest {
namespace {

class PostgresConnection : public ::testing::Test {
 protected:
  PostgresConnection() : schema_("conn") {
    schema_.db().exec(
        fmt::format("CREATE TABLE {}.t (id int PRIMARY KEY, name text); INSERT INTO {}.t VALUES "
                    "(1, 'one'), (2, 'two')",
                    schema_.name(), schema_.name()));
  }

  DvtRun extract(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"extract", schema_.endpoint("t"), "--staging-dir",
                                     schema_.dir()};
    args.insert(args.end(), extra.begin(), extra.end());
    return schema_.dvt(args);
  }

  PgTestSchema schema_;
};

TEST_F(PostgresConnection, WrongPasswordFailsFastNamingOutputAndHostButNotThePassword) {
  ServerEnv env = pg_env();
  schema_.write_profiles({"password: not-the-Secret-42"}, "postgres", false);
  auto start = std::chrono::steady_clock::now();
  DvtRun run = extract();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(fmt::format("output 'pg' ({}:{})", env.host, env.port)), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("password authentication failed for user \"dvt\""), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("check profiles.yml output 'pg'"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("not-the-Secret-42"), std::string::npos) << run.err;
  EXPECT_EQ(run.out.find("not-the-Secret-42"), std::string::npos) << run.out;
  EXPECT_LT(seconds, 5.0);
}

TEST_F(PostgresConnection, ClosedPortFailsFastNamingTheHost) {
  schema_.write_profiles({});
  // Port 1 on the test host: nothing listens there.
  ServerEnv env = pg_env();
  dvt::test::write_profiles(
      schema_.dir(), fmt::format("test:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n"
                                 "      host: {}\n      port: 1\n      user: dvt\n"
                                 "      password: \"{}\"\n      dbname: dvt\n",
                                 env.host, env.password));
  auto start = std::chrono::steady_clock::now();
  DvtRun run = extract();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(fmt::format("output 'pg' ({}:1)", env.host)), std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find(env.password), std::string::npos) << run.err;
  EXPECT_LT(seconds, 5.0);
}

TEST_F(PostgresConnection, DatabaseIsAnAcceptedSpellingOfDbname) {
  ServerEnv env = pg_env();
  dvt::test::write_profiles(
      schema_.dir(),
      fmt::format("test:\n  target: pg\n  outputs:\n    pg:\n      type: postgresql\n"
                  "      host: {}\n      port: {}\n      user: {}\n      password: \"{}\"\n"
                  "      database: {}\n      sslmode: disable\n      connect_timeout: 3\n"
                  "      keepalives_idle: 30\n",
                  env.host, env.port, env.user, env.password, env.database));
  DvtRun run = extract();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(
      duck_query(fmt::format("SELECT id, name FROM '{}' ORDER BY id", schema_.file("t.parquet"))),
      (Rows{{"1", "one"}, {"2", "two"}}));
}

TEST_F(PostgresConnection, SearchPathFindsUnqualifiedTables) {
  ServerEnv env = pg_env();
  dvt::test::write_profiles(
      schema_.dir(),
      fmt::format("test:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n"
                  "      host: {}\n      port: {}\n      user: {}\n      password: \"{}\"\n"
                  "      dbname: {}\n      search_path: \"{}, public\"\n",
                  env.host, env.port, env.user, env.password, env.database, schema_.name()));
  DvtRun run = schema_.dvt({"extract", "pg:t", "--staging-dir", schema_.dir()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("extract: 2 rows"), std::string::npos) << run.out;
}

TEST_F(PostgresConnection, SchemaFieldIsTheDefaultForUnqualifiedTables) {
  // The profile's `schema:` is this test's schema, which is not on the
  // server's search_path: unqualified names must still land there.
  DvtRun extract = schema_.dvt({"extract", "pg:t", "--staging-dir", schema_.dir()});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_NE(extract.out.find("extract: 2 rows"), std::string::npos) << extract.out;
  DvtRun load = schema_.dvt({"load", schema_.file("t.parquet"), "pg:t_back"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(
      schema_.db().query(fmt::format("SELECT id, name FROM {}.t_back ORDER BY id", schema_.name())),
      (PgRows{{"1", "one"}, {"2", "two"}}));
}

TEST_F(PostgresConnection, AliasesOfTheFamilyUseTheSameConnector) {
  for (const char* type : {"timescaledb", "citus", "alloydb", "neon", "greenplum"}) {
    schema_.write_profiles({}, type);
    DvtRun run = extract({"--name", type});
    ASSERT_EQ(run.exit_code, 0) << type << ": " << run.err;
    EXPECT_NE(run.out.find("method: native -> native"), std::string::npos)
        << type << ": " << run.out;
  }
}

TEST_F(PostgresConnection, FamiliesWithoutCopyToReadThroughACursor) {
  // CockroachDB, RisingWave and CrateDB have no binary COPY TO STDOUT; the
  // same code path runs here against PostgreSQL.
  for (const char* type : {"cockroachdb", "risingwave", "cratedb"}) {
    schema_.write_profiles({}, type);
    DvtRun run = extract({"--name", type, "--method", "native"});
    ASSERT_EQ(run.exit_code, 0) << type << ": " << run.err;
    EXPECT_NE(run.out.find("method: native (cursor) -> native"), std::string::npos)
        << type << ": " << run.out;
    EXPECT_EQ(duck_query(fmt::format("SELECT id, name FROM '{}' ORDER BY id",
                                     schema_.file(std::string(type) + ".parquet"))),
              (Rows{{"1", "one"}, {"2", "two"}}));
  }
}

TEST_F(PostgresConnection, FamiliesWithoutCopyFromStdinRefuseLoadsClearly) {
  schema_.write_profiles({}, "risingwave");
  duck_query(
      fmt::format("COPY (SELECT 1 AS id) TO '{}' (FORMAT parquet)", schema_.file("one.parquet")));
  DvtRun run = schema_.dvt({"load", schema_.file("one.parquet"), schema_.endpoint("t")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("dvt cannot load into risingwave"), std::string::npos) << run.err;
}

TEST_F(PostgresConnection, MissingTableIsAConfigurationError) {
  DvtRun run = schema_.dvt({"extract", schema_.endpoint("nope"), "--staging-dir", schema_.dir()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(fmt::format("output 'pg': database 'dvt' has no table or view {}.nope",
                                     schema_.name())),
            std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace dvt::test::pgtest
