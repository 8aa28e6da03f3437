// One output of profiles.yml: a database connection's settings, rendered.
// Connectors read their fields from it; profiles.yml parsing (project/) makes
// them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dvt {

// One output (a database connection's settings), rendered.
class OutputConfig {
 public:
  OutputConfig(std::string name, std::string file, int line,
               std::map<std::string, std::string> fields);

  const std::string& name() const { return name_; }
  const std::string& type() const { return fields_.at("type"); }
  // "file:line" of the output in profiles.yml, for messages.
  std::string location() const;

  bool has(const std::string& key) const { return fields_.contains(key); }
  std::optional<std::string> get(const std::string& key) const;
  std::string get_or(const std::string& key, const std::string& fallback) const;
  // Throws ConfigError naming the file, output and key when absent.
  std::string require(const std::string& key) const;
  // The first of `keys` present (e.g. dbname or database), else ConfigError.
  std::string require_any(const std::vector<std::string>& keys) const;
  int get_int(const std::string& key, int fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  const std::map<std::string, std::string>& fields() const { return fields_; }

  // Why a field could not be rendered (an env var that is not set), if one
  // could not. Such an output stops only the jobs that use it.
  const std::optional<std::string>& unrendered() const { return unrendered_; }
  void set_unrendered(std::string why) { unrendered_ = std::move(why); }
  // Throws that ConfigError, if there is one.
  void require_rendered() const;

 private:
  std::string name_;
  std::string file_;
  int line_;
  std::map<std::string, std::string> fields_;
  std::optional<std::string> unrendered_;
};

// Whether a profile field's name says it holds a secret (password, token,
// private key...): such values are never printed.
bool is_secret_key(const std::string& key);

}  // namespace dvt
