// Tier selection at run time (the registry's order, an output's `methods:`,
// forced methods, fallbacks named in the summary) and `dvt debug`, against
// the real servers.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "postgres_support.h"
#include "support/run_dvt.h"
#include "support/services.h"

namespace dvt::test {
namespace {

using pgtest::PgTestSchema;

void write_tool(const std::string& path, const std::string& script) {
  write_file(path, "#!/bin/sh\n" + script + "\n");
  ::chmod(path.c_str(), 0755);
}

// PATH with a fake psql that fails even to print its version, ahead of the
// real tools.
class BrokenPsql {
 public:
  BrokenPsql() {
    write_tool(bin_.file("psql"), "echo 'psql: fatal: cannot start' >&2; exit 3");
    const char* path = std::getenv("PATH");
    path_ = bin_.path() + ":" + (path ? path : "/usr/bin:/bin");
  }
  DvtRunOptions options() const { return {.cwd = "", .environment = {{"PATH", path_}}}; }
  std::string psql() const { return bin_.file("psql"); }

 private:
  TempDir bin_;
  std::string path_;
};

nlohmann::json result_line(const std::string& out) {
  // The JSON log ends with the result object.
  size_t start = out.rfind("\n{", out.size() >= 2 ? out.size() - 2 : 0);
  return nlohmann::json::parse(start == std::string::npos ? out : out.substr(start + 1));
}

TEST(Tiers, AutoTriesTheOutputsOrderAndFallsBackFromABrokenPsqlToNative) {
  PgTestSchema schema("tiers_auto", {"methods: [pipe, native]"});
  schema.db().exec(
      fmt::format("CREATE TABLE {}.t AS SELECT g AS id, 'v' || g AS v "
                  "FROM generate_series(1, 5) g",
                  schema.name()));
  BrokenPsql broken;
  DvtRun extract = schema.dvt(
      {"--log-format", "json", "extract", schema.endpoint("t"), "--staging-dir", schema.dir()},
      broken.options());
  ASSERT_EQ(extract.exit_code, 0) << extract.err << extract.out;
  nlohmann::json result = result_line(extract.out);
  EXPECT_EQ(result["status"], "success");
  EXPECT_EQ(result["rows"], 5);
  EXPECT_EQ(result["method"]["source"], "native");
  ASSERT_EQ(result["fallbacks"].size(), 1u) << result.dump();
  EXPECT_EQ(result["fallbacks"][0],
            fmt::format("pipe -> native: output 'pg': the pipe tier needs psql, which is broken "
                        "({}: exit 3 asking its version: psql: fatal: cannot start); install it "
                        "with: apt-get install postgresql-client",
                        broken.psql()));
  // One warning event for the fallback, with its reason.
  EXPECT_NE(extract.out.find("\"event\":\"tier.fallback\""), std::string::npos) << extract.out;

  // The text summary names the method and the fallback too, for a load.
  DvtRun load =
      schema.dvt({"load", schema.file("t.parquet"), schema.endpoint("t_back")}, broken.options());
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_NE(load.out.find("method: native -> native)"), std::string::npos) << load.out;
  EXPECT_NE(load.out.find("  fallback: pipe -> native: output 'pg': the pipe tier needs psql, "
                          "which is broken"),
            std::string::npos)
      << load.out;
  EXPECT_NE(load.err.find("warning: pipe tier unavailable, using native"), std::string::npos)
      << load.err;
  EXPECT_EQ(pgtest::differing_rows(schema.db(), schema.name() + ".t", schema.name() + ".t_back"),
            0);
}

TEST(Tiers, RegistryOrderPutsNativeFirstSoABrokenPsqlIsNeverAsked) {
  PgTestSchema schema("tiers_default");
  schema.db().exec(fmt::format("CREATE TABLE {}.t AS SELECT 1 AS id", schema.name()));
  BrokenPsql broken;
  DvtRun run = schema.dvt(
      {"--log-format", "json", "extract", schema.endpoint("t"), "--staging-dir", schema.dir()},
      broken.options());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json result = result_line(run.out);
  EXPECT_EQ(result["method"]["source"], "native");
  EXPECT_EQ(result["fallbacks"], nlohmann::json::array());
}

TEST(Tiers, ForcedPipeWithABrokenToolFailsWithExitOne) {
  PgTestSchema schema("tiers_forced");
  schema.db().exec(fmt::format("CREATE TABLE {}.t AS SELECT 1 AS id", schema.name()));
  BrokenPsql broken;
  DvtRun run = schema.dvt(
      {"extract", schema.endpoint("t"), "--staging-dir", schema.dir(), "--method", "pipe"},
      broken.options());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find(fmt::format("dvt: output 'pg': the pipe tier needs psql, which is broken "
                                     "({}: exit 3 asking its version",
                                     broken.psql())),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("apt-get install postgresql-client"), std::string::npos) << run.err;
}

// A forced pipe with the tool absent: exit 1, the tool and its install hint,
// for each database with a pipe tier.
TEST(Tiers, ForcedPipeWithoutTheToolNamesItAndHowToInstallIt) {
  ServerEnv pg = require_server("PG");
  ServerEnv my = require_server("MYSQL");
  ServerEnv ch = require_server("CH");
  TempDir dir;
  write_profiles(dir.path(),
                 fmt::format("test:\n  target: pg\n  outputs:\n"
                             "    pg: {{type: postgres, host: {}, port: {}, user: {}, password: "
                             "\"{}\", dbname: {}}}\n"
                             "    my: {{type: mysql, host: {}, port: {}, user: {}, password: "
                             "\"{}\", database: {}}}\n"
                             "    ch: {{type: clickhouse, host: {}, port: {}, native_port: {}, "
                             "user: {}, password: \"{}\", database: {}}}\n",
                             pg.host, pg.port, pg.user, pg.password, pg.database, my.host, my.port,
                             my.user, my.password, my.database, ch.host, ch.port, ch.native_port,
                             ch.user, ch.password, ch.database));
  TempDir empty;
  struct Case {
    const char* output;
    const char* needs;
    const char* hint;
  };
  for (const Case& c :
       {Case{"pg", "the pipe tier needs psql, which is not in PATH",
             "install it with: apt-get install postgresql-client"},
        Case{"my",
             "the pipe tier needs mysql or mariadb: mysql is not in PATH; mariadb is not in PATH",
             "install it with: apt-get install mariadb-client"},
        Case{"ch",
             "the pipe tier needs clickhouse-client or clickhouse client: clickhouse-client is not "
             "in PATH; clickhouse client is not in PATH",
             "install it with: apt-get install clickhouse-client"}}) {
    DvtRun run =
        run_dvt({"--profiles-dir", dir.path(), "extract", c.output, "--query", "SELECT 1 AS x",
                 "--name", "x", "--staging-dir", dir.path(), "--method", "pipe"},
                {.cwd = "", .environment = {{"PATH", empty.path()}}});
    EXPECT_EQ(run.exit_code, 1) << c.output << ": " << run.err;
    EXPECT_NE(run.err.find(fmt::format("output '{}': {}", c.output, c.needs)), std::string::npos)
        << c.output << ": " << run.err;
    EXPECT_NE(run.err.find(c.hint), std::string::npos) << c.output << ": " << run.err;
    EXPECT_EQ(run.err.find(pg.password), std::string::npos);
  }
}

TEST(Tiers, ATierTheAdapterDoesNotHaveIsAConfigurationError) {
  PgTestSchema schema("tiers_odbc");
  schema.add_output(
      "lite:\n  type: odbc\n  driver: SQLite3\n  database: " + schema.file("lite.db") + "\n");
  DvtRun run =
      schema.dvt({"extract", "lite:t", "--staging-dir", schema.dir(), "--method", "native"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("output 'lite': odbc has no native tier in this build (its tiers: odbc)"),
            std::string::npos)
      << run.err;

  PgTestSchema bad("tiers_badlist", {"methods: [pipe, carrier-pigeon]"});
  DvtRun listed = bad.dvt({"extract", bad.endpoint("t"), "--staging-dir", bad.dir()});
  EXPECT_EQ(listed.exit_code, 2);
  EXPECT_NE(listed.err.find("output 'pg': methods lists 'carrier-pigeon', which is not a tier of "
                            "postgres in this build (its tiers: native, pipe, odbc)"),
            std::string::npos)
      << listed.err;
  EXPECT_NE(listed.err.find("profiles.yml:"), std::string::npos) << listed.err;
}

// --- dvt debug ---

class Debug : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = require_server("PG");
    my_ = require_server("MYSQL");
    ch_ = require_server("CH");
    write_file(dir_.file("lite.db"), "");
    write_profiles(
        dir_.path(),
        fmt::format(
            "test:\n  target: pg\n  outputs:\n"
            "    pg: {{type: postgres, host: {0}, port: {1}, user: {2}, password: \"{3}\", "
            "dbname: {4}}}\n"
            "    pg_wrong: {{type: postgres, host: {0}, port: {1}, user: {2}, password: "
            "\"{5}\", dbname: {4}}}\n"
            "    pg_closed: {{type: postgres, host: 127.0.0.1, port: 1, user: {2}, dbname: {4}}}\n"
            "    my: {{type: mysql, host: {6}, port: {7}, user: {8}, password: \"{9}\", "
            "database: {10}}}\n"
            "    ch: {{type: clickhouse, host: {11}, port: {12}, native_port: {18}, user: {13}, "
            "password: \"{14}\", database: {15}}}\n"
            "    lite: {{type: sqlite, path: {16}}}\n"
            "    gone: {{type: sqlite, path: {17}}}\n",
            pg_.host, pg_.port, pg_.user, pg_.password, pg_.database, kWrongPassword, my_.host,
            my_.port, my_.user, my_.password, my_.database, ch_.host, ch_.port, ch_.user,
            ch_.password, ch_.database, dir_.file("lite.db"), dir_.file("missing.db"),
            ch_.native_port));
  }

