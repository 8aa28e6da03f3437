// Loading into MySQL: the DDL contract, atomicity (a failed load leaves the
// target as it was), warnings as errors, and the INSERT fallback when the
// server has local_infile off.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "integration/mysql_support.h"
#include "support/embedded.h"
#include "support/run_dvt.h"

namespace dvt::test {
namespace {

// Writes `select` (DuckDB SQL) to `path` as Parquet.
void write_parquet(const std::string& path, const std::string& select) {
  duck_query("COPY (" + select + ") TO '" + path + "' (FORMAT parquet)");
}

// A digest of a table's rows, to prove it did not change.
std::string table_digest(MysqlTestConnection& db, const std::string& table) {
  return db.value(
      "SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CRC32(CONCAT_WS('|', id, v))), 0)) FROM `" +
      table + "`");
}

std::string leftover_shadows(MysqlTestConnection& db, const std::string& table) {
  return db.value(
      "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
      "TABLE_NAME LIKE '" +
      table + "\\_\\_dvt%'");
}

// Sets the server's global local_infile while holding the test lock, and
// restores the value it found when it goes out of scope, also when an
// assertion fails. Every test that loads into MySQL holds the same lock while
// dvt runs (run_dvt_in), so none sees the changed setting. Prefer an output
// with `local_infile: false` (no server change) where that proves enough.
class LocalInfileSetting {
 public:
  explicit LocalInfileSetting(bool enabled) : own_lock_(std::in_place), lock_(*own_lock_) {
    set(enabled);
  }
  // Under a lock the caller holds already.
  LocalInfileSetting(LocalInfileLock& held, bool enabled) : lock_(held) { set(enabled); }
  ~LocalInfileSetting() {
    try {
      lock_.connection().exec("SET GLOBAL local_infile = " + previous_);
    } catch (...) {
    }
  }
  LocalInfileSetting(const LocalInfileSetting&) = delete;
  LocalInfileSetting& operator=(const LocalInfileSetting&) = delete;

 private:
  void set(bool enabled) {
    previous_ = lock_.connection().value("SELECT @@GLOBAL.local_infile");
    lock_.connection().exec(std::string("SET GLOBAL local_infile = ") + (enabled ? "1" : "0"));
  }

  std::optional<LocalInfileLock> own_lock_;
  LocalInfileLock& lock_;
  std::string previous_;
};

class MysqlLoad : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { write_mysql_profiles(dir_.path()); }
  // The name of a table unique to this test and tier.
  std::string table(const std::string& base) const { return "ld_" + base + "_" + GetParam(); }
  DvtRun load(const std::string& parquet, const std::string& target,
              std::vector<std::string> flags = {}) {
    std::vector<std::string> args = {"load", parquet, "my:" + target, "--method", GetParam()};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_dvt_in(dir_.path(), args);
  }

  TempDir dir_;
  MysqlTestConnection db_;
};

TEST_P(MysqlLoad, OverwriteReplacesRowsAndKeepsIndexesCommentAndGrants) {
  const std::string target = table("keep");
  db_.exec("DROP TABLE IF EXISTS `" + target + "`");
  db_.exec("CREATE TABLE `" + target +
           "` (id INT PRIMARY KEY, v VARCHAR(20), KEY by_v (v)) COMMENT = 'keep me'");
  db_.exec("INSERT INTO `" + target + "` VALUES (1, 'old'), (2, 'old')");
  db_.exec("CREATE USER IF NOT EXISTS 'dvt_reader'@'localhost'");
  db_.exec("GRANT SELECT ON `" + target + "` TO 'dvt_reader'@'localhost'");
  write_parquet(dir_.file("rows.parquet"),
                "SELECT 10 + i AS id, 'new' || i AS v FROM range(3) t(i)");

  DvtRun run = load(dir_.file("rows.parquet"), target);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("load: 3 rows"), std::string::npos) << run.out;
  EXPECT_EQ(db_.value("SELECT GROUP_CONCAT(CONCAT(id, '=', v) ORDER BY id) FROM `" + target + "`"),
            "10=new0,11=new1,12=new2");
  EXPECT_EQ(db_.value("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                      "DATABASE() AND TABLE_NAME = '" +
                      target + "' AND INDEX_NAME = 'by_v'"),
            "1");
  EXPECT_EQ(db_.value("SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                      "DATABASE() AND TABLE_NAME = '" +
                      target + "'"),
            "keep me");
  EXPECT_EQ(db_.value("SELECT PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES WHERE "
                      "GRANTEE = '''dvt_reader''@''localhost''' AND TABLE_NAME = '" +
                      target + "'"),
            "SELECT");
  EXPECT_EQ(leftover_shadows(db_, target), "0");
}

