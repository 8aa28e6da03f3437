// A load into MySQL that fails half-way, or is stopped with Ctrl-C, leaves the
// target exactly as it was, by each way rows can go in: LOAD DATA streamed
// from memory (native), LOAD DATA through the client (pipe), and the INSERT
// batches of the fallback (insert: an output with `local_infile: false`,
// which needs no change to the server).
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "integration/mysql_support.h"
#include "support/embedded.h"
#include "support/run_dvt.h"

namespace dvt::test {
namespace {

constexpr int kRows = 250'000;
// The failing row: late enough that the server has stored many rows (about
// 20 LOAD DATA blocks of 512 KiB, or a full 8 MiB INSERT statement) first.
constexpr int kBadRow = 249'000;

class MysqlAtomicity : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "insert") {
      write_mysql_profiles(dir_.path(), {"local_infile: false"});
    } else {
      write_mysql_profiles(dir_.path());
    }
  }
  std::string table(const std::string& base) const { return "at_" + base + "_" + GetParam(); }
  std::string method() const { return GetParam() == "insert" ? "native" : GetParam(); }

  // A table with two rows the failed loads must leave alone.
  void create_target(const std::string& target) {
    db_.exec("DROP TABLE IF EXISTS `" + target + "`");
    db_.exec("CREATE TABLE `" + target + "` (id INT PRIMARY KEY, v VARCHAR(40))");
    db_.exec("INSERT INTO `" + target + "` VALUES (1, 'old one'), (2, 'old two')");
  }
  std::string contents(const std::string& target) {
    return db_.value(
        "SELECT CONCAT(COUNT(*), ':', GROUP_CONCAT(CONCAT(id, '=', v) ORDER BY id)) "
        "FROM `" +
        target + "`");
  }
  std::string leftover_tables(const std::string& target) {
    return db_.value(
        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
        "TABLE_NAME LIKE '" +
        target + "\\_\\_dvt%'");
  }
  DvtRun load(const std::string& parquet, const std::string& target,
              const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"load", parquet, "my:" + target, "--method", method()};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_dvt_in(dir_.path(), args);
  }

  TempDir dir_;
  MysqlTestConnection db_;
};

// Row kBadRow holds 41 characters for a VARCHAR(40): the server refuses it
// (a warning under LOAD DATA, which dvt turns into an error; an error under
// the INSERT batches' strict sql_mode) after storing every row before it.
TEST_P(MysqlAtomicity, ServerRejectingALateRowLeavesTargetUnchanged) {
  const std::string target = table("late");
  create_target(target);
  const std::string before = contents(target);
  ASSERT_EQ(before, "2:1=old one,2=old two");
  duck_query("COPY (SELECT i + 10 AS id, CASE WHEN i = " + std::to_string(kBadRow) +
             " THEN repeat('z', 41) ELSE repeat('v', 30) || i END AS v FROM range(1, " +
             std::to_string(kRows + 1) + ") t(i)) TO '" + dir_.file("late.parquet") +
             "' (FORMAT parquet)");
  for (const std::vector<std::string>& flags : {std::vector<std::string>{}, {"--mode", "append"}}) {
    const std::string mode = flags.empty() ? "overwrite" : "append";
    DvtRun run = load(dir_.file("late.parquet"), target, flags);
    EXPECT_EQ(run.exit_code, 1) << mode << ": " << run.out;
    EXPECT_NE(run.err.find("for column 'v' at row"), std::string::npos) << mode << ": " << run.err;
    EXPECT_NE(run.err.find("nothing was changed"), std::string::npos) << mode << ": " << run.err;
    EXPECT_EQ(contents(target), before) << mode;
    EXPECT_EQ(leftover_tables(target), "0") << mode;
  }
}

