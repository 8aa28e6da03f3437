#include "connectors/mysql/mysql_connection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "core/error.h"
#include "core/log.h"
#include "core/output_config.h"

namespace dvt::mysql {
namespace {

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// mysql_library_init is not thread-safe; mysql_init would call it lazily.
void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

}  // namespace

MysqlSettings MysqlSettings::from(const OutputConfig& output) {
  MysqlSettings settings;
  settings.output_name = output.name();
  settings.location = output.location();
  settings.type = output.type();
  settings.host = output.get_or("host", "localhost");
  int port = output.get_int("port", 3306);
  if (port <= 0 || port > 65535) {
    throw ConfigError(fmt::format("{}: output '{}': port {} is not a TCP port", settings.location,
                                  settings.output_name, port));
  }
  settings.port = static_cast<unsigned>(port);
  settings.user = output.get_or("user", "");
  settings.password = output.get_or("password", "");
  // dbt-mysql calls the database `schema`; both spellings are accepted.
  auto database = output.get("database");
  auto schema = output.get("schema");
  if (database && schema && *database != *schema) {
    throw ConfigError(fmt::format(
        "{}: output '{}': `database` ('{}') and `schema` ('{}') disagree; in MySQL they are the "
        "same thing, set only one",
        settings.location, settings.output_name, *database, *schema));
  }
  settings.database = database ? *database : schema.value_or("");
  settings.unix_socket = output.get_or("unix_socket", output.get_or("socket", ""));
  settings.charset = lower(output.get_or("charset", "utf8mb4"));
  if (settings.charset == "utf8") settings.charset = "utf8mb3";
  if (settings.charset != "utf8mb4" && settings.charset != "utf8mb3") {
    throw ConfigError(fmt::format(
        "{}: output '{}': charset '{}' is not supported: dvt carries text as UTF-8, so the "
        "connection charset must be utf8mb4 (the default) or utf8mb3; the server converts "
        "columns in any other charset (latin1, ...) to it",
        settings.location, settings.output_name, settings.charset));
  }
  if (settings.charset == "utf8mb3") {
    log_warn("mysql.charset",
             fmt::format("output '{}': charset utf8mb3 cannot carry 4-byte characters (emoji, "
                         "...); the server replaces them with '?'. Use utf8mb4 unless the server "
                         "lacks it",
                         settings.output_name));
  }
  settings.ssl_mode = lower(output.get_or("ssl_mode", "preferred"));
  for (char& c : settings.ssl_mode) {
    if (c == '-') c = '_';
  }
  static const std::vector<std::string> kSslModes = {"disabled", "preferred", "required",
                                                     "verify_ca", "verify_identity"};
  if (std::find(kSslModes.begin(), kSslModes.end(), settings.ssl_mode) == kSslModes.end()) {
    throw ConfigError(fmt::format(
        "{}: output '{}': ssl_mode '{}' is not one of disabled, preferred, required, verify_ca, "
        "verify_identity",
        settings.location, settings.output_name, settings.ssl_mode));
  }
  settings.ssl_ca = output.get_or("ssl_ca", "");
  settings.ssl_cert = output.get_or("ssl_cert", "");
  settings.ssl_key = output.get_or("ssl_key", "");
  std::string zero_dates = lower(output.get_or("zero_dates", "null"));
  if (zero_dates == "null") {
    settings.zero_dates = ZeroDates::kNull;
  } else if (zero_dates == "error") {
    settings.zero_dates = ZeroDates::kError;
  } else {
    throw ConfigError(fmt::format("{}: output '{}': zero_dates must be null or error, got '{}'",
                                  settings.location, settings.output_name, zero_dates));
  }
  settings.tinyint1_as_boolean = output.get_bool("tinyint1_as_boolean", false);
  std::string time_type = lower(output.get_or("time_type", "text"));
  if (time_type != "text" && time_type != "time") {
    throw ConfigError(fmt::format("{}: output '{}': time_type must be text or time, got '{}'",
                                  settings.location, settings.output_name, time_type));
  }
  settings.time_as_text = time_type == "text";
  settings.local_infile = output.get_bool("local_infile", true);
  settings.connect_timeout =
      static_cast<unsigned>(std::max(1, output.get_int("connect_timeout", 10)));
  return settings;
}

std::string MysqlSettings::endpoint() const {
  if (!unix_socket.empty()) return unix_socket;
  return fmt::format("{}:{}", host, port);
}

std::string MysqlSettings::label() const {
  return fmt::format("output '{}' ({})", output_name, endpoint());
}

MysqlConnection::MysqlConnection(const MysqlSettings& settings, Purpose purpose)
    : settings_(settings) {
  init_library();
  mysql_ = mysql_init(nullptr);
  if (!mysql_) throw ConnectionError("cannot allocate a MySQL connection handle (out of memory)");
  mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, settings.charset.c_str());
  // mysql_stmt_fetch then says when a value did not fit its buffer.
  my_bool report_truncation = 1;
  mysql_optionsv(mysql_, MYSQL_REPORT_DATA_TRUNCATION, &report_truncation);
  unsigned timeout = settings.connect_timeout;
  mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  // Client-side permission for LOAD DATA LOCAL; the server decides too.
  unsigned local_infile = purpose == Purpose::kWrite ? 1 : 0;
  mysql_optionsv(mysql_, MYSQL_OPT_LOCAL_INFILE, &local_infile);
  if (settings.ssl_mode != "disabled") {
    if (!settings.ssl_ca.empty()) mysql_optionsv(mysql_, MYSQL_OPT_SSL_CA, settings.ssl_ca.c_str());
    if (!settings.ssl_cert.empty()) {
      mysql_optionsv(mysql_, MYSQL_OPT_SSL_CERT, settings.ssl_cert.c_str());
    }
    if (!settings.ssl_key.empty())
      mysql_optionsv(mysql_, MYSQL_OPT_SSL_KEY, settings.ssl_key.c_str());
  }
  if (settings.ssl_mode == "required" || settings.ssl_mode == "verify_ca" ||
      settings.ssl_mode == "verify_identity") {
    my_bool enforce = 1;
    mysql_optionsv(mysql_, MYSQL_OPT_SSL_ENFORCE, &enforce);
  }
  if (settings.ssl_mode == "verify_ca" || settings.ssl_mode == "verify_identity") {
    my_bool verify = 1;
    mysql_optionsv(mysql_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  }
  const char* socket = settings.unix_socket.empty() ? nullptr : settings.unix_socket.c_str();
  const char* database = settings.database.empty() ? nullptr : settings.database.c_str();
  unsigned long flags = purpose == Purpose::kWrite ? CLIENT_LOCAL_FILES : 0;
  if (!mysql_real_connect(mysql_, settings.host.c_str(), settings.user.c_str(),
                          settings.password.c_str(), database, settings.port, socket, flags)) {
    std::string message = Logger::instance().redact(mysql_error(mysql_));
    unsigned code = mysql_errno(mysql_);
    mysql_close(mysql_);
    mysql_ = nullptr;
    throw ConnectionError(fmt::format(
        "cannot connect to {} as user '{}': {} (MySQL error {}): check output '{}' in {}",
        settings.label(), settings.user, message, code, settings.output_name, settings.location));
  }
  try {
    // SET NAMES fixes character_set_results too, whatever the server defaults.
    std::string session = fmt::format(
        "SET NAMES {}, time_zone = '+00:00', SESSION net_write_timeout = 3600, SESSION "
        "net_read_timeout = 3600",
        settings.charset);
    if (purpose == Purpose::kWrite) {
      // Strict: a bad value is an error, not a silent clip. NO_AUTO_VALUE_ON_ZERO:
      // a 0 loaded into an AUTO_INCREMENT column stays 0. No ANSI_QUOTES or
      // NO_BACKSLASH_ESCAPES: the SQL dvt writes relies on neither.
      session +=
          ", SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION,"
          "ERROR_FOR_DIVISION_BY_ZERO'";
    }
    execute(session);
  } catch (...) {
    mysql_close(mysql_);
    mysql_ = nullptr;
    throw;
  }
}

MysqlConnection::~MysqlConnection() {
  if (mysql_) mysql_close(mysql_);
}

std::string MysqlConnection::error_text() const {
  return Logger::instance().redact(mysql_error(mysql_));
}

bool is_sql_error(unsigned code) {
  switch (code) {
    case 1051:  // ER_BAD_TABLE_ERROR
    case 1052:  // ER_NON_UNIQ_ERROR (ambiguous column)
    case 1054:  // ER_BAD_FIELD_ERROR
    case 1055:  // ER_WRONG_FIELD_WITH_GROUP
    case 1056:  // ER_WRONG_GROUP_FIELD
    case 1060:  // ER_DUP_FIELDNAME
    case 1064:  // ER_PARSE_ERROR
    case 1109:  // ER_UNKNOWN_TABLE
    case 1111:  // ER_INVALID_GROUP_FUNC_USE
    case 1146:  // ER_NO_SUCH_TABLE
    case 1222:  // ER_WRONG_NUMBER_OF_COLUMNS_IN_SELECT
    case 1241:  // ER_OPERAND_COLUMNS
    case 1248:  // ER_DERIVED_MUST_HAVE_ALIAS
    case 1305:  // ER_SP_DOES_NOT_EXIST (function)
    case 1582:  // ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT
    case 1630:  // ER_FUNC_INEXISTENT_NAME_COLLISION
      return true;
    default:
      return false;
  }
}

void MysqlConnection::raise(const std::string& doing) const {
  std::string message = fmt::format("{} on {}: {}{} (MySQL error {})", doing, settings_.label(),
                                    is_sql_error(error_code()) ? "SQL error (in MySQL): " : "",
                                    error_text(), error_code());
  if (is_sql_error(error_code())) throw SqlError(message);
  throw DataError(message);
}

void MysqlConnection::execute(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    raise(fmt::format("running '{}'", sql));
  // A statement that unexpectedly returned rows: release them.
  MysqlResult ignored(mysql_store_result(mysql_));
}

MysqlRows MysqlConnection::query(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0)
    raise(fmt::format("running '{}'", sql));
  MysqlResult result(mysql_store_result(mysql_));
  MysqlRows rows;
  if (!result) {
    if (mysql_field_count(mysql_) != 0) raise(fmt::format("reading the result of '{}'", sql));
    return rows;
  }
  unsigned columns = mysql_num_fields(result.get());
  while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
    unsigned long* lengths = mysql_fetch_lengths(result.get());
    std::vector<std::optional<std::string>> values;
    values.reserve(columns);
    for (unsigned i = 0; i < columns; ++i) {
      if (row[i]) {
        values.emplace_back(std::string(row[i], lengths[i]));
      } else {
        values.emplace_back(std::nullopt);
      }
    }
    rows.push_back(std::move(values));
  }
  return rows;
}

