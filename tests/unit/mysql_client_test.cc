#include <gtest/gtest.h>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_reader.h"
#include "core/error.h"
#include "project/profiles.h"

namespace dvt::mysql {
namespace {

MysqlSettings settings_of(std::map<std::string, std::string> fields) {
  fields.emplace("type", "mysql");
  return MysqlSettings::from(OutputConfig("shop", "profiles.yml", 3, fields));
}

TEST(MysqlClient, PasswordReachesTheClientThroughItsEnvironmentOnly) {
  MysqlSettings settings = settings_of({{"host", "db.example.com"},
                                        {"port", "3307"},
                                        {"user", "loader"},
                                        {"password", "s3cret-pw"},
                                        {"schema", "shop"},
                                        {"ssl_mode", "VERIFY-IDENTITY"}});
  ChildOptions options = client_command(settings, "SELECT 1", {"--batch"});
  for (const auto& arg : options.argv) {
    EXPECT_EQ(arg.find("s3cret-pw"), std::string::npos) << arg;
  }
  EXPECT_EQ(options.environment,
            (std::vector<std::pair<std::string, std::string>>{{"MYSQL_PWD", "s3cret-pw"}}));
  std::vector<std::string> expected_tail = {"--database=shop", "--batch", "--execute=SELECT 1"};
  ASSERT_GE(options.argv.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(options.argv.end() - 3, options.argv.end()), expected_tail);
  EXPECT_EQ(options.argv[1], "--no-defaults");
  EXPECT_NE(std::find(options.argv.begin(), options.argv.end(), "--host=db.example.com"),
            options.argv.end());
  EXPECT_NE(std::find(options.argv.begin(), options.argv.end(), "--port=3307"), options.argv.end());
}

TEST(MysqlClient, SettingsReadDbtMysqlFieldsAndRejectWhatCannotBeExact) {
  MysqlSettings settings = settings_of({{"host", "h"}, {"user", "u"}, {"schema", "shop"}});
  EXPECT_EQ(settings.database, "shop");
  EXPECT_EQ(settings.port, 3306u);
  EXPECT_EQ(settings.charset, "utf8mb4");
  EXPECT_EQ(settings.zero_dates, ZeroDates::kNull);
  EXPECT_TRUE(settings.time_as_text);
  EXPECT_EQ(settings.label(), "output 'shop' (h:3306)");
  EXPECT_EQ(settings_of({{"host", "h"}, {"user", "u"}, {"unix_socket", "/run/my.sock"}}).label(),
            "output 'shop' (/run/my.sock)");
  EXPECT_THROW(settings_of({{"host", "h"}, {"user", "u"}, {"charset", "latin1"}}), ConfigError);
  EXPECT_THROW(settings_of({{"host", "h"}, {"user", "u"}, {"zero_dates", "maybe"}}), ConfigError);
  EXPECT_THROW(settings_of({{"host", "h"}, {"user", "u"}, {"ssl_mode", "sometimes"}}), ConfigError);
  EXPECT_THROW(settings_of({{"host", "h"}, {"user", "u"}, {"database", "a"}, {"schema", "b"}}),
               ConfigError);
}

TEST(MysqlClient, LiteralsReadBackExactlyInAnySqlMode) {
  EXPECT_EQ(literal("plain"), "'plain'");
  EXPECT_EQ(literal("it's"), "_utf8mb4 X'69742773'");
  EXPECT_EQ(literal("a\\b"), "_utf8mb4 X'615c62'");
  EXPECT_EQ(quote("a`b"), "`a``b`");
}

}  // namespace
}  // namespace dvt::mysql
