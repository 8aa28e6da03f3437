// profiles.yml in dbt's format: profile -> target + outputs, each output a
// map of settings with a `type`. Every scalar may hold {{ env_var('X') }} or
// {{ env_var('X', 'default') }}, rendered on load.
#pragma once

#include <filesystem>
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

struct Profile {
  std::string name;
  std::string target;  // the default output
  std::map<std::string, OutputConfig> outputs;
};

class Profiles {
 public:
  // Loads `dir`/profiles.yml. Throws ConfigError (file and line) on bad YAML,
  // an unknown adapter type or a missing required field. A missing env var
  // is kept in its output (OutputConfig::unrendered), so that it stops only
  // the jobs that use that output.
  // Every password-like value is registered with the logger as a secret.
  static Profiles load(const std::filesystem::path& dir);

  // The folder to read profiles.yml from: `flag` if given, else
  // $DVT_PROFILES_DIR, else ./ if it holds profiles.yml, else ~/.dvt/.
  static std::filesystem::path resolve_dir(const std::optional<std::string>& flag);

  // The profile named `name`; when empty: $DVT_PROFILE, else the only
  // profile in the file. Throws ConfigError otherwise.
  const Profile& profile(const std::string& name) const;

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::map<std::string, Profile> profiles_;
};

// Renders {{ env_var('X') }} / {{ env_var('X', 'default') }} in `text`.
// Throws ConfigError naming the variable (and `where`) when X is unset and
// no default is given, or for any other {{ }} expression.
std::string render_env_vars(const std::string& text, const std::string& where);

}  // namespace dvt
