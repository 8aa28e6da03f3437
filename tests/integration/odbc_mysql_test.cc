// MariaDB through MariaDB Connector/ODBC (the odbc tier of a mysql output):
// every type the driver maps reads as the native tier reads it (LONGTEXT
// past the driver's bound, read a row at a time), every load mode, a
// failing last batch and a killed session leave the target unchanged, and
// `--method auto` falls back to ODBC.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "integration/mysql_support.h"
#include "integration/odbc_support.h"
#include "support/embedded.h"
#include "support/run_dvt.h"

namespace dvt::test {
namespace {

constexpr const char* kDriver = "MariaDB Unicode";
constexpr const char* kPackage = "odbc-mariadb";

class OdbcMysql : public ::testing::Test {
 protected:
  void SetUp() override { write_mysql_profiles(dir_.path()); }
  void TearDown() override {
    for (const auto& table : tables_) db_.exec("DROP TABLE IF EXISTS `" + table + "`");
  }

  // A table name of this test (dropped at the end).
  std::string name(const std::string& base) {
    std::string table = fmt::format("odbc_{}_{}", base, ::getpid());
    tables_.push_back(table);
    return table;
  }

  std::string parquet(const std::string& file, const std::string& select) {
    std::string path = dir_.file(file + ".parquet");
    write_parquet(path, select);
    return path;
  }

  DvtRun dvt(const std::vector<std::string>& args) { return run_dvt_in(dir_.path(), args); }

  MysqlTestRows rows(const std::string& sql) { return db_.query(sql); }

  // How many tables of the test database match `condition` (on TABLE_NAME).
  std::string tables_where(const std::string& condition) {
    return db_.value(
        "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND " +
        condition);
  }
  // How many indexes called `index` table `table` has.
  std::string index_count(const std::string& table, const std::string& index) {
    return db_.value(
        fmt::format("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE "
                    "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{}' AND "
                    "INDEX_NAME = '{}'",
                    table, index));
  }