std::optional<std::string> MysqlConnection::query_value(const std::string& sql) {
  MysqlRows rows = query(sql);
  if (rows.empty() || rows[0].empty()) return std::nullopt;
  return rows[0][0];
}

void MysqlConnection::cancel() noexcept {
  if (mysql_) mariadb_cancel(mysql_);
}

bool MysqlConnection::is_mariadb() const {
  const char* info = mysql_get_server_info(mysql_);
  return info && std::string_view(info).find("MariaDB") != std::string_view::npos;
}

std::string MysqlConnection::current_database() {
  return query_value("SELECT DATABASE()").value_or("");
}

MysqlStatement::MysqlStatement(MysqlConnection& connection)
    : statement_(mysql_stmt_init(connection.get())) {
  if (!statement_) throw ConnectionError("cannot allocate a MySQL statement (out of memory)");
}

std::string quote(const std::string& identifier) {
  std::string out = "`";
  for (char c : identifier) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string literal(const std::string& value) {
  bool plain = value.find_first_of(std::string_view("'\\\0", 3)) == std::string::npos;
  if (plain) return "'" + value + "'";
  // A hex literal reads the same whether or not the server's sql_mode has
  // NO_BACKSLASH_ESCAPES; the introducer makes it text, not binary.
  static const char kHex[] = "0123456789abcdef";
  std::string out = "_utf8mb4 X'";
  for (unsigned char c : value) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out + "'";
}

}  // namespace dvt::mysql
