// dvt sync: tools found, missing, broken, their versions and install hints.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/run_dvt.h"

namespace dvt::test {
namespace {

void write_tool(const std::string& path, const std::string& script) {
  write_file(path, "#!/bin/sh\n" + script + "\n");
  ::chmod(path.c_str(), 0755);
}

class Sync : public ::testing::Test {
 protected:
  void SetUp() override {
    ::mkdir(bin_.c_str(), 0755);
    write_file(dir_.file("profiles.yml"), R"(p:
  target: pg
  outputs:
    pg: {type: postgres, host: h, user: u, dbname: d, password: not-shown-anywhere}
    my: {type: mariadb, host: h, user: u}
    ch: {type: clickhouse, host: h}
    lite: {type: sqlite, path: x.db}
)");
  }

  DvtRun sync(std::vector<std::string> args, const std::string& path) {
    args.insert(args.begin(), {"--profiles-dir", dir_.path(), "sync"});
    return run_dvt(args, {.cwd = dir_.path(), .environment = {{"PATH", path}}});
  }

  static const nlohmann::json& adapter(const nlohmann::json& report, const std::string& name) {
    for (const auto& entry : report["adapters"]) {
      if (entry["adapter"] == name) return entry;
    }
    throw std::runtime_error("no adapter " + name);
  }

  static const nlohmann::json& tier(const nlohmann::json& entry, const std::string& tier,
                                    const std::string& tool) {
    for (const auto& item : entry["tiers"]) {
      if (item["tier"] == tier && item["tool"] == tool) return item;
    }
    throw std::runtime_error("no tier " + tier + " " + tool);
  }