  TempDir dir_;
  MysqlTestConnection db_;
  std::vector<std::string> tables_;
};

TEST_F(OdbcMysql, EveryTypeReadsAsTheNativeTierReadsIt) {
  REQUIRE_ODBC_DRIVER(kDriver, kPackage);
  std::string t = name("types");
  db_.exec(fmt::format(
      R"(CREATE TABLE `{0}` (id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT,
        su SMALLINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, bu BIGINT UNSIGNED, f FLOAT,
        d DOUBLE, d12 DECIMAL(12,2), d38 DECIMAL(38,10), d65 DECIMAL(65,30), vc VARCHAR(20),
        tx TEXT, lt LONGTEXT, c CHAR(3), bn BINARY(4), vb VARBINARY(10), bl BLOB, dt DATE,
        dtt DATETIME(6), ts TIMESTAMP(6) NULL) CHARSET utf8mb4;
      INSERT INTO `{0}` VALUES
        (1, 127, 255, 32767, 65535, 2147483647, 4294967295, 9223372036854775807,
         18446744073709551615, 3.5, 1.7976931348623157e308, 9999999999.99,
         9999999999999999999999999999.9999999999,
         99999999999999999999999999999999999.999999999999999999999999999999, 'ü€😀 text',
         'tëxt', 'long ü', 'abc', 0x00ff00ff, 0x0102, 0xdeadbeef, '1000-01-01',
         '2024-02-29 23:59:59.999999', '2038-01-19 03:14:07.999999'),
        (2, -128, 0, -32768, 0, -2147483648, 0, -9223372036854775808, 0, -1.5, -0.0,
         -9999999999.99, -9999999999999999999999999999.9999999999, -0.000000000000000000000000000001,
         '', '', '', '', 0x00000000, X'', X'', '9999-12-31', '1970-01-01 00:00:00',
         '1970-01-01 00:00:01'),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (4, 0, 1, 0, 1, 0, 1, 0, 1, 0.1, 0.1, 0.01, 0.0000000001, 0.1, REPEAT('€', 20),
         REPEAT('ü', 30000), CONCAT(REPEAT('ü', 200000), '😀'), 'ü', 0x01, 0x01,
         REPEAT(0xab, 60000), '2000-01-01', '2000-01-01 00:00:00.000001',
         '2000-01-01 00:00:00.000001'))",
      t));
  for (const char* method : {"native", "odbc"}) {
    DvtRun run = dvt(
        {"extract", "my:" + t, "--staging-dir", dir_.path(), "--name", method, "--method", method});
    ASSERT_EQ(run.exit_code, 0) << method << ": " << run.err;
  }
  EXPECT_EQ(parquet_columns(dir_.file("odbc.parquet")),
            (std::vector<std::string>{"id INTEGER",
                                      "ti TINYINT",
                                      "tu UTINYINT",
                                      "si SMALLINT",
                                      "su USMALLINT",
                                      "i INTEGER",
                                      "iu UINTEGER",
                                      "bi BIGINT",
                                      "bu UBIGINT",
                                      "f FLOAT",
                                      "d DOUBLE",
                                      "d12 DECIMAL(12,2)",
                                      "d38 DECIMAL(38,10)",
                                      "d65 VARCHAR",
                                      "vc VARCHAR",
                                      "tx VARCHAR",
                                      "lt VARCHAR",
                                      "c VARCHAR",
                                      "bn BLOB",
                                      "vb BLOB",
                                      "bl BLOB",
                                      "dt DATE",
                                      "dtt TIMESTAMP",
                                      "ts TIMESTAMP WITH TIME ZONE"}));
  EXPECT_EQ(parquet_differences(dir_.file("odbc.parquet"), dir_.file("native.parquet")), 0);
  EXPECT_EQ(
      duck_query(fmt::format("SELECT id, length(lt), octet_length(bl), d65, ts::VARCHAR "
                             "FROM read_parquet('{}') ORDER BY id",
                             dir_.file("odbc.parquet"))),
      (Rows{{"1", "6", "4", "99999999999999999999999999999999999.999999999999999999999999999999",
             "2038-01-19 03:14:07.999999+00"},
            {"2", "0", "0", "-0.000000000000000000000000000001", "1970-01-01 00:00:01+00"},
            {"3", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
            {"4", "200001", "60000", "0.100000000000000000000000000000",
             "2000-01-01 00:00:00.000001+00"}}));
}

TEST_F(OdbcMysql, PagesOfTheKeyReadEveryRowOnce) {
  REQUIRE_ODBC_DRIVER(kDriver, kPackage);
  write_mysql_profiles(dir_.path(), {"page_rows: 1000"});
  std::string t = name("pages");
  db_.exec(fmt::format(
      "CREATE TABLE `{0}` (g VARCHAR(8), n INT, v VARCHAR(20), PRIMARY KEY (g, n)) ENGINE=InnoDB; "
      "INSERT INTO `{0}` SELECT CONCAT('g', seq % 7), seq, CONCAT('ü', seq) FROM seq_1_to_25003",
      t));
  for (const char* method : {"native", "odbc"}) {
    DvtRun run = dvt({"extract", "my:" + t, "--staging-dir", dir_.path(), "--name", method,
                      "--method", method, "--where", "n <> 500"});
    ASSERT_EQ(run.exit_code, 0) << method << ": " << run.err;
  }
  EXPECT_EQ(
      duck_query(fmt::format("SELECT count(*), count(DISTINCT (g, n)) FROM read_parquet('{}')",
                             dir_.file("odbc.parquet"))),
      (Rows{{"25002", "25002"}}));
  EXPECT_EQ(parquet_differences(dir_.file("odbc.parquet"), dir_.file("native.parquet")), 0);
}

TEST_F(OdbcMysql, EveryLoadModeKeepsTheContract) {
  REQUIRE_ODBC_DRIVER(kDriver, kPackage);
  std::string t = name("modes");
  db_.exec(fmt::format(
      "CREATE TABLE `{0}` (id INT PRIMARY KEY, v VARCHAR(20), KEY by_v (v)) ENGINE=InnoDB; "
      "INSERT INTO `{0}` VALUES (1, 'old'), (2, 'two')",
      t));
  std::string file = parquet("in", "SELECT * FROM (VALUES (2, 'new two'), (3, 'three')) v(id, v)");
  auto load = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"load", file, "my:" + t, "--method", "odbc"};
    args.insert(args.end(), extra.begin(), extra.end());
    return dvt(args);
  };
  auto contents = [&] { return rows("SELECT id, v FROM `" + t + "` ORDER BY id"); };
  DvtRun merge = load({"--mode", "merge"});
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_EQ(contents(), (MysqlTestRows{{"1", "old"}, {"2", "new two"}, {"3", "three"}}));
  db_.exec(fmt::format("DELETE FROM `{0}`; INSERT INTO `{0}` VALUES (1, 'old'), (2, 'two')", t));
  DvtRun replace = load({"--mode", "delete+insert"});
  ASSERT_EQ(replace.exit_code, 0) << replace.err;
  EXPECT_EQ(contents(), (MysqlTestRows{{"1", "old"}, {"2", "new two"}, {"3", "three"}}));
  DvtRun duplicate = load({"--mode", "append"});
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_NE(duplicate.err.find("Duplicate entry"), std::string::npos) << duplicate.err;
  EXPECT_EQ(contents(), (MysqlTestRows{{"1", "old"}, {"2", "new two"}, {"3", "three"}}));
  DvtRun overwrite = load({});
  ASSERT_EQ(overwrite.exit_code, 0) << overwrite.err;
  EXPECT_EQ(contents(), (MysqlTestRows{{"2", "new two"}, {"3", "three"}}));
  EXPECT_EQ(index_count(t, "by_v"), "1");
  DvtRun refresh = load({"--full-refresh"});
  ASSERT_EQ(refresh.exit_code, 0) << refresh.err;
  EXPECT_EQ(contents(), (MysqlTestRows{{"2", "new two"}, {"3", "three"}}));
  EXPECT_EQ(index_count(t, "by_v"), "0");
  EXPECT_EQ(tables_where(fmt::format("TABLE_NAME LIKE 'dvt\\_%\\_{}'", ::getpid())), "0");
}

