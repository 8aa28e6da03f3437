// Connecting to MySQL: every alias of the family runs the same connector,
// the Unix socket works for both tiers, and a failed login names the output
// but never the password.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "integration/mysql_support.h"
#include "support/embedded.h"
#include "support/run_dvt.h"
#include "support/services.h"

namespace dvt::test {
namespace {

void create_small_table(MysqlTestConnection& db, const std::string& table) {
  db.exec("DROP TABLE IF EXISTS `" + table + "`");
  db.exec("CREATE TABLE `" + table + "` (id INT PRIMARY KEY, v VARCHAR(20))");
  db.exec("INSERT INTO `" + table + "` VALUES (1, 'one'), (2, 'NULL'), (3, NULL)");
}

TEST(MysqlConnection, AliasesRunTheSameConnector) {
  MysqlTestConnection db;
  create_small_table(db, "cn_alias");
  for (const char* type :
       {"mysql", "mariadb", "tidb", "singlestore", "aurora_mysql", "planetscale", "vitess"}) {
    TempDir dir;
    write_mysql_profiles(dir.path(), {}, type);
    DvtRun run = run_dvt_in(dir.path(), {"extract", "my:cn_alias", "--staging-dir", dir.path()});
    ASSERT_EQ(run.exit_code, 0) << type << ": " << run.err;
    EXPECT_NE(run.out.find("method: native -> native"), std::string::npos)
        << type << ": " << run.out;
    EXPECT_EQ(duck_query("SELECT string_agg(id || '=' || coalesce(v, '<null>'), ',' ORDER BY id) "
                         "FROM '" +
                         dir.file("cn_alias.parquet") + "'"),
              (Rows{{"1=one,2=NULL,3=<null>"}}))
        << type;
  }
}

// The socket file instead of TCP: reads and loads, by both tiers (the pipe
// tier hands the path to the client as --socket).
TEST(MysqlConnection, UnixSocketServesBothTiers) {
  MysqlServer server = mysql_server();
  ASSERT_FALSE(server.socket.empty()) << "the test server has no socket";
  MysqlTestConnection db;
  create_small_table(db, "cn_socket");
  for (const std::string method : {"native", "pipe"}) {
    const std::string target = "cn_socket_" + method;
    db.exec("DROP TABLE IF EXISTS `" + target + "`");
    TempDir dir;
    // Host localhost and no port: Connector/C and the client then use the
    // socket (TCP would go to port 3306, where the test server does not listen).
    write_profiles(dir.path(),
                   "test:\n  target: my\n  outputs:\n    my:\n      type: mysql\n"
                   "      host: localhost\n      unix_socket: " +
                       server.socket + "\n      user: " + server.user +
                       "\n      password: \"{{ env_var('DVT_TEST_MYSQL_PASSWORD') }}\"\n"
                       "      database: " +
                       server.database + "\n");
    DvtRun extract = run_dvt_in(
        dir.path(), {"extract", "my:cn_socket", "--staging-dir", dir.path(), "--method", method});
    ASSERT_EQ(extract.exit_code, 0) << method << ": " << extract.err;
    DvtRun load = run_dvt_in(
        dir.path(), {"load", dir.file("cn_socket.parquet"), "my:" + target, "--method", method});
    ASSERT_EQ(load.exit_code, 0) << method << ": " << load.err;
    EXPECT_NE(load.out.find("method: native -> " + method), std::string::npos) << load.out;
    EXPECT_EQ(differing_rows(db, "cn_socket", target), 0) << method;
  }
}

TEST(MysqlConnection, WrongPasswordNamesTheOutputButNotThePassword) {
  MysqlServer server = mysql_server();
  TempDir dir;
  write_profiles(dir.path(),
                 "test:\n  target: my\n  outputs:\n    my:\n      type: mysql\n"
                 "      host: " +
                     server.host + "\n      port: " + std::to_string(server.port) +
                     "\n      user: " + server.user +
                     "\n      password: not-the-Secret-42\n      database: " + server.database +
                     "\n");
  for (const std::string method : {"native", "pipe"}) {
    auto start = std::chrono::steady_clock::now();
    DvtRun run = run_dvt_in(
        dir.path(), {"extract", "my:cn_alias", "--staging-dir", dir.path(), "--method", method});
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(run.exit_code, 1) << method;
    EXPECT_NE(run.err.find("cannot connect to output 'my' (" + server.host + ":" +
                           std::to_string(server.port) + ") as user '" + server.user + "'"),
              std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find("Access denied for user"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("check output 'my' in"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("not-the-Secret-42"), std::string::npos) << run.err;
    EXPECT_EQ(run.out.find("not-the-Secret-42"), std::string::npos) << run.out;
    EXPECT_LT(seconds, 5.0) << method;
  }
}

}  // namespace
}  // namespace dvt::test
