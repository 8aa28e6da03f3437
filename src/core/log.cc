#include "core/log.h"

#include <chrono>
#include <cstdio>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace dvt {
namespace {

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kEvent:
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", std::chrono::floor<std::chrono::seconds>(now),
                     millis);
}

}  // namespace

Logger& Logger::instance() {
  static Logger logger;
  return logger;
}

void Logger::configure(LogFormat format, int verbosity) {
  format_ = format;
  verbosity_ = verbosity;
}

void Logger::add_secret(std::string secret) {
  if (secret.empty()) return;
  std::lock_guard lock(mutex_);
  secrets_.push_back(std::move(secret));
}

std::string Logger::redact(std::string text) const {
  for (const auto& secret : secrets_) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

void Logger::log(LogLevel level, std::string_view name, std::string_view message,
                 const nlohmann::json& fields) {
  if (level == LogLevel::kDebug && verbosity_ < 1) return;
  if (level == LogLevel::kInfo && verbosity_ < 0) return;
  if (level == LogLevel::kEvent && verbosity_ < (format_ == LogFormat::kJson ? 0 : 1)) return;
  std::lock_guard lock(mutex_);
  if (format_ == LogFormat::kJson) {
    nlohmann::json line = {{"ts", timestamp()},
                           {"level", level_name(level)},
                           {"event", name},
                           {"msg", redact(std::string(message))}};
    for (const auto& [key, value] : fields.items()) line[key] = value;
    std::string text = redact(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    std::fprintf(stdout, "%s\n", text.c_str());
    std::fflush(stdout);
    return;
  }
  const char* prefix = level == LogLevel::kWarn    ? "warning: "
                       : level == LogLevel::kError ? "error: "
                                                   : "";
  std::fprintf(stderr, "%s%s\n", prefix, redact(std::string(message)).c_str());
}

void Logger::result(const nlohmann::json& result) {
  if (format_ != LogFormat::kJson) return;
  std::lock_guard lock(mutex_);
  nlohmann::json line = result;
  line["event"] = "result";
  line["ts"] = timestamp();
  std::string text = redact(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::fprintf(stdout, "%s\n", text.c_str());
  std::fflush(stdout);
}

}  // namespace dvt
