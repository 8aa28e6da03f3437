// Logging for humans (text on stderr) or machines (one JSON object per line
// on stdout). Every message passes through secret redaction: values registered
// with add_secret() are replaced by "***" wherever they appear.
#pragma once

#include <nlohmann/json.hpp>

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace dvt {

enum class LogFormat { kText, kJson };
// kEvent: a step machines want to see (JSON at default verbosity) and humans
// only with -v; kInfo: shown to both.
enum class LogLevel { kDebug, kEvent, kInfo, kWarn, kError };

class Logger {
 public:
  static Logger& instance();

  // verbosity: -1 quiet (warnings and errors only), 0 normal, 1 verbose.
  void configure(LogFormat format, int verbosity);
  LogFormat format() const { return format_; }
  int verbosity() const { return verbosity_; }

  // Registers a value that must never be printed (a password, a token).
  void add_secret(std::string secret);
  // `text` with every registered secret replaced by "***".
  std::string redact(std::string text) const;

  // One event: `name` is a stable machine name ("extract.start"), `message`
  // the human sentence, `fields` extra JSON data.
  void log(LogLevel level, std::string_view name, std::string_view message,
           const nlohmann::json& fields = nlohmann::json::object());

  // The final result object: JSON on stdout in json mode; in text mode the
  // caller prints its own summary.
  void result(const nlohmann::json& result);

  // Serializes writes to the terminal (the progress line shares it).
  std::mutex& terminal_mutex() { return mutex_; }

 private:
  LogFormat format_ = LogFormat::kText;
  int verbosity_ = 0;
  std::vector<std::string> secrets_;
  mutable std::mutex mutex_;
};

inline void log_debug(std::string_view name, std::string_view message,
                      const nlohmann::json& fields = nlohmann::json::object()) {
  Logger::instance().log(LogLevel::kDebug, name, message, fields);
}
inline void log_event(std::string_view name, std::string_view message,
                      const nlohmann::json& fields = nlohmann::json::object()) {
  Logger::instance().log(LogLevel::kEvent, name, message, fields);
}
inline void log_info(std::string_view name, std::string_view message,
                     const nlohmann::json& fields = nlohmann::json::object()) {
  Logger::instance().log(LogLevel::kInfo, name, message, fields);
}
inline void log_warn(std::string_view name, std::string_view message,
                     const nlohmann::json& fields = nlohmann::json::object()) {
  Logger::instance().log(LogLevel::kWarn, name, message, fields);
}

}  // namespace dvt
