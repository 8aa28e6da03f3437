#include "project/project_file.h"

#include <regex>

#include <fmt/format.h>

#include "core/error.h"

namespace dvt {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> string_list(const YAML::Node& node, const std::string& where,
                                     const std::string& key, std::vector<std::string> fallback) {
  if (!node) return fallback;
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.as<std::string>());
    return out;
  }
  if (!node.IsSequence()) {
    throw ConfigError(fmt::format("{}: '{}' must be a list of folders", where, key));
  }
  for (const auto& item : node) out.push_back(item.as<std::string>());
  return out;
}

const std::vector<std::string> kUnrenderedKeys = {"pre-hook",   "post-hook", "+pre-hook",
                                                  "+post-hook", "pre_hook",  "post_hook"};

}  // namespace

ProjectFile load_project_file(const fs::path& dir, const YamlRenderer& renderer) {
  ProjectFile project;
  project.dir = dir;
  project.file = "dbt_project.yml";
  fs::path path = dir / "dbt_project.yml";
  if (!fs::exists(path)) {
    throw ConfigError(
        fmt::format("{}: no dbt_project.yml found: run in a project folder or give --project-dir",
                    path.string()));
  }
  YAML::Node root = load_yaml_file(path, project.file);
  if (!root.IsMap()) throw ConfigError(project.file + ": expected a mapping");
  auto text = [&](const char* key) -> std::string {
    YAML::Node node = root[key];
    if (!node || node.IsNull()) return "";
    if (!node.IsScalar()) {
      throw ConfigError(
          fmt::format("{}: '{}' must be a string", yaml_where(project.file, node), key));
    }
    std::string value = node.as<std::string>();
    return has_jinja(value) ? renderer(value, yaml_where(project.file, node)) : value;
  };
  project.name = text("name");
  static const std::regex kName("[A-Za-z_][A-Za-z0-9_]*");
  if (project.name.empty()) throw ConfigError(project.file + ": the project needs a 'name'");
  if (!std::regex_match(project.name, kName)) {
    throw ConfigError(fmt::format(
        "{}: project name '{}' must be letters, digits and underscores, not starting with a digit",
        yaml_where(project.file, root["name"]), project.name));
  }
  project.profile = text("profile");
  project.version = text("version");
  std::string where = project.file;
  project.model_paths =
      string_list(root["model-paths"] ? root["model-paths"] : root["source-paths"], where,
                  "model-paths", {"models"});
  project.seed_paths = string_list(root["seed-paths"] ? root["seed-paths"] : root["data-paths"],
                                   where, "seed-paths", {"seeds"});
  project.macro_paths = string_list(root["macro-paths"], where, "macro-paths", {"macros"});
  project.test_paths = string_list(root["test-paths"], where, "test-paths", {"tests"});
  if (std::string target = text("target-path"); !target.empty()) project.target_path = target;
  if (root["vars"] && root["vars"].IsMap()) project.vars = yaml_to_json(root["vars"], project.file);
  if (root["quoting"] && root["quoting"].IsMap()) {
    project.quoting = yaml_to_json(root["quoting"], project.file, &renderer);
  }
  auto tree = [&](const char* key) -> Json {
    YAML::Node node = root[key];
    if (!node || node.IsNull()) return Json::object();
    if (!node.IsMap()) {
      throw ConfigError(
          fmt::format("{}: '{}' must be a mapping", yaml_where(project.file, node), key));
    }
    return yaml_to_json(node, project.file, &renderer, kUnrenderedKeys);
  };
  project.models = tree("models");
  project.seeds = tree("seeds");
  project.tests = root["data_tests"] ? tree("data_tests") : tree("tests");
  project.sources = tree("sources");
  return project;
}

std::vector<Json> config_levels(const Json& root, const std::vector<std::string>& fqn) {
  std::vector<Json> levels;
  auto configs_of = [](const Json& level) {
    Json config = Json::object();
    for (const auto& [key, value] : level.items()) {
      if (!key.empty() && key[0] == '+') {
        size_t start = 1;
        while (start < key.size() && key[start] == ' ') ++start;
        config[key.substr(start)] = value;
      } else if (!value.is_object()) {
        config[key] = value;
      }
    }
    return config;
  };
  if (!root.is_object()) return levels;
  levels.push_back(configs_of(root));
  const Json* level = &root;
  for (const auto& part : fqn) {
    auto found = level->find(part);
    if (found == level->end() || !found->is_object()) break;
    levels.push_back(configs_of(*found));
    level = &*found;
  }
  return levels;
}

}  // namespace dvt
