#include "connectors/odbc/odbc_connection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "connectors/dialects.h"
#include "connectors/odbc/odbc_text.h"
#include "connectors/registry.h"
#include "core/error.h"
#include "core/log.h"
#include "core/output_config.h"

namespace dvt::odbc {

namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(std::string text) {
  text.erase(0, text.find_first_not_of(" \t"));
  text.erase(text.find_last_not_of(" \t") + 1);
  return text;
}

// Sets `key` (compared without case, as drivers do) to `value`, replacing an
// earlier value.
void set_keyword(std::vector<std::pair<std::string, std::string>>& keywords, const std::string& key,
                 const std::string& value) {
  for (auto& [existing, old] : keywords) {
    if (lower(existing) == lower(key)) {
      old = value;
      return;
    }
  }
  keywords.emplace_back(key, value);
}

// "Key=Value;Key={va;lue}" into keywords.
void add_options(std::vector<std::pair<std::string, std::string>>& keywords,
                 const std::string& text, const OutputConfig& output) {
  size_t at = 0;
  while (at < text.size()) {
    size_t equals = text.find('=', at);
    if (equals == std::string::npos) {
      if (!trim(text.substr(at)).empty()) {
        throw ConfigError(fmt::format("{}: output '{}': options has '{}' without '=Value'",
                                      output.location(), output.name(), trim(text.substr(at))));
      }
      break;
    }
    std::string key = trim(text.substr(at, equals - at));
    std::string value;
    size_t next = equals + 1;
    while (next < text.size() && text[next] == ' ') ++next;
    if (next < text.size() && text[next] == '{') {
      ++next;
      for (; next < text.size(); ++next) {
        if (text[next] == '}') {
          if (next + 1 < text.size() && text[next + 1] == '}') {
            value += '}';
            ++next;
            continue;
          }
          ++next;
          break;
        }
        value += text[next];
      }
      size_t semi = text.find(';', next);
      at = semi == std::string::npos ? text.size() : semi + 1;
    } else {
      size_t semi = text.find(';', next);
      value = trim(text.substr(next, semi == std::string::npos ? semi : semi - next));
      at = semi == std::string::npos ? text.size() : semi + 1;
    }
    if (!key.empty()) set_keyword(keywords, key, value);
  }
}

std::optional<std::string> first_field(const OutputConfig& output,
                                       std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto value = output.get(name)) return value;
  }
  return std::nullopt;
}

void add_database_fields(OdbcSettings& settings, const OutputConfig& output) {
  if (auto host = first_field(output, {"host", "server"}))
    settings.keywords.emplace_back("Server", *host);
  if (auto port = output.get("port")) settings.keywords.emplace_back("Port", *port);
  if (auto db = first_field(output, {"database", "dbname"}))
    settings.keywords.emplace_back("Database", *db);
  if (auto user = first_field(output, {"user", "username", "uid"}))
    settings.keywords.emplace_back("UID", *user);
  if (auto password = first_field(output, {"password", "pass", "pwd"})) {
    settings.password = *password;
    settings.keywords.emplace_back("PWD", *password);
  }
}

void register_secrets(const OdbcSettings& settings) {
  if (settings.password.empty()) return;
  Logger::instance().add_secret(settings.password);
  std::string quoted = connection_value(settings.password);
  if (quoted != settings.password) Logger::instance().add_secret(quoted);
}

TextMode parse_text_mode(const OutputConfig& output, const std::string& family) {
  std::string text =
      lower(output.get_or("text", driver_profile(family).narrow_text ? "narrow" : "wide"));
  if (text == "wide") return TextMode::kWide;
  if (text == "narrow") return TextMode::kNarrow;
  throw ConfigError(fmt::format("{}: output '{}': text is '{}'; use wide or narrow",
                                output.location(), output.name(), text));
}