TEST_P(MysqlLoad, FullRefreshCreatesTheTableFromTheIncomingTypes) {
  const std::string target = table("created");
  db_.exec("DROP TABLE IF EXISTS `" + target + "`");
  db_.exec("CREATE TABLE `" + target + "` (old_column INT)");
  write_parquet(dir_.file("typed.parquet"),
                "SELECT 1::INTEGER AS id, true AS flag, 255::UTINYINT AS small, "
                "18446744073709551615::UBIGINT AS big, 123.45::DECIMAL(12,2) AS amount, "
                "0.5::FLOAT AS ratio, 'héllo' AS name, '\\x00\\xFF'::BLOB AS bytes, "
                "DATE '2024-02-29' AS day, TIMESTAMP '2024-01-02 03:04:05.123456' AS at, "
                "TIMESTAMPTZ '2024-01-02 03:04:05+00' AS instant, TIME '12:30:00' AS clock, "
                "'{\"a\": 1}'::JSON AS doc, [1, 2, 3] AS list, "
                "'6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID AS uid, "
                "99999999999999999999999999999999999999::DECIMAL(38,0) AS huge");
  DvtRun run = load(dir_.file("typed.parquet"), target, {"--full-refresh"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  MysqlTestRows columns = db_.query(
      "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE "
      "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '" +
      target + "' ORDER BY ORDINAL_POSITION");
  std::string described;
  for (const auto& row : columns) described += *row[0] + " " + *row[1] + ", ";
  EXPECT_EQ(described,
            "id int(11), flag tinyint(1), small tinyint(3) unsigned, big bigint(20) unsigned, "
            "amount decimal(12,2), ratio float, name longtext, bytes longblob, day date, "
            "at datetime(6), instant timestamp(6), clock time(6), doc longtext, list longtext, "
            "uid char(36), huge decimal(38,0), ");
  MysqlTestRows row = db_.query(
      "SELECT id, flag, small, big, amount, CAST(ratio AS DOUBLE), name, HEX(bytes), day, at, "
      "instant, clock, doc, list, uid, huge FROM `" +
      target + "`");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0],
            (std::vector<std::optional<std::string>>{
                "1", "1", "255", "18446744073709551615", "123.45", "0.5", "héllo", "00FF",
                "2024-02-29", "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05.000000",
                "12:30:00.000000", "{\"a\": 1}", "[1,2,3]", "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
                "99999999999999999999999999999999999999"}));
  EXPECT_EQ(leftover_shadows(db_, target), "0");
}

