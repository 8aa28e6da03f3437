#include "core/output_config.h"

#include <fmt/format.h>

#include "core/error.h"

namespace dvt {

bool is_secret_key(const std::string& key) {
  for (const char* word : {"password", "secret", "token", "private_key", "passphrase"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}

OutputConfig::OutputConfig(std::string name, std::string file, int line,
                           std::map<std::string, std::string> fields)
    : name_(std::move(name)), file_(std::move(file)), line_(line), fields_(std::move(fields)) {}

void OutputConfig::require_rendered() const {
  if (unrendered_) throw ConfigError(*unrendered_);
}

std::string OutputConfig::location() const {
  return line_ > 0 ? fmt::format("{}:{}", file_, line_) : file_;
}

std::optional<std::string> OutputConfig::get(const std::string& key) const {
  auto found = fields_.find(key);
  if (found == fields_.end()) return std::nullopt;
  return found->second;
}

std::string OutputConfig::get_or(const std::string& key, const std::string& fallback) const {
  return get(key).value_or(fallback);
}

std::string OutputConfig::require(const std::string& key) const {
  auto value = get(key);
  if (!value) {
    throw ConfigError(fmt::format("{}: output '{}' (type {}) is missing required field '{}'",
                                  location(), name_, type(), key));
  }
  return *value;
}

std::string OutputConfig::require_any(const std::vector<std::string>& keys) const {
  for (const auto& key : keys) {
    if (auto value = get(key)) return *value;
  }
  throw ConfigError(fmt::format("{}: output '{}' (type {}) is missing required field '{}'",
                                location(), name_, type(), fmt::join(keys, "' or '")));
}

int OutputConfig::get_int(const std::string& key, int fallback) const {
  auto value = get(key);
  if (!value) return fallback;
  try {
    size_t used = 0;
    int parsed = std::stoi(*value, &used);
    if (used == value->size()) return parsed;
  } catch (...) {
  }
  throw ConfigError(fmt::format("{}: output '{}': field '{}' must be an integer, got '{}'",
                                location(), name_, key, is_secret_key(key) ? "***" : *value));
}

bool OutputConfig::get_bool(const std::string& key, bool fallback) const {
  auto value = get(key);
  if (!value) return fallback;
  if (*value == "true" || *value == "True" || *value == "1" || *value == "yes") return true;
  if (*value == "false" || *value == "False" || *value == "0" || *value == "no") return false;
  throw ConfigError(fmt::format("{}: output '{}': field '{}' must be true or false, got '{}'",
                                location(), name_, key, *value));
}

}  // namespace dvt