void add_profile_keywords(OdbcSettings& settings, const OutputConfig& output,
                          const char* options_field) {
  const DriverProfile& profile = driver_profile(settings.family);
  for (const auto& [key, value] : profile.keywords)
    set_keyword(settings.keywords, std::string(key), std::string(value));
  if (auto options = output.get(options_field)) add_options(settings.keywords, *options, output);
  // A password given in options is as secret as the field.
  for (const auto& [key, value] : settings.keywords) {
    if (lower(key) == "pwd" || lower(key) == "password") settings.password = value;
  }
}

}  // namespace

std::string connection_value(const std::string& value) {
  bool plain = !value.empty() && value.find_first_of(";{}=") == std::string::npos &&
               value.front() != ' ' && value.back() != ' ';
  if (plain) return value;
  std::string quoted = "{";
  for (char c : value) {
    quoted += c;
    if (c == '}') quoted += '}';
  }
  quoted += '}';
  return quoted;
}

OdbcSettings OdbcSettings::for_odbc_output(const OutputConfig& output) {
  OdbcSettings settings;
  settings.output = output.name();
  settings.dsn = output.get_or("dsn", "");
  settings.driver = output.get_or("driver", "");
  settings.schema = output.get_or("schema", "");
  settings.login_timeout = output.get_int("connect_timeout", 10);
  if (settings.dsn.empty() && settings.driver.empty()) {
    throw ConfigError(fmt::format(
        "{}: output '{}' (type odbc) names neither `dsn:` (a data source of odbc.ini) nor "
        "`driver:` (a driver of odbcinst.ini, with host, port, database, user, password)",
        output.location(), output.name()));
  }
  if (auto dialect = output.get("dialect")) {
    const AdapterInfo* adapter = find_adapter(lower(*dialect));
    if (!adapter && lower(*dialect) != "standard") {
      throw ConfigError(fmt::format("{}: output '{}': dialect '{}' is not a family dvt knows ({})",
                                    output.location(), output.name(), *dialect,
                                    known_adapter_names()));
    }
    settings.family = adapter ? std::string(adapter->type) : "standard";
  }
  // A driver named for its database ("PostgreSQL Unicode") says the family
  // before connecting, so its profile's keywords apply from the start.
  if (settings.family.empty() && !settings.driver.empty())
    settings.family = family_of_dbms(settings.driver);
  settings.text = parse_text_mode(output, settings.family);
  add_database_fields(settings, output);
  add_profile_keywords(settings, output, "options");
  register_secrets(settings);
  return settings;
}

OdbcSettings OdbcSettings::for_family_output(const OutputConfig& output,
                                             const std::string& family) {
  OdbcSettings settings;
  settings.output = output.name();
  settings.family = family;
  settings.schema = output.get_or("schema", "");
  settings.login_timeout = output.get_int("connect_timeout", 10);
  settings.driver = output.get_or("odbc_driver", "");
  settings.text = parse_text_mode(output, family);
  const AdapterInfo* adapter = find_adapter(family);
  if (settings.driver.empty()) {
    std::vector<std::string> matching;
    for (const auto& name : registered_drivers()) {
      if (adapter && matches_any(name, adapter->odbc_driver_match)) matching.push_back(name);
    }
    std::stable_sort(matching.begin(), matching.end(), [](const auto& a, const auto& b) {
      return (lower(a).find("unicode") != std::string::npos) >
             (lower(b).find("unicode") != std::string::npos);
    });
    if (matching.empty()) {
      std::string_view package = driver_profile(family).apt_package;
      throw TierUnavailable(fmt::format(
          "output '{}': the odbc tier needs an ODBC driver for {} registered with unixODBC, and "
          "none is{}",
          output.name(), family,
          package.empty() ? "" : fmt::format("; install it with: apt-get install {}", package)));
    }
    settings.driver = matching.front();
  }
  add_database_fields(settings, output);
  if (family == "postgres" && !output.has("port")) settings.keywords.emplace_back("Port", "5432");
  // dbt-mysql calls the database `schema`.
  if (family == "mysql" && !output.has("database") && !output.has("dbname") && output.has("schema"))
    settings.keywords.emplace_back("Database", *output.get("schema"));
  add_profile_keywords(settings, output, "odbc_options");
  register_secrets(settings);
  return settings;
}

