// The psql pipe tier: forced, chosen as a fallback, missing, and never
// showing the password on any process's command line.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "integration/postgres_support.h"
#include "support/embedded.h"

namespace dvt::test::pgtest {
namespace {

class PostgresPipe : public ::testing::Test {
 protected:
  PostgresPipe() : schema_("pipe") {
    schema_.db().exec(
        fmt::format("CREATE TABLE {0}.t (id int PRIMARY KEY, name text); INSERT INTO {0}.t SELECT "
                    "g, 'name ' || g FROM "
                    "generate_series(1, 3) g",
                    schema_.name()));
  }

  PgTestSchema schema_;
};

// The command lines (arguments joined by spaces) of `root` and all its
// descendants: what any user on the machine could read in /proc.
std::vector<std::string> family_command_lines(pid_t root) {
  std::map<pid_t, pid_t> parent;
  std::map<pid_t, std::string> command;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    std::string name = entry.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(name);
    std::ifstream stat(entry.path() / "stat");
    std::string stat_line;
    std::getline(stat, stat_line);
    size_t close = stat_line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat_line.substr(close + 2));
    char state;
    pid_t ppid = 0;
    fields >> state >> ppid;
    parent[pid] = ppid;
    std::ifstream file(entry.path() / "cmdline", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    for (auto& c : text) {
      if (c == '\0') c = ' ';
    }
    command[pid] = text;
  }
  std::vector<std::string> lines;
  for (const auto& [pid, text] : command) {
    for (pid_t p = pid; p > 1; p = parent.count(p) ? parent[p] : 0) {
      if (p == root) {
        lines.push_back(text);
        break;
      }
    }
  }
  return lines;
}

TEST_F(PostgresPipe, NoCommandLineShowsThePasswordWhilePsqlRuns) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {0}.big AS SELECT g AS id, repeat('x', 40) || g AS name FROM "
                  "generate_series(1, 400000) g",
                  schema_.name()));
  const std::string password = pg_env().password;
  for (const char* command : {"extract", "load"}) {
    std::vector<std::string> args = {"--profiles-dir", schema_.dir()};
    if (std::string(command) == "extract") {
      args.insert(args.end(), {"extract", schema_.endpoint("big"), "--staging-dir", schema_.dir(),
                               "--method", "pipe"});
    } else {
      args.insert(args.end(), {"load", schema_.file("big.parquet"), schema_.endpoint("big_copy"),
                               "--method", "pipe"});
    }
    pid_t pid = spawn_dvt(args, schema_.dir());
    bool psql_seen = false;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      for (const auto& line : family_command_lines(pid)) {
        EXPECT_EQ(line.find(password), std::string::npos) << command << ": " << line;
        // Debian's /usr/bin/psql is a wrapper that execs .../bin/psql.
        std::string program = line.substr(0, line.find(' '));
        if (program.ends_with("psql") && line.find("ON_ERROR_STOP") != std::string::npos)
          psql_seen = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << command << ": " << read_file(schema_.file("spawned.err"));
    EXPECT_TRUE(psql_seen) << command << ": the scan never saw psql running";
  }
  EXPECT_EQ(schema_.db().value(fmt::format("SELECT count(*) FROM {}.big_copy", schema_.name())),
            "400000");
}

TEST_F(PostgresPipe, ForcedPipeWithoutPsqlNamesPsqlAndHowToInstallIt) {
  TempDir empty_path;
  DvtRunOptions no_psql{.cwd = "", .environment = {{"PATH", empty_path.path()}}};
  DvtRun run = schema_.dvt(
      {"extract", schema_.endpoint("t"), "--staging-dir", schema_.dir(), "--method", "pipe"},
      no_psql);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("the pipe tier needs psql, which is not in PATH"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("apt-get install postgresql-client"), std::string::npos) << run.err;
}

TEST_F(PostgresPipe, AutoFallsBackToThePipeAndSaysWhy) {
  DvtRunOptions broken{.cwd = "", .environment = {{"DVT_TEST_BREAK_TIER", "native"}}};
  DvtRun extract =
      schema_.dvt({"extract", schema_.endpoint("t"), "--staging-dir", schema_.dir()}, broken);
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_NE(extract.out.find("method: pipe -> native"), std::string::npos) << extract.out;
  EXPECT_NE(extract.out.find(
                "fallback: native -> pipe: the native tier is disabled by DVT_TEST_BREAK_TIER"),
            std::string::npos)
      << extract.out;
  EXPECT_NE(extract.err.find("warning: native tier unavailable, using pipe"), std::string::npos)
      << extract.err;

  DvtRun load =
      schema_.dvt({"load", schema_.file("t.parquet"), schema_.endpoint("t_back")}, broken);
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_NE(load.out.find("method: native -> pipe"), std::string::npos) << load.out;
  EXPECT_EQ(differing_rows(schema_.db(), schema_.name() + ".t", schema_.name() + ".t_back"), 0);
}

TEST_F(PostgresPipe, ForcedNativeDoesNotFallBack) {
  DvtRunOptions broken{.cwd = "", .environment = {{"DVT_TEST_BREAK_TIER", "native"}}};
  DvtRun run = schema_.dvt(
      {"extract", schema_.endpoint("t"), "--staging-dir", schema_.dir(), "--method", "native"},
      broken);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("the native tier is disabled by DVT_TEST_BREAK_TIER"), std::string::npos)
      << run.err;
}

TEST_F(PostgresPipe, AutoWithoutPsqlReportsEveryTier) {
  TempDir empty_path;
  DvtRunOptions nothing{
      .cwd = "",
      .environment = {{"PATH", empty_path.path()}, {"DVT_TEST_BREAK_TIER", "native,odbc"}}};
  DvtRun run =
      schema_.dvt({"extract", schema_.endpoint("t"), "--staging-dir", schema_.dir()}, nothing);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("warning: native tier unavailable, using pipe"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("apt-get install postgresql-client"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("the odbc tier is disabled by DVT_TEST_BREAK_TIER"), std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace dvt::test::pgtest