TEST_F(OdbcMysql, FailureInTheLastBatchLeavesTheTargetAsItWas) {
  REQUIRE_ODBC_DRIVER(kDriver, kPackage);
  std::string t = name("guarded");
  db_.exec(fmt::format(
      "CREATE TABLE `{0}` (id INT PRIMARY KEY, v INT CHECK (v < 100000)) ENGINE=InnoDB; "
      "INSERT INTO `{0}` VALUES (1, 10), (2, 20)",
      t));
  std::string checked = parquet("checked",
                                "SELECT i AS id, CASE WHEN i = 50001 THEN 100000 ELSE i END AS v "
                                "FROM range(1, 50002) t(i)");
  DvtRun run = dvt({"load", checked, "my:" + t, "--method", "odbc"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("CONSTRAINT"), std::string::npos) << run.err;
  // --full-refresh and a new table go through a copy renamed into place:
  // a failure leaves the old table, or none, and no copy behind.
  std::string far = parquet("far",
                            "SELECT i AS id, CASE WHEN i = 50001 THEN TIMESTAMP '10000-01-01' ELSE "
                            "TIMESTAMP '2020-01-01' END AS v FROM range(1, 50002) t(i)");
  DvtRun refresh = dvt({"load", far, "my:" + t, "--method", "odbc", "--full-refresh"});
  EXPECT_EQ(refresh.exit_code, 1);
  EXPECT_NE(refresh.err.find("the timestamp is outside years 1 to 9999"), std::string::npos)
      << refresh.err;
  EXPECT_EQ(rows("SELECT id, v FROM `" + t + "` ORDER BY id"),
            (MysqlTestRows{{"1", "10"}, {"2", "20"}}));
  std::string fresh = name("fresh");
  DvtRun created = dvt({"load", far, "my:" + fresh, "--method", "odbc"});
  EXPECT_EQ(created.exit_code, 1);
  EXPECT_EQ(
      tables_where(fmt::format("(TABLE_NAME = '{}' OR TABLE_NAME LIKE 'dvt\\_new\\_%')", fresh)),
      "0");
}

TEST_F(OdbcMysql, KilledSessionLeavesThePreviousContents) {
  REQUIRE_ODBC_DRIVER(kDriver, kPackage);
  std::string t = name("killed");
  db_.exec(fmt::format(
      "CREATE TABLE `{0}` (id BIGINT, name VARCHAR(40)) ENGINE=InnoDB; INSERT INTO `{0}` VALUES "
      "(1, 'old')",
      t));
  std::string file =
      parquet("big", "SELECT i AS id, 'name-' || i AS name FROM range(3000000) t(i)");
  pid_t pid =
      spawn_dvt({"--profiles-dir", dir_.path(), "load", file, "my:" + t, "--method", "odbc"},
                dir_.path(), {{"TMPDIR", dir_.path()}});
  std::string killed;
  for (int i = 0; i < 400 && killed.empty(); ++i) {
    auto found = db_.query(fmt::format(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'INSERT INTO %{}%'", t));
    if (!found.empty() && found[0][0]) {
      killed = *found[0][0];
      db_.exec("KILL " + killed);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  EXPECT_FALSE(killed.empty());
  EXPECT_EQ(wait_dvt(pid), 1) << read_file(dir_.file("spawned.err"));
  EXPECT_EQ(rows("SELECT id, name FROM `" + t + "`"), (MysqlTestRows{{"1", "old"}}));
}

TEST_F(OdbcMysql, AutoFallsBackToOdbcWhenNativeAndPipeAreUnavailable) {
  REQUIRE_ODBC_DRIVER(kDriver, kPackage);
  std::string src = name("src"), dst = name("dst");
  db_.exec(fmt::format("CREATE TABLE `{0}` (id INT); INSERT INTO `{0}` VALUES (1), (2)", src));
  LocalInfileLock lock;
  DvtRun run = run_dvt({"--profiles-dir", dir_.path(), "copy", "my:" + src, "my:" + dst},
                       {.environment = {{"DVT_TEST_BREAK_TIER", "native,pipe"}}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("method: odbc -> odbc"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("fallback: pipe -> odbc: the pipe tier is disabled by "
                         "DVT_TEST_BREAK_TIER"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(rows("SELECT id FROM `" + dst + "` ORDER BY id"), (MysqlTestRows{{"1"}, {"2"}}));
}

}  // namespace
}  // namespace dvt::test
