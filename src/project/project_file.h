// dbt_project.yml as dvt reads it: the project's name and profile, where its
// models, seeds, macros and tests live, its target path, vars, quoting, and
// the config trees (models:, seeds:, data_tests:, sources:) that apply to
// folders and nodes by their fqn.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "project/yaml_file.h"

namespace dvt {

struct ProjectFile {
  std::filesystem::path dir;  // the project folder
  std::string file;           // "dbt_project.yml" (for messages)
  std::string name;
  std::string profile;  // empty: the profiles rule (the only or $DVT_PROFILE)
  std::string version;
  std::vector<std::string> model_paths{"models"};
  std::vector<std::string> seed_paths{"seeds"};
  std::vector<std::string> macro_paths{"macros"};
  std::vector<std::string> test_paths{"tests"};
  std::string target_path = "target";
  Json vars = Json::object();     // as written: globals and {<package>: {...}}
  Json quoting = Json::object();  // database / schema / identifier: bool
  // Config trees, rendered (hooks excepted).
  Json models = Json::object();
  Json seeds = Json::object();
  Json tests = Json::object();
  Json sources = Json::object();
};

// Reads `dir`/dbt_project.yml; string values holding Jinja are rendered with
// `renderer` (vars and hooks are not). Throws ConfigError naming the file
// (and line) when it is missing, is not YAML, or lacks a valid `name`.
ProjectFile load_project_file(const std::filesystem::path& dir, const YamlRenderer& renderer);

// The config levels of the tree `root` that apply to a node with `fqn`
// ([project, folder..., name]), outermost first, as dbt finds them: the root
// itself, then each level named by the fqn's parts in turn; at each level,
// the keys starting with '+' and the keys whose value is not a mapping.
std::vector<Json> config_levels(const Json& root, const std::vector<std::string>& fqn);

}  // namespace dvt