std::string OdbcSettings::connection_string() const {
  std::string text;
  if (!dsn.empty()) {
    text = "DSN=" + connection_value(dsn) + ";";
  } else {
    text = "DRIVER=" + connection_value(driver) + ";";
    // A driver name must be braced even when plain: some managers read
    // "DRIVER=PostgreSQL Unicode" up to the space.
    if (text[7] != '{') text = "DRIVER={" + driver + "};";
  }
  for (const auto& [key, value] : keywords) text += key + "=" + connection_value(value) + ";";
  return text;
}

std::string OdbcSettings::label() const {
  if (!dsn.empty()) return fmt::format("output '{}' (ODBC data source '{}')", output, dsn);
  return fmt::format("output '{}' (ODBC driver '{}')", output, driver);
}

std::vector<std::string> registered_drivers() {
  std::vector<std::string> names;
  Handle env(SQL_HANDLE_ENV, SQL_NULL_HANDLE);
  SQLSetEnvAttr(env.get(), SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  SQLUSMALLINT direction = SQL_FETCH_FIRST;
  for (;;) {
    SQLCHAR description[512];
    SQLCHAR attributes[2048];
    SQLSMALLINT description_length = 0, attributes_length = 0;
    SQLRETURN rc =
        SQLDrivers(env.get(), direction, description, sizeof(description), &description_length,
                   attributes, sizeof(attributes), &attributes_length);
    if (!SQL_SUCCEEDED(rc)) break;
    names.emplace_back(reinterpret_cast<const char*>(description));
    direction = SQL_FETCH_NEXT;
  }
  return names;
}

OdbcConnection::OdbcConnection(OdbcSettings settings) : settings_(std::move(settings)) {
  connect();
  if (!settings_.family.empty() || family_.empty()) return;
  // A data source whose family shows only once connected: connect again
  // with the keywords of that family's driver profile, unless it needs none.
  const DriverProfile& detected = driver_profile(family_);
  if (detected.keywords.empty()) return;
  settings_.family = family_;
  for (const auto& [key, value] : detected.keywords) {
    bool given = false;
    for (const auto& [existing, old] : settings_.keywords)
      given |= lower(existing) == lower(std::string(key));
    if (!given) settings_.keywords.emplace_back(key, value);
  }
  SQLDisconnect(dbc_.get());
  connected_ = false;
  dbc_ = Handle();
  env_ = Handle();
  connect();
}

void OdbcConnection::connect() {
  env_ = Handle(SQL_HANDLE_ENV, SQL_NULL_HANDLE);
  check(SQLSetEnvAttr(env_.get(), SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3),
                      0),
        env_, "setting ODBC version 3");
  dbc_ = Handle(SQL_HANDLE_DBC, env_.get());
  SQLSetConnectAttr(dbc_.get(), SQL_ATTR_LOGIN_TIMEOUT,
                    reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(settings_.login_timeout)), 0);
  std::string text = settings_.connection_string();
  SQLRETURN rc;
  if (settings_.text == TextMode::kWide) {
    std::u16string wide = utf16(text);
    rc = SQLDriverConnectW(dbc_.get(), nullptr, reinterpret_cast<SQLWCHAR*>(wide.data()),
                           static_cast<SQLSMALLINT>(wide.size()), nullptr, 0, nullptr,
                           SQL_DRIVER_NOPROMPT);
  } else {
    rc = SQLDriverConnect(dbc_.get(), nullptr, reinterpret_cast<SQLCHAR*>(text.data()),
                          static_cast<SQLSMALLINT>(text.size()), nullptr, 0, nullptr,
                          SQL_DRIVER_NOPROMPT);
  }
  if (!SQL_SUCCEEDED(rc)) {
    Diagnostic d = diagnose(SQL_HANDLE_DBC, dbc_.get());
    std::string why = fmt::format("{}: cannot connect: {}{}", settings_.label(), d.message,
                                  d.sqlstate.empty() ? "" : " (SQLSTATE " + d.sqlstate + ")");
    // IM002: no such data source or driver; IM003: its library cannot be
    // loaded (unixODBC 2.3 says so with a bare warning, 01000 "Can't open
    // lib"). Another tier may still serve.
    if (d.sqlstate == "IM002" || d.sqlstate == "IM003" || d.sqlstate.starts_with("01")) {
      throw TierUnavailable(why + "; check the driver with `odbcinst -q -d` (dvt sync lists them)");
    }
    throw ConnectionError(why);
  }
  connected_ = true;
  auto text_info = [&](SQLUSMALLINT what) {
    SQLCHAR buffer[512] = {};
    SQLSMALLINT length = 0;
    if (!SQL_SUCCEEDED(SQLGetInfo(dbc_.get(), what, buffer, sizeof(buffer), &length)))
      return std::string();
    return std::string(reinterpret_cast<const char*>(buffer));
  };
  info_.dbms_name = text_info(SQL_DBMS_NAME);
  info_.dbms_version = text_info(SQL_DBMS_VER);
  info_.driver_name = text_info(SQL_DRIVER_NAME);
  info_.driver_version = text_info(SQL_DRIVER_VER);
  SQLGetInfo(dbc_.get(), SQL_GETDATA_EXTENSIONS, &info_.getdata_extensions,
             sizeof(info_.getdata_extensions), nullptr);
  SQLUSMALLINT txn = SQL_TC_ALL;
  SQLGetInfo(dbc_.get(), SQL_TXN_CAPABLE, &txn, sizeof(txn), nullptr);
  info_.transactions = txn != SQL_TC_NONE;
  family_ = settings_.family.empty() ? family_of_dbms(info_.dbms_name) : settings_.family;
  profile_ = &driver_profile(family_);
  for (const auto& statement : profile_->session) execute(std::string(statement));
}