TEST_P(MysqlLoad, AppendAddsRows) {
  const std::string target = table("append");
  db_.exec("DROP TABLE IF EXISTS `" + target + "`");
  db_.exec("CREATE TABLE `" + target + "` (id INT PRIMARY KEY, v VARCHAR(20))");
  db_.exec("INSERT INTO `" + target + "` VALUES (1, 'kept')");
  write_parquet(dir_.file("more.parquet"), "SELECT 2 AS id, 'added' AS v");
  DvtRun run = load(dir_.file("more.parquet"), target, {"--mode", "append"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(db_.value("SELECT GROUP_CONCAT(CONCAT(id, '=', v) ORDER BY id) FROM `" + target + "`"),
            "1=kept,2=added");
}

TEST_P(MysqlLoad, MissingTableIsCreated) {
  const std::string target = table("fresh");
  db_.exec("DROP TABLE IF EXISTS `" + target + "`");
  write_parquet(dir_.file("fresh.parquet"), "SELECT 7 AS id, 'x' AS v");
  DvtRun run = load(dir_.file("fresh.parquet"), target);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(db_.value("SELECT CONCAT(id, '=', v) FROM `" + target + "`"), "7=x");
}

TEST_P(MysqlLoad, TruncatedValueFailsAndLeavesTargetUnchanged) {
  const std::string target = table("truncate");
  db_.exec("DROP TABLE IF EXISTS `" + target + "`");
  db_.exec("CREATE TABLE `" + target + "` (id INT PRIMARY KEY, v VARCHAR(5))");
  db_.exec("INSERT INTO `" + target + "` VALUES (1, 'one'), (2, 'two')");
  const std::string before = table_digest(db_, target);
  // Row 3000 holds a value one character too long for VARCHAR(5).
  write_parquet(dir_.file("long.parquet"),
                "SELECT i AS id, CASE WHEN i = 3000 THEN 'sixchr' ELSE 'ok' END AS v FROM "
                "range(1, 5001) t(i)");
  for (const std::vector<std::string>& flags : {std::vector<std::string>{}, {"--mode", "append"}}) {
    DvtRun run = load(dir_.file("long.parquet"), target, flags);
    EXPECT_EQ(run.exit_code, 1) << run.out;
    EXPECT_NE(run.err.find("warning"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("Data truncated for column 'v'"), std::string::npos) << run.err;
    EXPECT_EQ(table_digest(db_, target), before);
    EXPECT_EQ(leftover_shadows(db_, target), "0");
  }
}

TEST_P(MysqlLoad, DuplicateKeyOnAppendFailsAndLeavesTargetUnchanged) {
  const std::string target = table("duplicate");
  db_.exec("DROP TABLE IF EXISTS `" + target + "`");
  db_.exec("CREATE TABLE `" + target + "` (id INT PRIMARY KEY, v VARCHAR(20))");
  db_.exec("INSERT INTO `" + target + "` VALUES (5, 'existing')");
  const std::string before = table_digest(db_, target);
  write_parquet(dir_.file("dup.parquet"), "SELECT i AS id, 'new' AS v FROM range(1, 11) t(i)");
  DvtRun run = load(dir_.file("dup.parquet"), target, {"--mode", "append"});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.err.find("Duplicate entry '5'"), std::string::npos) << run.err;
  EXPECT_EQ(table_digest(db_, target), before);
}

TEST_P(MysqlLoad, FullRefreshFailureLeavesOldTableInPlace) {
  const std::string target = table("refresh_fail");
  db_.exec("DROP TABLE IF EXISTS `" + target + "`");
  db_.exec("CREATE TABLE `" + target + "` (id INT PRIMARY KEY, v VARCHAR(20))");
  db_.exec("INSERT INTO `" + target + "` VALUES (1, 'old')");
  const std::string before = table_digest(db_, target);
  // A date MySQL cannot hold, after 4000 good rows.
  write_parquet(dir_.file("bad.parquet"),
                "SELECT i AS id, 'v' AS v, CASE WHEN i = 4000 THEN DATE '10000-01-01' ELSE DATE "
                "'2024-01-01' END AS d FROM range(1, 5001) t(i)");
  DvtRun run = load(dir_.file("bad.parquet"), target, {"--full-refresh"});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.err.find("row 4000 column \"d\": year 10000 is outside MySQL's 0000-9999"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(table_digest(db_, target), before);
  EXPECT_EQ(db_.value("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                      "DATABASE() AND TABLE_NAME = '" +
                      target + "'"),
            "2");
  EXPECT_EQ(leftover_shadows(db_, target), "0");
}

TEST_P(MysqlLoad, FailedLoadIntoMissingTableLeavesNoTable) {
  const std::string target = table("never");
  db_.exec("DROP TABLE IF EXISTS `" + target + "`");
  write_parquet(dir_.file("nan.parquet"),
                "SELECT i AS id, CASE WHEN i = 50 THEN 'nan'::DOUBLE ELSE i END AS x FROM "
                "range(100) t(i)");
  DvtRun run = load(dir_.file("nan.parquet"), target);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.err.find("NaN and infinity cannot be stored in MySQL"), std::string::npos)
      << run.err;
  EXPECT_EQ(db_.value("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                      "DATABASE() AND TABLE_NAME LIKE '" +
                      target + "%'"),
            "0");
}

TEST_P(MysqlLoad, TableWithTriggerKeepsItAndLoadsInOneTransaction) {
  const std::string target = table("trigger");
  const std::string audit = table("trigger_audit");
  db_.exec("DROP TABLE IF EXISTS `" + target + "`");
  db_.exec("DROP TABLE IF EXISTS `" + audit + "`");
  db_.exec("CREATE TABLE `" + audit + "` (n INT)");
  db_.exec("CREATE TABLE `" + target + "` (id INT PRIMARY KEY, v VARCHAR(20))");
  db_.exec("CREATE TRIGGER `" + target + "_ins` AFTER INSERT ON `" + target +
           "` FOR EACH ROW INSERT INTO `" + audit + "` VALUES (NEW.id)");
  db_.exec("INSERT INTO `" + target + "` VALUES (1, 'old')");
  write_parquet(dir_.file("rows.parquet"), "SELECT 2 AS id, 'new' AS v UNION ALL SELECT 3, 'new'");
  DvtRun run = load(dir_.file("rows.parquet"), target);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(db_.value("SELECT GROUP_CONCAT(id ORDER BY id) FROM `" + target + "`"), "2,3");
  EXPECT_EQ(db_.value("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE "
                      "EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = '" +
                      target + "'"),
            "1");
  EXPECT_EQ(db_.value("SELECT GROUP_CONCAT(n ORDER BY n) FROM `" + audit + "`"), "1,2,3");
}

TEST_P(MysqlLoad, IncomingColumnMissingFromTargetFailsClearly) {
  const std::string target = table("narrow");
  db_.exec("DROP TABLE IF EXISTS `" + target + "`");
  db_.exec("CREATE TABLE `" + target + "` (id INT PRIMARY KEY)");
  write_parquet(dir_.file("wide.parquet"), "SELECT 1 AS id, 'x' AS extra");
  DvtRun run = load(dir_.file("wide.parquet"), target);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("has no column \"extra\"; use --full-refresh"), std::string::npos)
      << run.err;
}

TEST_P(MysqlLoad, AwkwardIdentifiersAreQuoted) {
  const std::string target = "Customer Code `" + GetParam() + "`";
  db_.exec("DROP TABLE IF EXISTS `Customer Code ``" + GetParam() + "```");
  write_parquet(dir_.file("names.parquet"),
                "SELECT 1 AS \"select\", 'x' AS \"Customer Code\", 2 AS \"back`tick\"");
  DvtRun run = load(dir_.file("names.parquet"), target);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(
      db_.value("SELECT CONCAT(`select`, `Customer Code`, `back``tick`) FROM `Customer Code ``" +
                GetParam() + "```"),
      "1x2");
  DvtRun back = run_dvt_in(
      dir_.path(), {"copy", "my:" + target, dir_.file("back.parquet"), "--method", GetParam()});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  Rows rows = duck_query("SELECT \"select\", \"Customer Code\", \"back`tick\" FROM '" +
                         dir_.file("back.parquet") + "'");
  EXPECT_EQ(rows, (Rows{{"1", "x", "2"}}));
}

INSTANTIATE_TEST_SUITE_P(Tiers, MysqlLoad, ::testing::Values("native", "pipe"),
                         [](const auto& info) { return info.param; });

TEST(MysqlLoadFallback, LocalInfileOffLoadsThroughInsertBatchesAndSaysSo) {
  MysqlTestConnection db;
  TempDir dir;
  write_mysql_profiles(dir.path());
  db.exec("DROP TABLE IF EXISTS `ld_fallback`");
  db.exec("CREATE TABLE `ld_fallback` (id INT PRIMARY KEY, v VARCHAR(20), b VARBINARY(4))");
  db.exec("INSERT INTO `ld_fallback` VALUES (1, 'old', NULL)");
  write_parquet(dir.file("rows.parquet"),
                "SELECT i AS id, CASE WHEN i % 2 = 0 THEN NULL ELSE 'it''s \\ ' || i END AS v, "
                "'\\x00\\xFF'::BLOB AS b FROM range(1, 20001) t(i)");
  LocalInfileSetting off(false);
  DvtRun run = run_dvt_in(dir.path(), {"load", dir.file("rows.parquet"), "my:ld_fallback"}, false);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("load: 20000 rows"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("fallback: output 'my'"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("the server has local_infile=OFF, so rows go in as multi-row INSERT "
                         "batches"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(db.value("SELECT CONCAT(COUNT(*), ' ', COUNT(v), ' ', MIN(HEX(b)), ' ', MAX(v)) FROM "
                     "`ld_fallback`"),
            "20000 10000 00FF it's \\ 9999");
}

TEST(MysqlLoadFallback, SettingOffInTheServerIsRestoredAfterTheTest) {
  // Under the lock throughout: other tests change the setting while they hold it.
  LocalInfileLock lock;
  MysqlTestConnection& db = lock.connection();
  const std::string before = db.value("SELECT @@GLOBAL.local_infile");
  {
    LocalInfileSetting off(lock, false);
    EXPECT_EQ(db.value("SELECT @@GLOBAL.local_infile"), "0");
  }
  EXPECT_EQ(db.value("SELECT @@GLOBAL.local_infile"), before);
}

// The client-side switch: the output says local_infile: false, the server
// keeps local_infile=ON, and no LOAD DATA is sent.
TEST(MysqlLoadFallback, OutputWithLocalInfileFalseLoadsThroughInsertBatchesAndSaysSo) {
  MysqlTestConnection db;
  TempDir dir;
  write_mysql_profiles(dir.path(), {"local_infile: false"});
  db.exec("DROP TABLE IF EXISTS `ld_client_off`");
  db.exec("CREATE TABLE `ld_client_off` (id INT PRIMARY KEY, v VARCHAR(20), b VARBINARY(4))");
  db.exec("INSERT INTO `ld_client_off` VALUES (1, 'old', NULL)");
  write_parquet(dir.file("rows.parquet"),
                "SELECT i AS id, CASE WHEN i % 2 = 0 THEN NULL WHEN i = 3 THEN 'NULL' ELSE "
                "'it''s \\ ' || i END AS v, '\\x00\\xFF'::BLOB AS b FROM range(1, 20001) t(i)");
  // No test lock: the server's setting plays no part.
  const uint64_t log_start = query_log_size();
  DvtRun run =
      run_dvt_in(dir.path(), {"load", dir.file("rows.parquet"), "my:ld_client_off"}, false);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("load: 20000 rows"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("fallback: output 'my' (" + mysql_server().host + ":" +
                         std::to_string(mysql_server().port) +
                         "): the output sets local_infile: false, so rows go in as multi-row "
                         "INSERT batches instead of LOAD DATA LOCAL INFILE (slower)"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(db.value("SELECT CONCAT_WS('|', COUNT(*), COUNT(v), MIN(HEX(b)), MAX(HEX(b)), "
                     "(SELECT v FROM `ld_client_off` WHERE id = 9999), (SELECT v FROM "
                     "`ld_client_off` WHERE id = 3), (SELECT v IS NULL FROM `ld_client_off` WHERE "
                     "id = 4)) FROM `ld_client_off`"),
            "20000|10000|00FF|00FF|it's \\ 9999|NULL|1");
  std::string queries = query_log_since(log_start);
  EXPECT_NE(queries.find("INSERT INTO `" + mysql_server().database + "`.`ld_client_off__dvt_new_"),
            std::string::npos);
  EXPECT_EQ(queries.find("INTO TABLE `" + mysql_server().database + "`.`ld_client_off"),
            std::string::npos);
}

TEST(MysqlLoadFallback, PipeTierRefusesWhenLocalInfileIsOff) {
  MysqlTestConnection db;
  TempDir dir;
  write_mysql_profiles(dir.path());
  write_parquet(dir.file("rows.parquet"), "SELECT 1 AS id");
  LocalInfileSetting off(false);
  DvtRun run = run_dvt_in(
      dir.path(), {"load", dir.file("rows.parquet"), "my:ld_pipe_refused", "--method", "pipe"},
      false);
  EXPECT_EQ(run.exit_code, 1);  // a forced tier that cannot serve here
  EXPECT_NE(run.err.find("local_infile=OFF"), std::string::npos) << run.err;
}

TEST(MysqlLoadFallback, LoadDataIsUsedWhenTheServerAllowsIt) {
  MysqlTestConnection db;
  TempDir dir;
  write_mysql_profiles(dir.path());
  db.exec("DROP TABLE IF EXISTS `ld_bulk`");
  write_parquet(dir.file("rows.parquet"), "SELECT i AS id FROM range(1000) t(i)");
  LocalInfileSetting on(true);
  const uint64_t log_start = query_log_size();
  DvtRun run = run_dvt_in(dir.path(), {"load", dir.file("rows.parquet"), "my:ld_bulk"}, false);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find("fallback"), std::string::npos) << run.out;
  EXPECT_EQ(db.value("SELECT SUM(id) FROM `ld_bulk`"), "499500");
  std::string queries = query_log_since(log_start);
  EXPECT_NE(queries.find("LOAD DATA LOCAL INFILE 'dvt-stream' INTO TABLE `" +
                         mysql_server().database + "`.`ld_bulk__dvt_new_"),
            std::string::npos);
}

}  // namespace
}  // namespace dvt::test
