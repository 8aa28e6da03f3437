// Ctrl-C during a load leaves the target exactly as it was and no temp file.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "support/embedded.h"
#include "support/run_dvt.h"

namespace dvt::test {
namespace {

class Interrupt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    sqlite_exec(dir_->file("big.db"), R"(
      CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(12,2), ts TIMESTAMP);
      WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000000)
      INSERT INTO t SELECT i, 'name-' || i, printf('%d.%02d', i % 100000, i % 100),
        datetime(1700000000 + i, 'unixepoch') FROM c;
    )");
    sqlite_exec(dir_->file("target.db"), R"(
      CREATE TABLE target (id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(12,2), ts TIMESTAMP);
      INSERT INTO target VALUES (1, 'old', '1.00', '2000-01-01 00:00:00');
    )");
    write_file(dir_->file("profiles.yml"),
               fmt::format("p:\n  outputs:\n    lite:\n      type: sqlite\n      path: {}\n    "
                           "wh:\n      type: duckdb\n"
                           "      path: {}\n    dest:\n      type: sqlite\n      path: {}\n",
                           dir_->file("big.db"), dir_->file("wh.duckdb"), dir_->file("target.db")));
  }
  static void TearDownTestSuite() { delete dir_; }

  DvtRun interrupted(std::vector<std::string> args) {
    args.insert(args.begin(), {"--profiles-dir", dir_->path()});
    return run_dvt(args, {.cwd = dir_->path(), .environment = {}, .interrupt_after_ms = 600});
  }

  static TempDir* dir_;
};

TempDir* Interrupt::dir_ = nullptr;

TEST_F(Interrupt, SqliteTargetKeepsItsRows) {
  DvtRun run = interrupted({"copy", "lite:t", "dest:target"});
  EXPECT_EQ(run.exit_code, 130) << run.err;
  EXPECT_EQ(run.err, "dvt: interrupted\n");
  EXPECT_EQ(sqlite_query(dir_->file("target.db"), "SELECT id, name FROM target"),
            (Rows{{"1", "old"}}));
}

TEST_F(Interrupt, DuckDbTargetKeepsItsRows) {
  ASSERT_EQ(run_dvt({"--profiles-dir", dir_->path(), "copy", "dest:target", "wh:target"}).exit_code,
            0);
  DvtRun run = interrupted({"copy", "lite:t", "wh:target"});
  EXPECT_EQ(run.exit_code, 130) << run.err;
  EXPECT_EQ(duck_query(fmt::format("ATTACH '{}' AS wh (READ_ONLY); SELECT id, name FROM wh.target",
                                   dir_->file("wh.duckdb"))),
            (Rows{{"1", "old"}}));
}

TEST_F(Interrupt, ParquetTargetLeavesNoFile) {
  std::string out = dir_->file("out.parquet");
  DvtRun run = interrupted({"copy", "lite:t", out});
  EXPECT_EQ(run.exit_code, 130) << run.err;
  for (const auto& entry : std::filesystem::directory_iterator(dir_->path())) {
    EXPECT_EQ(entry.path().string().find("out.parquet"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace dvt::test