  DvtRun debug(std::vector<std::string> args, const DvtRunOptions& options = {}) {
    args.insert(args.begin(), {"--profiles-dir", dir_.path(), "debug"});
    return run_dvt(args, options);
  }

  static const nlohmann::json& output(const nlohmann::json& report, const std::string& name) {
    for (const auto& entry : report["outputs"]) {
      if (entry["output"] == name) return entry;
    }
    throw std::runtime_error("no output " + name);
  }

  static constexpr const char* kWrongPassword = "not-the-password-4711";
  ServerEnv pg_, my_, ch_;
  TempDir dir_;
};

TEST_F(Debug, ChecksEveryOutputByEveryTierAndExplainsFailures) {
  DvtRun run = debug({"--json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // pg_wrong, pg_closed and gone have no working tier
  nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["profile"], "test");
  EXPECT_EQ(report["ok"], false);
  ASSERT_EQ(report["outputs"].size(), 7u);

  const auto& pg = output(report, "pg");
  EXPECT_EQ(pg["ok"], true);
  ASSERT_EQ(pg["tiers"].size(), 3u);
  EXPECT_EQ(pg["tiers"][0]["tier"], "native");
  EXPECT_EQ(pg["tiers"][0]["status"], "ok");
  EXPECT_EQ(pg["tiers"][0]["detail"].get<std::string>().rfind("PostgreSQL 15.", 0), 0u)
      << pg.dump();
  EXPECT_EQ(pg["tiers"][1]["tier"], "pipe");
  EXPECT_EQ(pg["tiers"][1]["status"], "ok");
  EXPECT_EQ(pg["tiers"][1]["detail"], pg["tiers"][0]["detail"]);
  // psqlODBC says what it is and which server it reached.
  EXPECT_EQ(pg["tiers"][2]["tier"], "odbc");
  EXPECT_EQ(pg["tiers"][2]["status"], "ok") << pg.dump();
  EXPECT_EQ(pg["tiers"][2]["detail"].get<std::string>().rfind("PostgreSQL 15.", 0), 0u)
      << pg.dump();
  EXPECT_NE(pg["tiers"][2]["detail"].get<std::string>().find("through psqlodbcw.so"),
            std::string::npos)
      << pg.dump();

  const auto& wrong = output(report, "pg_wrong");
  EXPECT_EQ(wrong["ok"], false);
  for (const auto& tier : wrong["tiers"]) {
    EXPECT_EQ(tier["status"], "failed") << tier.dump();
    EXPECT_NE(tier["error"].get<std::string>().find("password authentication failed for user"),
              std::string::npos)
        << tier.dump();
    EXPECT_EQ(tier["fix"].get<std::string>().rfind("check user and password of the output at ", 0),
              0u)
        << tier.dump();
  }
  EXPECT_EQ(run.out.find(kWrongPassword), std::string::npos);
  EXPECT_EQ(run.err.find(kWrongPassword), std::string::npos);
  EXPECT_EQ(run.out.find(pg_.password), std::string::npos);

  const auto& closed = output(report, "pg_closed");
  EXPECT_EQ(closed["tiers"][0]["status"], "failed");
  EXPECT_EQ(closed["tiers"][0]["fix"].get<std::string>().rfind(
                "check host and port of the output at ", 0),
            0u)
      << closed.dump();

  const auto& my = output(report, "my");
  EXPECT_EQ(my["ok"], true);
  EXPECT_EQ(my["tiers"][0]["status"], "ok");
  EXPECT_NE(my["tiers"][0]["detail"].get<std::string>().find("MariaDB"), std::string::npos);
  EXPECT_EQ(my["tiers"][1]["status"], "ok");
  EXPECT_EQ(my["tiers"][1]["detail"], my["tiers"][0]["detail"]);
  EXPECT_EQ(my["tiers"][2]["tier"], "odbc");
  EXPECT_NE(my["tiers"][2]["detail"].get<std::string>().find("through libmaodbc.so"),
            std::string::npos)
      << my.dump();

  const auto& ch = output(report, "ch");
  EXPECT_EQ(ch["ok"], true);
  EXPECT_EQ(ch["tiers"][0]["detail"].get<std::string>().rfind("ClickHouse 18.16.", 0), 0u)
      << ch.dump();
  EXPECT_EQ(ch["tiers"][1]["status"], "ok");
  EXPECT_EQ(ch["tiers"][1]["detail"], ch["tiers"][0]["detail"]);

  const auto& lite = output(report, "lite");
  EXPECT_EQ(lite["ok"], true);
  ASSERT_EQ(lite["tiers"].size(), 1u);
  EXPECT_EQ(lite["tiers"][0]["detail"].get<std::string>().find(" (0 tables)"),
            lite["tiers"][0]["detail"].get<std::string>().size() - 11);

  const auto& gone = output(report, "gone");
  EXPECT_EQ(gone["tiers"][0]["status"], "failed");
  EXPECT_EQ(
      gone["tiers"][0]["error"],
      fmt::format("output 'gone': SQLite database {} does not exist", dir_.file("missing.db")));
}

TEST_F(Debug, OneOutputAndAMissingToolWithItsInstallHint) {
  TempDir empty;
  DvtRun run = debug({"--output", "pg"}, {.cwd = "", .environment = {{"PATH", empty.path()}}});
  EXPECT_EQ(run.exit_code, 0) << run.err;  // native works, so the output works
  EXPECT_NE(run.out.find("pg               postgres     native   ok           PostgreSQL 15."),
            std::string::npos)
      << run.out;
  EXPECT_NE(
      run.out.find("pg               postgres     pipe     unavailable  output 'pg': the pipe "
                   "tier needs psql, which is not in PATH; install it with: apt-get install "
                   "postgresql-client"),
      std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("pg_wrong"), std::string::npos);
  EXPECT_NE(run.out.find("every output has a working tier"), std::string::npos);

  DvtRun wrong = debug({"--output", "pg_wrong"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.out.find("fix: check user and password of the output at "), std::string::npos)
      << wrong.out;

  DvtRun unknown = debug({"--output", "nope"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("has no output named 'nope' (outputs: ch, gone, lite, my, pg, "
                             "pg_closed, pg_wrong)"),
            std::string::npos)
      << unknown.err;
}

}  // namespace
}  // namespace dvt::test
