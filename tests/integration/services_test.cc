// The test servers scripts/services starts are up and reachable with the
// credentials services.env exports, through the same client libraries dvt
// links: libpq, libmariadb and libcurl (ClickHouse over HTTP).
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "support/services.h"

namespace dvt::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Sets (or unsets, for nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) {
      setenv(name_.c_str(), value->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// ---------------------------------------------------------------- PostgreSQL

struct PgDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgConn = std::unique_ptr<PGconn, PgDeleter>;
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

PgConn pg_connect(const ServerEnv& pg) {
  const std::string port = std::to_string(pg.port);
  const char* keys[] = {"host", "port", "user", "password", "dbname", "connect_timeout", nullptr};
  const char* values[] = {pg.host.c_str(),     port.c_str(), pg.user.c_str(), pg.password.c_str(),
                          pg.database.c_str(), "10",         nullptr};
  return PgConn(PQconnectdbParams(keys, values, 0));
}

std::string pg_value(PGconn* c, const std::string& sql) {
  PgResult r(PQexec(c, sql.c_str()));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    ADD_FAILURE() << sql << ": " << PQerrorMessage(c);
    return {};
  }
  if (PQntuples(r.get()) != 1 || PQnfields(r.get()) < 1) {
    ADD_FAILURE() << sql << ": expected one row";
    return {};
  }
  return PQgetvalue(r.get(), 0, 0);
}

TEST(Services, PostgresSelectOne) {
  ServerEnv pg = require_server("PG");
  PgConn c = pg_connect(pg);
  ASSERT_EQ(PQstatus(c.get()), CONNECTION_OK) << PQerrorMessage(c.get());
  EXPECT_EQ(pg_value(c.get(), "SELECT 1"), "1");
  EXPECT_EQ(pg_value(c.get(), "SELECT current_database()"), pg.database);
  EXPECT_GE(PQserverVersion(c.get()), 150000);
  EXPECT_EQ(pg_value(c.get(), "SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user"),
            "true");
  EXPECT_EQ(
      pg_value(c.get(), "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"),
      "1");
  EXPECT_EQ(pg_value(c.get(), "SELECT count(*) >= 0 FROM pg_stat_statements"), "t");

  // log_statement = 'all' writes every statement to DVT_TEST_PG_LOG.
  ASSERT_FALSE(pg.log_path.empty()) << "DVT_TEST_PG_LOG is not set";
  const std::string marker = "services_test_marker_" + std::to_string(getpid());
  EXPECT_EQ(pg_value(c.get(), "SELECT '" + marker + "'"), marker);
  EXPECT_NE(slurp(pg.log_path).find(marker), std::string::npos)
      << "statement not found in " << pg.log_path;
}

TEST(Services, PostgresRejectsWrongPassword) {
  ServerEnv pg = require_server("PG");
  pg.password = "not-the-password";
  PgConn c = pg_connect(pg);
  EXPECT_NE(PQstatus(c.get()), CONNECTION_OK);
}

// ------------------------------------------------------------------- MariaDB

struct MysqlDeleter {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
using MysqlConn = std::unique_ptr<MYSQL, MysqlDeleter>;

// Connects over TCP, or over the socket file when `socket` is given.
MysqlConn mysql_connect(const ServerEnv& my, const char* socket = nullptr) {
  MysqlConn m(mysql_init(nullptr));
  unsigned timeout = 10;
  mysql_optionsv(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  const char* host = socket ? "localhost" : my.host.c_str();
  if (!mysql_real_connect(m.get(), host, my.user.c_str(), my.password.c_str(), my.database.c_str(),
                          socket ? 0 : static_cast<unsigned>(my.port), socket, 0)) {
    ADD_FAILURE() << "mysql_real_connect: " << mysql_error(m.get());
    return nullptr;
  }
  return m;
}

std::string mysql_value(MYSQL* m, const std::string& sql) {
  if (mysql_query(m, sql.c_str()) != 0) {
    ADD_FAILURE() << sql << ": " << mysql_error(m);
    return {};
  }
  MYSQL_RES* result = mysql_store_result(m);
  if (!result) {
    ADD_FAILURE() << sql << ": no result";
    return {};
  }
  MYSQL_ROW row = mysql_fetch_row(result);
  std::string value = row && row[0] ? row[0] : "NULL";
  mysql_free_result(result);
  return value;
}

TEST(Services, MariaDbSelectOne) {
  ServerEnv my = require_server("MYSQL");
  MysqlConn m = mysql_connect(my);
  ASSERT_TRUE(m);
  EXPECT_EQ(mysql_value(m.get(), "SELECT 1"), "1");
  EXPECT_EQ(mysql_value(m.get(), "SELECT DATABASE()"), my.database);
  EXPECT_NE(mysql_value(m.get(), "SELECT VERSION()").find("MariaDB"), std::string::npos);
  EXPECT_EQ(mysql_value(m.get(), "SELECT @@local_infile"), "1");
  EXPECT_EQ(mysql_value(m.get(), "SELECT @@character_set_server"), "utf8mb4");
}

TEST(Services, MariaDbSocketSelectOne) {
  ServerEnv my = require_server("MYSQL");
  ASSERT_FALSE(my.socket.empty()) << "DVT_TEST_MYSQL_SOCKET is not set";
  MysqlConn m = mysql_connect(my, my.socket.c_str());
  ASSERT_TRUE(m);
  EXPECT_EQ(mysql_value(m.get(), "SELECT 1"), "1");
}

// ---------------------------------------------------------------- ClickHouse

size_t append_body(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct HttpReply {
  long status = 0;
  std::string body;
};

// POSTs `sql` to the ClickHouse HTTP interface; credentials as HTTP basic auth
// (ClickHouse 18.16 also takes X-ClickHouse-User/-Key headers and
// ?user=&password= parameters).
HttpReply clickhouse_post(const ServerEnv& ch, const std::string& sql,
                          bool with_credentials = true) {
  HttpReply reply;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    ADD_FAILURE() << "curl_easy_init failed";
    return reply;
  }
  const std::string url =
      "http://" + ch.host + ":" + std::to_string(ch.port) + "/?database=" + ch.database;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, sql.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(sql.size()));
  if (with_credentials) {
    curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, ch.user.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, ch.password.c_str());
  }
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply.body);
  CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    ADD_FAILURE() << url << ": " << curl_easy_strerror(code);
    return reply;
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

TEST(Services, ClickHouseHttpSelectOne) {
  ServerEnv ch = require_server("CH");
  HttpReply one = clickhouse_post(ch, "SELECT 1");
  EXPECT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.body, "1\n");
  HttpReply database = clickhouse_post(ch, "SELECT currentDatabase()");
  EXPECT_EQ(database.body, ch.database + "\n");
  HttpReply version = clickhouse_post(ch, "SELECT version()");
  EXPECT_EQ(version.status, 200) << version.body;
  EXPECT_FALSE(version.body.empty());
}

