// Reading a project's YAML files (dbt_project.yml, models/**/*.yml): loading
// with errors that name the file, line and column; positions of nodes for
// later messages; and string values that hold Jinja, rendered as dbt renders
// them.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dvt {

using Json = nlohmann::ordered_json;

// Loads `path`; `display` names it in messages (the path relative to the
// project). Throws ConfigError "display:line:column: invalid YAML: ..." or
// naming the file when it cannot be read.
YAML::Node load_yaml_file(const std::filesystem::path& path, const std::string& display);

// "display:line" of `node` (just `display` when it has no position).
std::string yaml_where(const std::string& display, const YAML::Node& node);
// The 1-based line of `node`, 0 when unknown.
int yaml_line(const YAML::Node& node);

// Renders a string that holds Jinja ({{ or {%); `where` is "file:line" for
// messages. Returns other strings unchanged.
using YamlRenderer = std::function<std::string(const std::string& text, const std::string& where)>;

// The node as JSON (scalars typed as PyYAML types them); with a renderer,
// every string value that holds Jinja is rendered (`display` and the node's
// marks locate its errors), except below the keys in `unrendered` (hooks and
// descriptions, which dbt renders later or never).
Json yaml_to_json(const YAML::Node& node, const std::string& display,
                  const YamlRenderer* renderer = nullptr,
                  const std::vector<std::string>& unrendered = {});

// Whether `text` holds a Jinja expression or statement.
bool has_jinja(const std::string& text);

}  // namespace dvt