OdbcConnection::~OdbcConnection() {
  if (in_transaction_) rollback();
  if (connected_) SQLDisconnect(dbc_.get());
}

Handle OdbcConnection::statement() const {
  return Handle(SQL_HANDLE_STMT, dbc_.get());
}

SQLRETURN OdbcConnection::exec_direct(SQLHSTMT statement, const std::string& sql) const {
  if (settings_.text == TextMode::kWide) {
    std::u16string wide = utf16(sql);
    return SQLExecDirectW(statement, reinterpret_cast<SQLWCHAR*>(wide.data()),
                          static_cast<SQLINTEGER>(wide.size()));
  }
  return SQLExecDirect(statement, reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.data())),
                       static_cast<SQLINTEGER>(sql.size()));
}

SQLRETURN OdbcConnection::prepare(SQLHSTMT statement, const std::string& sql) const {
  if (settings_.text == TextMode::kWide) {
    std::u16string wide = utf16(sql);
    return SQLPrepareW(statement, reinterpret_cast<SQLWCHAR*>(wide.data()),
                       static_cast<SQLINTEGER>(wide.size()));
  }
  return SQLPrepare(statement, reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.data())),
                    static_cast<SQLINTEGER>(sql.size()));
}

std::optional<uint64_t> OdbcConnection::execute(const std::string& sql) {
  log_debug("odbc.execute", fmt::format("{}: {}", settings_.label(), sql));
  Handle statement = this->statement();
  SQLRETURN rc = exec_direct(statement.get(), sql);
  if (rc == SQL_NO_DATA) return 0;  // a searched UPDATE or DELETE that matched no row
  check(rc, statement, fmt::format("{}: running {}", settings_.label(), sql));
  SQLLEN count = -1;
  if (!SQL_SUCCEEDED(SQLRowCount(statement.get(), &count)) || count < 0) return std::nullopt;
  return static_cast<uint64_t>(count);
}

