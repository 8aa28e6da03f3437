// Row hashes computed in MySQL follow the contract in connector.h exactly:
// NULL is "N", a value is "V" <bytes> ":" <text>, MD5 over the concatenation.
#include <gtest/gtest.h>

#include <map>

#include "connectors/connector.h"
#include "core/error.h"
#include "engine/engine.h"
#include "integration/mysql_support.h"
#include "project/profiles.h"
#include "support/embedded.h"

namespace dvt::test {
namespace {

OutputConfig mysql_output() {
  MysqlServer server = mysql_server();
  return OutputConfig("my", "profiles.yml", 1,
                      {{"type", "mysql"},
                       {"host", server.host},
                       {"port", std::to_string(server.port)},
                       {"user", server.user},
                       {"password", server.password},
                       {"database", server.database}});
}

// _pk -> _hash as the connector computes them.
std::map<std::string, std::string> row_hashes(const std::string& table) {
  Engine engine;
  OutputConfig output = mysql_output();
  std::unique_ptr<Connector> connector = make_connector(output, engine);
  Source source = connector->open_row_hashes(engine, TableRef{"", table}, nullptr);
  EXPECT_EQ(source.schema.names(), (std::vector<std::string>{"_pk", "_hash"}));
  std::map<std::string, std::string> hashes;
  for (const auto& row : engine.query_strings("SELECT _pk, _hash FROM " + source.relation)) {
    hashes[*row[0]] = *row[1];
  }
  return hashes;
}

// MD5 of `text` computed by DuckDB, independently of MySQL.
std::string md5(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return *duck_query("SELECT md5(" + quoted + "')")[0][0];
}

TEST(MysqlRowHashes, FollowTheEncodingContract) {
  MysqlTestConnection db;
  db.exec("DROP TABLE IF EXISTS `rh_single`");
  db.exec(
      "CREATE TABLE `rh_single` (id INT PRIMARY KEY, t VARCHAR(20), n DECIMAL(6,2), "
      "l VARCHAR(10) CHARACTER SET latin1, f FLOAT, b VARBINARY(4))");
  db.exec(
      "INSERT INTO `rh_single` VALUES (1, 'abc', 12.50, 'é', 0.1, 0x00FF), "
      "(2, NULL, NULL, NULL, NULL, NULL), (3, 'N', -1.00, '', 1.5, '')");
  std::map<std::string, std::string> hashes = row_hashes("rh_single");
  ASSERT_EQ(hashes.size(), 3u);
  // Text in utf8mb4 (é is 2 bytes even from latin1), FLOAT as its exact
  // double, bytes as lowercase hex.
  EXPECT_EQ(hashes["1"], md5("V1:1V3:abcV5:12.50V2:éV19:0.10000000149011612V4:00ff"));
  EXPECT_EQ(hashes["2"], md5("V1:2NNNNN"));
  EXPECT_EQ(hashes["3"], md5("V1:3V1:NV5:-1.00V0:V3:1.5V0:"));
}

TEST(MysqlRowHashes, AreSeparatorSafe) {
  MysqlTestConnection db;
  db.exec("DROP TABLE IF EXISTS `rh_separators`");
  db.exec("CREATE TABLE `rh_separators` (id INT PRIMARY KEY, a VARCHAR(10), b VARCHAR(10))");
  db.exec(
      "INSERT INTO `rh_separators` VALUES (1, 'a', 'bc'), (2, 'ab', 'c'), (3, NULL, 'N'), "
      "(4, 'N', NULL)");
  std::map<std::string, std::string> hashes = row_hashes("rh_separators");
  ASSERT_EQ(hashes.size(), 4u);
  // Same key text would collide; compare the value parts through distinct keys.
  EXPECT_NE(hashes["1"], hashes["2"]);
  EXPECT_EQ(hashes["3"], md5("V1:3NV1:N"));
  EXPECT_EQ(hashes["4"], md5("V1:4V1:NN"));
}

TEST(MysqlRowHashes, CompositeKeyIsEncodedAndUniqueKeyServesWithoutPrimary) {
  MysqlTestConnection db;
  db.exec("DROP TABLE IF EXISTS `rh_composite`");
  db.exec(
      "CREATE TABLE `rh_composite` (a INT NOT NULL, b VARCHAR(5) NOT NULL, v INT, "
      "UNIQUE KEY ab (a, b))");
  db.exec("INSERT INTO `rh_composite` VALUES (1, 'x', 7)");
  std::map<std::string, std::string> hashes = row_hashes("rh_composite");
  ASSERT_EQ(hashes.size(), 1u);
  EXPECT_EQ(hashes.begin()->first, "V1:1V1:x");
  EXPECT_EQ(hashes.begin()->second, md5("V1:1V1:xV1:7"));
}

TEST(MysqlRowHashes, HashesCommandWritesThemToTheStateFolder) {
  MysqlTestConnection db;
  db.exec("DROP TABLE IF EXISTS `rh_command`");
  db.exec("CREATE TABLE `rh_command` (id INT PRIMARY KEY, t VARCHAR(20))");
  db.exec("INSERT INTO `rh_command` VALUES (1, 'abc'), (2, NULL)");
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun run = run_dvt_in(dir.path(), {"hashes", "my:rh_command", "--staging-dir", dir.path()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Rows rows = duck_query("SELECT _pk, _hash FROM '" + dir.file("_state/rh_command.hashes.parquet") +
                         "' ORDER BY _pk");
  EXPECT_EQ(rows, (Rows{{"1", md5("V1:1V3:abc")}, {"2", md5("V1:2N")}}));
}

TEST(MysqlRowHashes, TableWithoutKeyIsAConfigError) {
  MysqlTestConnection db;
  db.exec("DROP TABLE IF EXISTS `rh_nokey`");
  db.exec("CREATE TABLE `rh_nokey` (a INT, b INT, UNIQUE KEY nullable_b (b))");
  Engine engine;
  OutputConfig output = mysql_output();
  std::unique_ptr<Connector> connector = make_connector(output, engine);
  try {
    connector->open_row_hashes(engine, TableRef{"", "rh_nokey"}, nullptr);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("has no primary key and no unique key on NOT NULL "
                        "columns"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace dvt::test
