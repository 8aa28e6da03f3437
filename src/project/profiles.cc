#include "project/profiles.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <regex>

#include <fmt/format.h>

#include "connectors/registry.h"
#include "core/error.h"
#include "core/log.h"

namespace dvt {

namespace fs = std::filesystem;

namespace {

std::string where(const std::string& file, const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.line >= 0) return fmt::format("{}:{}", file, mark.line + 1);
  return file;
}

}  // namespace

std::string render_env_vars(const std::string& text, const std::string& where) {
  static const std::regex kExpression(R"(\{\{(.*?)\}\})");
  static const std::regex kEnvVar(
      R"(^\s*env_var\(\s*(['"])([^'"]*)\1\s*(?:,\s*(['"])([^'"]*)\3\s*)?\)\s*$)");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kExpression);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& match = *it;
    out.append(text, last, match.position(0) - last);
    std::string inner = match[1].str();
    std::smatch call;
    if (!std::regex_match(inner, call, kEnvVar)) {
      throw ConfigError(
          fmt::format("{}: unsupported template expression '{{{{{}}}}}': only env_var('NAME') and "
                      "env_var('NAME', 'default') are rendered",
                      where, inner));
    }
    std::string name = call[2].str();
    if (const char* value = std::getenv(name.c_str())) {
      out += value;
    } else if (call[4].matched) {
      out += call[4].str();
    } else {
      throw ConfigError(fmt::format(
          "{}: environment variable {} is not set and env_var() gives no default", where, name));
    }
    last = match.position(0) + match.length(0);
  }
  out.append(text, last, std::string::npos);
  return out;
}

fs::path Profiles::resolve_dir(const std::optional<std::string>& flag) {
  if (flag) return *flag;
  if (const char* env = std::getenv("DVT_PROFILES_DIR"); env && *env) return env;
  if (fs::exists("profiles.yml")) return ".";
  if (const char* home = std::getenv("HOME")) return fs::path(home) / ".dvt";
  return ".";
}

fs::path Profiles::resolve_dir(const std::optional<std::string>& flag,
                               const fs::path& project_dir) {
  if (flag) return *flag;
  if (const char* env = std::getenv("DVT_PROFILES_DIR"); env && *env) return env;
  if (fs::exists("profiles.yml")) return ".";
  if (fs::exists(project_dir / "profiles.yml")) return project_dir;
  if (const char* home = std::getenv("HOME")) return fs::path(home) / ".dvt";
  return ".";
}