std::vector<std::vector<std::optional<std::string>>> OdbcConnection::rows(const std::string& sql) {
  log_debug("odbc.query", fmt::format("{}: {}", settings_.label(), sql));
  Handle statement = this->statement();
  std::string doing = fmt::format("{}: running {}", settings_.label(), sql);
  check(exec_direct(statement.get(), sql), statement, doing);
  SQLSMALLINT columns = 0;
  check(SQLNumResultCols(statement.get(), &columns), statement, doing);
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (;;) {
    SQLRETURN rc = SQLFetch(statement.get());
    if (rc == SQL_NO_DATA) break;
    check(rc, statement, doing);
    std::vector<std::optional<std::string>> row;
    for (SQLSMALLINT c = 1; c <= columns; ++c)
      row.push_back(get_text(statement.get(), static_cast<SQLUSMALLINT>(c), settings_.text, doing));
    rows.push_back(std::move(row));
  }
  return rows;
}

void OdbcConnection::begin() {
  check(SQLSetConnectAttr(dbc_.get(), SQL_ATTR_AUTOCOMMIT,
                          reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_OFF), SQL_IS_UINTEGER),
        dbc_, fmt::format("{}: starting a transaction", settings_.label()));
  in_transaction_ = true;
}

void OdbcConnection::end_transaction(SQLSMALLINT completion) {
  in_transaction_ = false;
  SQLRETURN rc = SQLEndTran(SQL_HANDLE_DBC, dbc_.get(), completion);
  SQLSetConnectAttr(dbc_.get(), SQL_ATTR_AUTOCOMMIT,
                    reinterpret_cast<SQLPOINTER>(SQL_AUTOCOMMIT_ON), SQL_IS_UINTEGER);
  if (completion == SQL_COMMIT) {
    check(rc, dbc_, fmt::format("{}: committing", settings_.label()));
  }
}

void OdbcConnection::commit() {
  end_transaction(SQL_COMMIT);
}

void OdbcConnection::rollback() noexcept {
  try {
    end_transaction(SQL_ROLLBACK);
  } catch (...) {
  }
}

std::optional<std::string> get_text(SQLHSTMT statement, SQLUSMALLINT column, TextMode mode,
                                    std::string_view doing) {
  const bool wide = mode == TextMode::kWide;
  const SQLSMALLINT c_type = wide ? SQL_C_WCHAR : SQL_C_CHAR;
  const size_t terminator = wide ? sizeof(SQLWCHAR) : 1;
  alignas(SQLWCHAR) char buffer[4096];
  std::string out;
  for (;;) {
    SQLLEN indicator = 0;
    SQLRETURN rc = SQLGetData(statement, column, c_type, buffer, sizeof(buffer), &indicator);
    if (rc == SQL_NO_DATA) break;
    check(rc, SQL_HANDLE_STMT, statement, doing);
    if (indicator == SQL_NULL_DATA) return std::nullopt;
    // A part that filled the buffer ends one terminator short of it.
    bool partial =
        indicator == SQL_NO_TOTAL || indicator > static_cast<SQLLEN>(sizeof(buffer) - terminator);
    size_t bytes = partial ? sizeof(buffer) - terminator : static_cast<size_t>(indicator);
    if (!wide) {
      out.append(buffer, bytes);
    } else if (!append_utf8(reinterpret_cast<const SQLWCHAR*>(buffer), bytes / sizeof(SQLWCHAR),
                            out)) {
      throw DataError(fmt::format("{}: the driver sent text that is not valid UTF-16", doing));
    }
    if (!partial) break;
  }
  return out;
}

}  // namespace dvt::odbc
