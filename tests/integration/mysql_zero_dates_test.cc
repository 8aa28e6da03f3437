// Zero dates ('0000-00-00', '2024-00-10') become NULL only under the
// documented rule (zero_dates: null, the default), counted and reported in
// the summary; zero_dates: error refuses them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/mysql_support.h"
#include "support/embedded.h"

namespace dvt::test {
namespace {

void create_zero_dates(MysqlTestConnection& db, const std::string& table) {
  db.exec("DROP TABLE IF EXISTS `" + table + "`");
  // A permissive session, as the legacy applications that store them have.
  db.exec("SET SESSION sql_mode = ''");
  db.exec("CREATE TABLE `" + table +
          "` (id INT PRIMARY KEY, d DATE, dt DATETIME(3), ts TIMESTAMP NULL)");
  db.exec("INSERT INTO `" + table + R"(` VALUES
    (1, '0000-00-00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00'),
    (2, '2024-00-10', '2024-05-00 12:00:00.500', '2024-01-02 03:04:05'),
    (3, '2024-02-29', '2024-02-29 23:59:59.999', NULL),
    (4, NULL, NULL, '2000-01-01 00:00:00'))");
  db.exec("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
}

class MysqlZeroDates : public ::testing::TestWithParam<std::string> {};

TEST_P(MysqlZeroDates, BecomeNullAndAreCountedInTheSummary) {
  const std::string table = "zd_" + GetParam();
  MysqlTestConnection db;
  create_zero_dates(db, table);
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun run = run_dvt_in(
      dir.path(), {"extract", "my:" + table, "--staging-dir", dir.path(), "--method", GetParam()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("  warning: my:" + mysql_server().database + "." + table +
                         ": column \"d\": 2 zero dates (a zero month or day, such as "
                         "'0000-00-00') read as NULL (zero_dates: null"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("column \"dt\": 2 zero dates"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("column \"ts\": 1 zero date "), std::string::npos) << run.out;
  Rows rows = duck_query("SELECT id, d, dt, epoch(ts)::BIGINT FROM '" +
                         dir.file(table + ".parquet") + "' ORDER BY id");
  EXPECT_EQ(rows, (Rows{{"1", std::nullopt, std::nullopt, std::nullopt},
                        {"2", std::nullopt, std::nullopt, "1704164645"},
                        {"3", "2024-02-29", "2024-02-29 23:59:59.999", std::nullopt},
                        {"4", std::nullopt, std::nullopt, "946684800"}}));
}

TEST_P(MysqlZeroDates, AreReportedInTheJsonResult) {
  const std::string table = "zd_json_" + GetParam();
  MysqlTestConnection db;
  create_zero_dates(db, table);
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun run = run_dvt_in(dir.path(), {"--log-format", "json", "extract", "my:" + table,
                                       "--staging-dir", dir.path(), "--method", GetParam()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json result;
  for (size_t start = 0; start < run.out.size();) {
    size_t end = run.out.find('\n', start);
    auto line = nlohmann::json::parse(run.out.substr(start, end - start), nullptr, false);
    if (line.is_object() && line.contains("status")) result = line;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  ASSERT_TRUE(result.contains("warnings")) << run.out;
  ASSERT_EQ(result["warnings"].size(), 3u) << run.out;
  EXPECT_NE(result["warnings"][0].get<std::string>().find("column \"d\": 2 zero dates"),
            std::string::npos);
}

TEST_P(MysqlZeroDates, FailUnderZeroDatesError) {
  const std::string table = "zd_strict_" + GetParam();
  MysqlTestConnection db;
  create_zero_dates(db, table);
  TempDir dir;
  write_mysql_profiles(dir.path(), {"zero_dates: error"});
  DvtRun run = run_dvt_in(
      dir.path(), {"extract", "my:" + table, "--staging-dir", dir.path(), "--method", GetParam()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("row 1 column \"d\" (date, read as DATE): value '0000-00-00' is a zero "
                         "date"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file(table + ".parquet")));
}

INSTANTIATE_TEST_SUITE_P(Tiers, MysqlZeroDates, ::testing::Values("native", "pipe"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dvt::test
