// Template values to and from JSON and YAML, as dbt reads them: YAML scalars
// typed as PyYAML types them (YAML 1.1: yes/no/on/off are booleans, a float
// needs its dot, a quoted scalar is always a string).
#pragma once

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

#include "template/value.h"

namespace dvt::jinja {

using Json = nlohmann::ordered_json;

Value value_from_json(const Json& json);
// Host objects become the text they print.
Json value_to_json(const Value& value);

// A YAML node's value (a scalar typed as above; an alias's target).
Json json_from_yaml(const YAML::Node& node);
Value value_from_yaml(const YAML::Node& node);
// YAML text of a value (block style, as PyYAML's safe_dump writes it).
std::string value_to_yaml(const Value& value);

}  // namespace dvt::jinja
