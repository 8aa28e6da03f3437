// Connections to MySQL and MariaDB servers through MariaDB Connector/C
// (libmariadb), which speaks to both. One RAII owner per MYSQL and MYSQL_RES;
// nothing else in dvt calls mysql_close or mysql_free_result.
#pragma once

#include <mysql.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dvt {
class OutputConfig;
}

namespace dvt::mysql {

// What dvt does with a DATE/DATETIME/TIMESTAMP holding a zero month or day
// ('0000-00-00', '2024-00-10'), which MySQL stores but no calendar has.
enum class ZeroDates { kNull, kError };

// The fields of a `type: mysql` output (see docs/mysql.md#connection).
struct MysqlSettings {
  std::string output_name;
  std::string location;  // "profiles.yml:12", for messages
  std::string type;      // as written: mysql, mariadb, tidb, ...
  std::string host = "localhost";
  unsigned port = 3306;
  std::string user;
  std::string password;
  std::string database;  // `database` or `schema`; may be empty
  std::string unix_socket;
  std::string charset = "utf8mb4";
  std::string ssl_mode = "preferred";  // disabled, preferred, required, verify_ca, verify_identity
  std::string ssl_ca, ssl_cert, ssl_key;
  ZeroDates zero_dates = ZeroDates::kNull;
  bool tinyint1_as_boolean = false;  // TINYINT(1) -> BOOLEAN (values other than 0/1 fail)
  bool time_as_text = true;          // TIME -> VARCHAR; false: TIME (values outside a day fail)
  bool local_infile = true;          // false: never LOAD DATA LOCAL, always INSERT batches
  unsigned connect_timeout = 10;

  // Reads and checks an output. Throws ConfigError naming file and field.
  static MysqlSettings from(const OutputConfig& output);
  // "127.0.0.1:3306" or the socket path, for messages.
  std::string endpoint() const;
  // "output 'x' (127.0.0.1:3306)", for messages.
  std::string label() const;
};

// Owns one MYSQL_RES.
class MysqlResult {
 public:
  explicit MysqlResult(MYSQL_RES* result) : result_(result) {}
  ~MysqlResult() { reset(); }
  MysqlResult(MysqlResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  MysqlResult& operator=(MysqlResult&&) = delete;
  MysqlResult(const MysqlResult&) = delete;
  MysqlResult& operator=(const MysqlResult&) = delete;

  MYSQL_RES* get() const { return result_; }
  explicit operator bool() const { return result_ != nullptr; }
  // Frees the result held and takes `result`.
  void reset(MYSQL_RES* result = nullptr) {
    if (result_) mysql_free_result(result_);
    result_ = result;
  }

 private:
  MYSQL_RES* result_;
};

class MysqlConnection;

// Owns one prepared statement handle.
class MysqlStatement {
 public:
  // Throws ConnectionError when the handle cannot be allocated.
  explicit MysqlStatement(MysqlConnection& connection);
  ~MysqlStatement() { mysql_stmt_close(statement_); }
  MysqlStatement(const MysqlStatement&) = delete;
  MysqlStatement& operator=(const MysqlStatement&) = delete;
  MYSQL_STMT* get() const { return statement_; }

 private:
  MYSQL_STMT* statement_;
};

using MysqlRows = std::vector<std::vector<std::optional<std::string>>>;

// Owns one connection. The session always runs with time_zone '+00:00' (so
// TIMESTAMP values travel as UTC), the configured charset, and long network
// timeouts (a streamed result may wait on a slow consumer). Move-only; not
// thread-safe (one thread at a time may use it).
class MysqlConnection {
 public:
  enum class Purpose { kRead, kWrite };

  // Connects. Throws ConnectionError saying which output could not be reached
  // and why. kWrite sessions also enable LOAD DATA LOCAL on the client side and
  // set a strict sql_mode.
  MysqlConnection(const MysqlSettings& settings, Purpose purpose);
  ~MysqlConnection();
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  MYSQL* get() const { return mysql_; }
  const MysqlSettings& settings() const { return settings_; }

  // Runs a statement that returns no rows. Throws DataError with the
  // server's message and `sql`.
  void execute(const std::string& sql);
  // Runs a query and returns all its rows as text (NULL as nullopt). For
  // catalog queries, never for data.
  MysqlRows query(const std::string& sql);
  // The first column of the first row, or nullopt.
  std::optional<std::string> query_value(const std::string& sql);

  // Throws DataError "<doing> on <output>: <server error> (MySQL error N)".
  [[noreturn]] void raise(const std::string& doing) const;
  unsigned error_code() const { return mysql_errno(mysql_); }
  std::string error_text() const;

  // Makes every pending and future read or write on the socket fail at once,
  // so an unfinished streamed result can be released without draining it.
  void cancel() noexcept;

  // True for a MariaDB server.
  bool is_mariadb() const;
  // The default database of the session (the output's), or "".
  std::string current_database();

 private:
  MysqlSettings settings_;
  MYSQL* mysql_ = nullptr;
};

// Whether a server error `code` means SQL that does not parse or bind (a
// syntax error, an unknown table, column or function...): the user's SQL.
bool is_sql_error(unsigned code);

// `identifier` quoted with backticks (`a``b`).
std::string quote(const std::string& identifier);
// `value` as a utf8mb4 string literal that reads back as exactly `value`
// whatever the session's sql_mode ('abc', or _utf8mb4 X'...' when it holds a
// quote, a backslash or a NUL).
std::string literal(const std::string& value);

}  // namespace dvt::mysql
