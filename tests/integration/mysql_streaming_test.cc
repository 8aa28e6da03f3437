// Streaming with MySQL: memory does not grow with the rows, and a job that
// stops early (error, Ctrl-C) leaves nothing behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "integration/mysql_support.h"
#include "support/embedded.h"
#include "support/run_dvt.h"

namespace dvt::test {
namespace {

constexpr int kRows = 1'000'000;

// A table of kRows mixed rows (built once per server; the sequence engine
// makes it in a few seconds).
void ensure_big_table(MysqlTestConnection& db) {
  // Tests run in parallel must not build it twice.
  if (db.value("SELECT GET_LOCK('dvt_test_st_big', 600)") != "1") {
    throw std::runtime_error("could not take the st_big test lock");
  }
  struct Release {
    MysqlTestConnection& db;
    ~Release() {
      try {
        db.exec("DO RELEASE_LOCK('dvt_test_st_big')");
      } catch (...) {
      }
    }
  } release{db};
  if (db.value("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
               "AND TABLE_NAME = 'st_big'") == "1" &&
      db.value("SELECT COUNT(*) FROM `st_big`") == std::to_string(kRows)) {
    return;
  }
  db.exec("DROP TABLE IF EXISTS `st_big`");
  db.exec(
      "CREATE TABLE `st_big` (id BIGINT PRIMARY KEY, i INT, d DECIMAL(12,2), f DOUBLE, "
      "s VARCHAR(64), t DATETIME(6), dt DATE, b TINYINT(1))");
  db.exec(
      "INSERT INTO `st_big` SELECT seq, seq * 7 % 1000003, (seq % 1000000) / 100, seq / 3.0e0, "
      "CONCAT('name-', seq, '-', LEFT(MD5(seq), 16)), TIMESTAMP'2020-01-01 00:00:00' + "
      "INTERVAL seq SECOND, DATE'2000-01-01' + INTERVAL (seq % 9000) DAY, seq % 2 FROM seq_1_to_" +
      std::to_string(kRows));
}

// A table of 64 rows of 2 MB documents (128 MB), built once per server.
constexpr int kWideRows = 64;

void ensure_wide_table(MysqlTestConnection& db) {
  if (db.value("SELECT GET_LOCK('dvt_test_st_wide', 600)") != "1") {
    throw std::runtime_error("could not take the st_wide test lock");
  }
  struct Release {
    MysqlTestConnection& db;
    ~Release() {
      try {
        db.exec("DO RELEASE_LOCK('dvt_test_st_wide')");
      } catch (...) {
      }
    }
  } release{db};
  if (db.value("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
               "AND TABLE_NAME = 'st_wide'") == "1" &&
      db.value("SELECT COUNT(*) FROM `st_wide`") == std::to_string(kWideRows)) {
    return;
  }
  db.exec("DROP TABLE IF EXISTS `st_wide`");
  db.exec("CREATE TABLE `st_wide` (id INT PRIMARY KEY, doc LONGTEXT, bytes LONGBLOB)");
  db.exec(
      "INSERT INTO `st_wide` SELECT seq, REPEAT(CONCAT(CHAR(97 + seq % 26), 'é'), 500000), "
      "REPEAT(UNHEX('00FF'), 250000) FROM seq_1_to_" +
      std::to_string(kWideRows));
}

class MysqlStreaming : public ::testing::TestWithParam<std::string> {};

// Rows of large values: memory is bounded by bytes, not by rows (chunks end
// at 2 MiB in the reader, Parquet row groups at 16 MB, a load's stream holds
// one chunk). Four times the data must not need more memory.
TEST_P(MysqlStreaming, WideRowsKeepPeakRssFlat) {
  MysqlTestConnection db;
  ensure_wide_table(db);
  TempDir dir;
  write_mysql_profiles(dir.path());
  const std::string target = "st_wide_back_" + GetParam();
  auto extract_and_load = [&](int rows) {
    const std::string name = "wide" + std::to_string(rows);
    DvtRun extract = run_dvt_in(
        dir.path(), {"-q", "extract", "my:st_wide", "--staging-dir", dir.path(), "--name", name,
                     "--where", "id <= " + std::to_string(rows), "--method", GetParam()});
    EXPECT_EQ(extract.exit_code, 0) << extract.err;
    DvtRun load = run_dvt_in(dir.path(), {"-q", "load", dir.file(name + ".parquet"), "my:" + target,
                                          "--method", GetParam()});
    EXPECT_EQ(load.exit_code, 0) << load.err;
    return std::pair{extract.peak_rss_kb, load.peak_rss_kb};
  };
  auto [small_extract, small_load] = extract_and_load(kWideRows / 4);
  auto [large_extract, large_load] = extract_and_load(kWideRows);
  std::printf("wide rows peak RSS (%s): extract %ld -> %ld KiB, load %ld -> %ld KiB\n",
              GetParam().c_str(), small_extract, large_extract, small_load, large_load);
  EXPECT_EQ(db.value("SELECT CONCAT(COUNT(*), ' ', SUM(LENGTH(doc)), ' ', SUM(LENGTH(bytes))) FROM "
                     "`" +
                     target + "`"),
            "64 96000000 32000000");
  EXPECT_EQ(differing_rows(db, "st_wide", target), 0);
  EXPECT_LE(large_extract, small_extract * 12 / 10);
  EXPECT_LE(large_load, small_load * 12 / 10);
  EXPECT_LE(large_extract, 150 * 1024);
  EXPECT_LE(large_load, 150 * 1024);
}

TEST_P(MysqlStreaming, ExtractPeakRssDoesNotGrowWithRows) {
  MysqlTestConnection db;
  ensure_big_table(db);
  TempDir dir;
  write_mysql_profiles(dir.path());
  auto extract = [&](int rows) {
    DvtRun run = run_dvt_in(dir.path(), {"-q", "extract", "my:st_big", "--staging-dir", dir.path(),
                                         "--name", "big" + std::to_string(rows), "--where",
                                         "id <= " + std::to_string(rows), "--method", GetParam()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.peak_rss_kb;
  };
  // The smaller run must already fill several Parquet row groups (122,880
  // rows each), or it measures start-up rather than the steady state.
  long small = extract(kRows * 3 / 10);
  long large = extract(kRows);
  EXPECT_EQ(duck_query("SELECT count(*), sum(id) FROM '" + dir.file("big1000000.parquet") + "'"),
            (Rows{{"1000000", "500000500000"}}));
  std::printf("peak RSS (%s): 300K rows %ld KiB, 1M rows %ld KiB\n", GetParam().c_str(), small,
              large);
  EXPECT_LE(large, small * 12 / 10)
      << "300K rows: " << small << " KiB, 1M rows: " << large << " KiB";
  EXPECT_LE(large, 100 * 1024) << "peak RSS above 100 MB";
}

TEST_P(MysqlStreaming, LoadPeakRssDoesNotGrowWithRows) {
  MysqlTestConnection db;
  ensure_big_table(db);
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun extract =
      run_dvt_in(dir.path(), {"-q", "extract", "my:st_big", "--staging-dir", dir.path()});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  const std::string target = "st_load_" + GetParam();
  auto load = [&](int rows) {
    duck_query("COPY (SELECT * FROM '" + dir.file("st_big.parquet") +
               "' WHERE id <= " + std::to_string(rows) + ") TO '" + dir.file("part.parquet") + "'");
    DvtRun run = run_dvt_in(dir.path(), {"-q", "load", dir.file("part.parquet"), "my:" + target,
                                         "--method", GetParam()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.peak_rss_kb;
  };
  long small = load(kRows * 3 / 10);
  long large = load(kRows);
  EXPECT_EQ(db.value("SELECT CONCAT(COUNT(*), ' ', SUM(id)) FROM `" + target + "`"),
            "1000000 500000500000");
  std::printf("load peak RSS (%s): 300K rows %ld KiB, 1M rows %ld KiB\n", GetParam().c_str(), small,
              large);
  EXPECT_LE(large, small * 12 / 10)
      << "300K rows: " << small << " KiB, 1M rows: " << large << " KiB";
  EXPECT_LE(large, 100 * 1024) << "peak RSS above 100 MB";
}

TEST_P(MysqlStreaming, InterruptedLoadLeavesTargetUnchanged) {
  MysqlTestConnection db;
  ensure_big_table(db);
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun extract =
      run_dvt_in(dir.path(), {"-q", "extract", "my:st_big", "--staging-dir", dir.path()});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  const std::string target = "st_interrupted_" + GetParam();
  db.exec("DROP TABLE IF EXISTS `" + target + "`");
  db.exec("CREATE TABLE `" + target + "` LIKE `st_big`");
  db.exec("INSERT INTO `" + target + "` SELECT * FROM `st_big` WHERE id <= 3");
  DvtRunOptions options;
  options.environment.emplace_back("DVT_TEST_MYSQL_PASSWORD", mysql_server().password);
  options.interrupt_after_ms = 700;
  LocalInfileLock lock;
  DvtRun run = run_dvt({"--profiles-dir", dir.path(), "load", dir.file("st_big.parquet"),
                        "my:" + target, "--method", GetParam()},
                       options);
  EXPECT_EQ(run.exit_code, 130) << run.out << run.err;
  EXPECT_EQ(db.value("SELECT GROUP_CONCAT(id ORDER BY id) FROM `" + target + "`"), "1,2,3");
  EXPECT_EQ(db.value("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                     "DATABASE() AND TABLE_NAME LIKE '" +
                     target + "\\_\\_dvt%'"),
            "0");
}

TEST_P(MysqlStreaming, InterruptedExtractLeavesNoFile) {
  MysqlTestConnection db;
  ensure_big_table(db);
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRunOptions options;
  options.environment.emplace_back("DVT_TEST_MYSQL_PASSWORD", mysql_server().password);
  options.interrupt_after_ms = 400;
  DvtRun run = run_dvt({"--profiles-dir", dir.path(), "extract", "my:st_big", "--staging-dir",
                        dir.path(), "--method", GetParam()},
                       options);
  EXPECT_EQ(run.exit_code, 130) << run.out << run.err;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename(), "profiles.yml");
  }
}

INSTANTIATE_TEST_SUITE_P(Tiers, MysqlStreaming, ::testing::Values("native", "pipe"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dvt::test