Profiles Profiles::load(const fs::path& dir) {
  Profiles profiles;
  fs::path path = dir / "profiles.yml";
  profiles.file_ = path.string();
  const std::string& file = profiles.file_;
  if (!fs::exists(path)) {
    throw ConfigError(fmt::format(
        "{}: no profiles.yml found (use --profiles-dir or set DVT_PROFILES_DIR)", file));
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::ParserException& error) {
    throw ConfigError(fmt::format("{}:{}:{}: invalid YAML: {}", file, error.mark.line + 1,
                                  error.mark.column + 1, error.msg));
  } catch (const YAML::Exception& error) {
    throw ConfigError(fmt::format("{}: cannot read: {}", file, error.what()));
  }
  if (!root.IsMap()) {
    throw ConfigError(fmt::format("{}: expected a mapping of profile names to profiles", file));
  }
  for (const auto& entry : root) {
    std::string profile_name = entry.first.as<std::string>();
    if (profile_name == "config") continue;  // dbt's global config block
    const YAML::Node& node = entry.second;
    if (!node.IsMap() || !node["outputs"] || !node["outputs"].IsMap()) {
      throw ConfigError(fmt::format("{}: profile '{}' needs an 'outputs' mapping",
                                    where(file, node), profile_name));
    }
    Profile profile;
    profile.name = profile_name;
    for (const auto& output : node["outputs"]) {
      std::string output_name = output.first.as<std::string>();
      const YAML::Node& settings = output.second;
      std::string here = where(file, settings);
      if (!settings.IsMap()) {
        throw ConfigError(fmt::format("{}: output '{}' must be a mapping", here, output_name));
      }
      std::map<std::string, std::string> fields;
      std::optional<std::string> unrendered;
      // A field that cannot be rendered is kept empty (so a required one is
      // still there) and the reason waits until a job uses the output.
      // The type must render: without it the output's fields mean nothing.
      auto render = [&](const std::string& key, const std::string& text,
                        const std::string& field_where) {
        try {
          return render_env_vars(text, field_where);
        } catch (const ConfigError& error) {
          if (key == "type") throw;
          if (!unrendered) unrendered = error.what();
          return std::string();
        }
      };
      for (const auto& field : settings) {
        std::string key = field.first.as<std::string>();
        std::string field_where = fmt::format("{} (output '{}', field '{}')",
                                              where(file, field.second), output_name, key);
        if (field.second.IsNull()) continue;
        if (!field.second.IsScalar()) {
          // Nested settings (dbt's `settings:`, `extensions:`) are kept as YAML text.
          fields[key] = render(key, YAML::Dump(field.second), field_where);
          continue;
        }
        std::string value = render(key, field.second.as<std::string>(), field_where);
        if (is_secret_key(key)) Logger::instance().add_secret(value);
        fields[key] = std::move(value);
      }
      if (!fields.contains("type")) {
        throw ConfigError(fmt::format("{}: output '{}' has no 'type'", here, output_name));
      }
      const AdapterInfo* adapter = find_adapter(fields["type"]);
      if (!adapter) {
        throw ConfigError(fmt::format("{}: output '{}' has unknown adapter type '{}' (known: {})",
                                      here, output_name, fields["type"], known_adapter_names()));
      }
      OutputConfig config(output_name, file, settings.Mark().line + 1, std::move(fields));
      if (unrendered) config.set_unrendered(std::move(*unrendered));
      for (const auto& required : adapter->required_fields) {
        std::vector<std::string> alternatives;
        for (size_t start = 0;;) {
          size_t bar = required.find('|', start);
          alternatives.push_back(required.substr(start, bar - start));
          if (bar == std::string::npos) break;
          start = bar + 1;
        }
        config.require_any(alternatives);
      }
      profile.outputs.emplace(output_name, std::move(config));
    }
    if (node["target"]) {
      profile.target =
          render_env_vars(node["target"].as<std::string>(), where(file, node["target"]));
      if (!profile.outputs.contains(profile.target)) {
        throw ConfigError(
            fmt::format("{}: profile '{}' targets '{}', which is not one of its outputs",
                        where(file, node["target"]), profile_name, profile.target));
      }
    }
    profiles.profiles_.emplace(profile_name, std::move(profile));
  }
  if (profiles.profiles_.empty()) throw ConfigError(fmt::format("{}: holds no profile", file));
  return profiles;
}

const Profile& Profiles::profile(const std::string& requested) const {
  std::string name = requested;
  if (name.empty()) {
    if (const char* env = std::getenv("DVT_PROFILE"); env && *env) name = env;
  }
  if (name.empty()) {
    if (profiles_.size() == 1) return profiles_.begin()->second;
    std::vector<std::string> names;
    for (const auto& [key, value] : profiles_) names.push_back(key);
    throw ConfigError(fmt::format("{}: holds several profiles ({}); choose one with --profile",
                                  file_, fmt::join(names, ", ")));
  }
  auto found = profiles_.find(name);
  if (found == profiles_.end()) {
    throw ConfigError(fmt::format("{}: no profile named '{}'", file_, name));
  }
  return found->second;
}

const Profiles& ProfileContext::profiles() {
  if (!profiles_) profiles_ = Profiles::load(Profiles::resolve_dir(dir_));
  return *profiles_;
}

const Profile& ProfileContext::profile() {
  return profiles().profile(profile_);
}

const OutputConfig& ProfileContext::output(const std::string& name, const std::string& what) {
  const Profile& chosen = profile();
  std::string wanted = name;
  if (wanted.empty()) wanted = target_.empty() ? chosen.target : target_;
  if (wanted.empty()) {
    throw ConfigError(fmt::format("{}: {} names no output and profile '{}' has no target",
                                  profiles_->file(), what, chosen.name));
  }
  auto found = chosen.outputs.find(wanted);
  if (found == chosen.outputs.end()) {
    std::vector<std::string> names;
    for (const auto& [key, value] : chosen.outputs) names.push_back(key);
    throw ConfigError(fmt::format("{}: profile '{}' has no output named '{}' (outputs: {})",
                                  profiles_->file(), chosen.name, wanted, fmt::join(names, ", ")));
  }
  return found->second;
}

}  // namespace dvt
