#include "connectors/clickhouse/ch_session.h"

#include <cctype>
#include <regex>

#include <fmt/format.h>

#include "core/log.h"
#include "core/output_config.h"

namespace dvt::ch {

ChConfig ChConfig::from(const OutputConfig& output) {
  ChConfig config;
  config.output = output.name();
  config.host = output.require("host");
  config.secure = output.get_bool("secure", false);
  config.http_port = output.get_int("port", config.secure ? 8443 : 8123);
  config.native_port = output.get_int("native_port", config.secure ? 9440 : 9000);
  config.user = output.get_or("user", "default");
  if (config.user.empty()) config.user = "default";
  config.password = output.get_or("password", output.get_or("pass", ""));
  // dbt-clickhouse names the database `schema`; `database` is accepted too.
  config.database = output.get_or("database", output.get_or("schema", "default"));
  if (config.database.empty()) config.database = "default";
  config.connect_timeout = output.get_int("connect_timeout", 10);
  std::string strings = output.get_or("strings", "text");
  if (strings == "text") {
    config.strings = StringRule::kText;
  } else if (strings == "blob") {
    config.strings = StringRule::kBlob;
  } else {
    throw ConfigError(fmt::format("{}: output '{}': strings must be 'text' or 'blob', got '{}'",
                                  output.location(), output.name(), strings));
  }
  for (const std::string* value : {&config.user, &config.password, &config.database}) {
    if (value->find_first_of("\r\n") != std::string::npos) {
      throw ConfigError(
          fmt::format("{}: output '{}': user, password and database cannot contain line breaks",
                      output.location(), output.name()));
    }
  }
  if (!config.password.empty()) Logger::instance().add_secret(config.password);
  return config;
}

std::string ChConfig::label(bool native_port_used) const {
  return fmt::format("output '{}' ({}:{})", output, host,
                     native_port_used ? native_port : http_port);
}

int server_error_code(const std::string& text) {
  static const std::regex kCode(R"(Code:\s*(\d+))");
  std::smatch match;
  if (std::regex_search(text, match, kCode)) return std::stoi(match[1].str());
  return -1;
}

std::string server_message(const std::string& text) {
  std::string message = text;
  // 18.x: "Code: 60, e.displayText() = DB::Exception: X, e.what() = DB::Exception"
  // newer: "Code: 60. DB::Exception: X. (UNKNOWN_TABLE) (version ...)"
  static const std::regex kTail(R"(,\s*e\.what\(\)\s*=\s*DB::\w+\s*$)");
  message = std::regex_replace(message, kTail, "");
  size_t marker = message.rfind("DB::Exception: ");
  if (marker == std::string::npos) marker = message.rfind("DB::NetException: ");
  std::string code;
  if (int number = server_error_code(message); number >= 0)
    code = fmt::format(" (ClickHouse code {})", number);
  if (marker != std::string::npos) message = message.substr(message.find(": ", marker) + 2);
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())))
    message.pop_back();
  if (message.size() > 2000) message = message.substr(0, 2000) + "...";
  return Logger::instance().redact(message + code);
}

void throw_server_error(const ChConfig& config, const std::string& text, const std::string& sql,
                        bool native_port) {
  int code = server_error_code(text);
  std::string message = server_message(text);
  // 192 UNKNOWN_USER, 193 WRONG_PASSWORD, 194 REQUIRED_PASSWORD, 195 IP_ADDRESS_NOT_ALLOWED,
  // 516 AUTHENTICATION_FAILED, 497 ACCESS_DENIED.
  if (code == 192 || code == 193 || code == 194 || code == 195 || code == 516) {
    throw ConnectionError(
        fmt::format("{}: authentication failed for user '{}': {}; check profiles.yml output '{}'",
                    config.label(native_port), config.user, message, config.output));
  }
  // 81 UNKNOWN_DATABASE
  if (code == 81) {
    throw ConfigError(fmt::format("{}: {}; check the database of profiles.yml output '{}'",
                                  config.label(native_port), message, config.output));
  }
  std::string statement = sql.size() > 300 ? sql.substr(0, 300) + "..." : sql;
  // SQL that does not parse or bind: 16 NO_SUCH_COLUMN_IN_TABLE, 42
  // NUMBER_OF_ARGUMENTS_DOESNT_MATCH, 46 UNKNOWN_FUNCTION, 47
  // UNKNOWN_IDENTIFIER, 60 UNKNOWN_TABLE, 62 SYNTAX_ERROR, 179
  // MULTIPLE_EXPRESSIONS_FOR_ALIAS, 184 ILLEGAL_AGGREGATION, 215
  // NOT_AN_AGGREGATE, 352 AMBIGUOUS_COLUMN_NAME.
  switch (code) {
    case 16:
    case 42:
    case 46:
    case 47:
    case 60:
    case 62:
    case 179:
    case 184:
    case 215:
    case 352:
      throw SqlError(fmt::format("{}: SQL error (in ClickHouse): {} (in: {})",
                                 config.label(native_port), message, statement));
    default:
      throw DataError(
          fmt::format("{}: {} (in: {})", config.label(native_port), message, statement));
  }
}

}  // namespace dvt::ch