TEST(Services, ClickHouseRequiresCredentials) {
  // The `default` user has a password nobody knows: a request that forgets its
  // credentials must fail rather than quietly run as `default`.
  ServerEnv ch = require_server("CH");
  HttpReply anonymous = clickhouse_post(ch, "SELECT 1", /*with_credentials=*/false);
  EXPECT_NE(anonymous.status, 200) << anonymous.body;
}

TEST(Services, ClickHouseNativePortAccepts) {
  ServerEnv ch = require_server("CH");
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(ch.native_port));
  ASSERT_EQ(inet_pton(AF_INET, ch.host.c_str(), &address.sin_addr), 1) << ch.host;
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  int error = errno;
  close(fd);
  EXPECT_EQ(rc, 0) << "connect to " << ch.host << ":" << ch.native_port << ": " << strerror(error);
}

// ---------------------------------------------------------------- the helpers

TEST(Services, MissingServerFailsInsteadOfSkipping) {
  ScopedEnv host("DVT_TEST_PG_HOST", std::nullopt);
  ScopedEnv dir("DVT_SERVICES_DIR", "/nonexistent/dvt-services");
  const std::string expected =
      "PostgreSQL test server not configured: run the suite through scripts/test, which starts it";
  std::string thrown;
  auto call = [&thrown] {
    try {
      require_server("PG");
    } catch (const std::runtime_error& e) {
      thrown = e.what();
    }
  };
  // One non-fatal failure recorded (the test fails even if a caller swallows
  // the exception) ...
  EXPECT_NONFATAL_FAILURE(call(),
                          "PostgreSQL test server not configured: run the suite through "
                          "scripts/test, which starts it");
  // ... and an exception, so the calling test stops.
  EXPECT_NE(thrown.find(expected), std::string::npos) << thrown;
}

TEST(Services, WriteProfiles) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("dvt-services-test-" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::string body = "demo:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n";
  const std::string path = write_profiles((dir / "nested").string(), body);
  EXPECT_EQ(path, (dir / "nested" / "profiles.yml").string());
  EXPECT_EQ(slurp(path), body);
  struct stat info {};
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dvt::test