// --full-refresh creates its table from the incoming columns (no VARCHAR
// limit), so the late failure is one dvt finds itself: a date MySQL cannot
// hold, after kBadRow - 1 rows have gone to the server.
TEST_P(MysqlAtomicity, LateFailureOfAFullRefreshLeavesTheOldTable) {
  const std::string target = table("refresh");
  create_target(target);
  const std::string before = contents(target);
  duck_query(
      "COPY (SELECT i AS id, repeat('v', 30) AS v, CASE WHEN i = " + std::to_string(kBadRow) +
      " THEN DATE '10000-01-01' ELSE DATE '2024-01-01' END AS d FROM range(1, " +
      std::to_string(kRows + 1) + ") t(i)) TO '" + dir_.file("refresh.parquet") +
      "' (FORMAT parquet)");
  DvtRun run = load(dir_.file("refresh.parquet"), target, {"--full-refresh"});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.err.find("row " + std::to_string(kBadRow) +
                         " column \"d\": year 10000 is outside MySQL's 0000-9999"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(contents(target), before);
  EXPECT_EQ(db_.value("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM "
                      "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
                      "TABLE_NAME = '" +
                      target + "'"),
            "id,v");
  EXPECT_EQ(leftover_tables(target), "0");
}

// Ctrl-C while rows flow: exit 130, the target as it was, no shadow left.
TEST_P(MysqlAtomicity, CtrlCDuringTheLoadLeavesTargetUnchanged) {
  const std::string target = table("interrupted");
  duck_query("COPY (SELECT i AS id, repeat('w', 30) || i AS v FROM range(100, 1000100) t(i)) TO '" +
             dir_.file("many.parquet") + "' (FORMAT parquet)");
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{}, {"--mode", "append"}, {"--full-refresh"}}) {
    const std::string mode = flags.empty() ? "overwrite" : flags[0];
    create_target(target);
    const std::string before = contents(target);
    std::vector<std::string> args = {
        "--profiles-dir", dir_.path(), "load",  dir_.file("many.parquet"),
        "my:" + target,   "--method",  method()};
    args.insert(args.end(), flags.begin(), flags.end());
    DvtRunOptions options;
    options.environment.emplace_back("DVT_TEST_MYSQL_PASSWORD", mysql_server().password);
    options.interrupt_after_ms = 700;
    LocalInfileLock lock;
    DvtRun run = run_dvt(args, options);
    EXPECT_EQ(run.exit_code, 130) << mode << ": " << run.out << run.err;
    EXPECT_EQ(contents(target), before) << mode;
    EXPECT_EQ(leftover_tables(target), "0") << mode;
  }
}

// The server session that stores the rows is killed while they flow (for
// the pipe tier: the client's session): exit 1, the target as it was, and
// no shadow table left, although the session that created it is gone.
TEST_P(MysqlAtomicity, KilledSessionDuringTheLoadLeavesTargetUnchanged) {
  const std::string target = table("killed");
  duck_query("COPY (SELECT i AS id, repeat('k', 30) || i AS v FROM range(100, 1000100) t(i)) TO '" +
             dir_.file("many.parquet") + "' (FORMAT parquet)");
  // The statement that stores rows names the target (append in place) or
  // its shadow (overwrite, and the pipe tier's staged append).
  const std::string statement = GetParam() == "insert" ? "INSERT INTO `" : "LOAD DATA LOCAL INFILE";
  for (const std::vector<std::string>& flags : {std::vector<std::string>{}, {"--mode", "append"}}) {
    const std::string mode = flags.empty() ? "overwrite" : "append";
    // The statement seen may be the load's last one, which can end before
    // the KILL arrives (on a busy machine the INSERT tier's last statement
    // is a sixth of the load). Such a run must have loaded every row, and is
    // tried again; one of three attempts must kill the load mid-way.
    int attempts = 0;
    bool killed_mid_load = false;
    while (!killed_mid_load && attempts < 3) {
      ++attempts;
      create_target(target);
      const std::string before = contents(target);
      std::future<DvtRun> running = std::async(
          std::launch::async, [&] { return load(dir_.file("many.parquet"), target, flags); });
      // Until the load ends: it may first wait for the local_infile test lock
      // (LocalInfileLock) while another test's load holds it.
      bool seen = false;
      bool killed = false;
      while (!seen &&
             running.wait_for(std::chrono::milliseconds(25)) != std::future_status::ready) {
        MysqlTestRows sessions = db_.query(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO "
            "LIKE '" +
            statement + "%" + target + "%'");
        if (!sessions.empty() && sessions[0][0]) {
          seen = true;
          // Fails with "Unknown thread id" when the session has just ended.
          killed = mysql_query(db_.get(), ("KILL CONNECTION " + *sessions[0][0]).c_str()) == 0;
        }
      }
      DvtRun run = running.get();
      ASSERT_TRUE(seen) << mode << ": the load's statement never showed";
      if (run.exit_code == 0) {
        // Killed too late, or the session was gone: the load is complete.
        EXPECT_EQ(db_.value("SELECT CONCAT(COUNT(*), ' ', SUM(id)) FROM `" + target + "`"),
                  mode == "append" ? "1000002 500099500003" : "1000000 500099500000")
            << mode << " (attempt " << attempts << ", kill " << (killed ? "sent" : "refused")
            << ")";
        EXPECT_EQ(leftover_tables(target), "0") << mode;
        continue;
      }
      killed_mid_load = true;
      EXPECT_TRUE(killed) << mode;
      EXPECT_EQ(run.exit_code, 1) << mode << ": " << run.out << run.err;
      EXPECT_EQ(contents(target), before) << mode;
      EXPECT_EQ(leftover_tables(target), "0") << mode << ": " << run.err;
    }
    EXPECT_TRUE(killed_mid_load) << mode << ": all " << attempts
                                 << " kills came after the load had ended";
  }
}

INSTANTIATE_TEST_SUITE_P(Ways, MysqlAtomicity, ::testing::Values("native", "pipe", "insert"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dvt::test