  TempDir dir_;
  std::string bin_ = dir_.file("bin");
};

TEST_F(Sync, ReportsFoundMissingAndBrokenToolsWithVersions) {
  write_tool(bin_ + "/psql", "echo 'psql (PostgreSQL) 16.4 (Fake 16.4-1)'");
  write_tool(bin_ + "/clickhouse-client", "echo 'Code: 0, something is off' >&2; exit 3");
  write_tool(bin_ + "/odbcinst",
             "printf '[PostgreSQL Unicode]\\n[MariaDB ODBC 3.1 Driver]\\n[Oracle 21 ODBC]\\n'");
  DvtRun run = sync({"--json", "--platform", "debian"}, bin_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json report = nlohmann::json::parse(run.out);
  EXPECT_EQ(report["profile"], "p");
  EXPECT_EQ(report["platform"], "debian");
  ASSERT_EQ(report["adapters"].size(), 4u);

  const auto& pg = adapter(report, "postgres");
  EXPECT_EQ(pg["outputs"], nlohmann::json::array({"pg"}));
  const auto& psql = tier(pg, "pipe", "psql");
  EXPECT_EQ(psql["status"], "found");
  EXPECT_EQ(psql["version"], "16.4");
  EXPECT_EQ(psql["path"], bin_ + "/psql");
  EXPECT_EQ(tier(pg, "native", "libpq")["status"], "built-in");
  EXPECT_FALSE(pg.contains("install"));
  EXPECT_EQ(tier(pg, "odbc", "PostgreSQL Unicode")["status"], "found");

  const auto& my = adapter(report, "mysql");
  EXPECT_EQ(my["outputs"], nlohmann::json::array({"my"}));
  EXPECT_EQ(tier(my, "pipe", "mysql")["status"], "missing");
  EXPECT_EQ(tier(my, "pipe", "mariadb")["status"], "missing");
  EXPECT_EQ(my["install"],
            (nlohmann::json{{"debian", "apt-get install mariadb-client"},
                            {"docs", "https://mariadb.com/kb/en/mariadb-command-line-client/"}}));

  const auto& ch = adapter(report, "clickhouse");
  const auto& broken = tier(ch, "pipe", "clickhouse-client");
  EXPECT_EQ(broken["status"], "broken");
  EXPECT_EQ(broken["detail"], "exit 3 asking its version: Code: 0, something is off");
  EXPECT_EQ(tier(ch, "pipe", "clickhouse client")["status"], "missing");
  EXPECT_EQ(ch["install"]["debian"], "apt-get install clickhouse-client");

  EXPECT_EQ(report["odbc"]["odbcinst"], true);
  EXPECT_EQ(report["odbc"]["drivers"],
            nlohmann::json::parse(R"([{"name": "PostgreSQL Unicode", "outputs": ["pg"]},
                                      {"name": "MariaDB ODBC 3.1 Driver", "outputs": ["my"]},
                                      {"name": "Oracle 21 ODBC", "outputs": []}])"));
  EXPECT_EQ(run.out.find("not-shown-anywhere"), std::string::npos);
}

TEST_F(Sync, AllPlatformsListsEveryHint) {
  DvtRun run = sync({"--json", "--all-platforms"}, bin_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json report = nlohmann::json::parse(run.out);
  const auto& install = adapter(report, "postgres")["install"];
  EXPECT_EQ(install["macos"], "brew install libpq && brew link --force libpq");
  EXPECT_EQ(install["debian"], "apt-get install postgresql-client");
  EXPECT_EQ(install["rhel"], "dnf install postgresql");
  EXPECT_EQ(install["alpine"], "apk add postgresql-client");
  EXPECT_EQ(report["odbc"]["odbcinst"], false);
  EXPECT_EQ(report["odbc"]["install"]["debian"], "apt-get install unixodbc odbcinst");
}

TEST_F(Sync, TextReportShowsTableAndOnlyThisPlatformsHints) {
  write_tool(bin_ + "/psql", "echo 'psql (PostgreSQL) 16.4'");
  DvtRun run = sync({"--platform", "macos"}, bin_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::regex psql_row(R"(\npostgres +pipe +psql +found +16\.4 +(\S+) +pg\n)");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(run.out, match, psql_row)) << run.out;
  EXPECT_EQ(match[1].str(), bin_ + "/psql");
  EXPECT_NE(run.out.find("mysql pipe tier (macos): brew install mysql-client"), std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("apt-get"), std::string::npos) << run.out;
}

TEST_F(Sync, OdbcTiersNameTheirDriversAndHowToInstallAMissingOne) {
  write_file(dir_.file("profiles.yml"), R"(p:
  target: pg
  outputs:
    pg: {type: postgres, host: h, user: u, dbname: d}
    wh: {type: odbc, driver: Acme Warehouse, dialect: postgres}
    lite: {type: odbc, driver: SQLite3, database: x.db}
)");
  write_tool(bin_ + "/odbcinst", "if [ \"$2\" = -d ]; then printf '[SQLite3]\\n'; fi");
  DvtRun run = sync({"--json", "--platform", "debian"}, bin_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json report = nlohmann::json::parse(run.out);
  const auto& pg = adapter(report, "postgres");
  EXPECT_EQ(tier(pg, "odbc", "ODBC driver")["status"], "missing");
  EXPECT_EQ(pg["odbc_install"]["debian"], "apt-get install odbc-postgresql");
  const auto& odbc = adapter(report, "odbc");
  EXPECT_EQ(tier(odbc, "odbc", "Acme Warehouse")["status"], "missing");
  EXPECT_EQ(tier(odbc, "odbc", "Acme Warehouse")["output"], "wh");
  EXPECT_EQ(tier(odbc, "odbc", "SQLite3")["status"], "found");
  EXPECT_EQ(report["odbc"]["drivers"],
            nlohmann::json::parse(R"([{"name": "SQLite3", "outputs": ["lite"]}])"));
}

TEST_F(Sync, RealToolsReportTheirRealVersions) {
  const char* path = std::getenv("PATH");
  DvtRun psql_run = run_dvt({"--profiles-dir", dir_.path(), "sync", "--json"});
  ASSERT_EQ(psql_run.exit_code, 0) << psql_run.err;
  nlohmann::json report = nlohmann::json::parse(psql_run.out);
  // The versions the tools print themselves, read independently of dvt.
  auto version_of = [](const std::string& command, const std::string& pattern) {
    std::string output;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    char buffer[512];
    while (pipe && std::fgets(buffer, sizeof(buffer), pipe)) output += buffer;
    if (pipe) ::pclose(pipe);
    std::smatch match;
    EXPECT_TRUE(std::regex_search(output, match, std::regex(pattern))) << output;
    return match[1].str();
  };
  ASSERT_NE(path, nullptr);
  EXPECT_EQ(tier(adapter(report, "postgres"), "pipe", "psql")["version"],
            version_of("psql --version", R"(\(PostgreSQL\) ([0-9.]+))"));
  EXPECT_EQ(tier(adapter(report, "mysql"), "pipe", "mysql")["version"],
            version_of("mysql --version", R"(Distrib ([0-9.]+))"));
}

TEST_F(Sync, BadProfileExitsTwo) {
  write_file(dir_.file("profiles.yml"), "p:\n  outputs:\n    x: {type: nosuch}\n");
  DvtRun run = sync({}, bin_);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unknown adapter type 'nosuch'"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace dvt::test
