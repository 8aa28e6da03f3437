// profiles.yml in dbt's format: profile -> target + outputs, each output a
// map of settings with a `type`. Every scalar may hold {{ env_var('X') }} or
// {{ env_var('X', 'default') }}, rendered on load.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/output_config.h"

namespace dvt {

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
  // For a project: `flag`, else $DVT_PROFILES_DIR, else ./ if it holds
  // profiles.yml, else `project_dir` if it does, else ~/.dvt/.
  static std::filesystem::path resolve_dir(const std::optional<std::string>& flag,
                                           const std::filesystem::path& project_dir);

  // The profile named `name`; when empty: $DVT_PROFILE, else the only
  // profile in the file. Throws ConfigError otherwise.
  const Profile& profile(const std::string& name) const;

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::map<std::string, Profile> profiles_;
};

// The outputs of one profile, loaded on first use (a copy between two files
// needs no profiles.yml).
class ProfileContext {
 public:
  // `dir`: --profiles-dir (else resolve_dir's rule); `profile`: --profile
  // (else the rule of Profiles::profile); `target`: --target, the output
  // meant where none is named (else the profile's target).
  ProfileContext(std::optional<std::string> dir, std::string profile, std::string target)
      : dir_(std::move(dir)), profile_(std::move(profile)), target_(std::move(target)) {}

  // The output called `name`, or the target output when `name` is empty.
  // Throws ConfigError naming the file and the outputs there are; `what`
  // names what asked for it in that message ("endpoint 'pg:t'").
  const OutputConfig& output(const std::string& name, const std::string& what);
  const Profile& profile();
  const Profiles& profiles();

 private:
  std::optional<std::string> dir_;
  std::string profile_;
  std::string target_;
  std::optional<Profiles> profiles_;
};

// Renders {{ env_var('X') }} / {{ env_var('X', 'default') }} in `text`.
// Throws ConfigError naming the variable (and `where`) when X is unset and
// no default is given, or for any other {{ }} expression.
std::string render_env_vars(const std::string& text, const std::string& where);

}  // namespace dvt
