#include "project/generic_test.h"

#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "core/digest.h"
#include "core/error.h"
#include "template/python_text.h"
#include "template/value_convert.h"

namespace dvt {

namespace {

// The test arguments dbt takes as config, not as macro arguments.
const std::vector<std::string> kConfigArgs = {
    "severity",  "tags",           "enabled",           "where", "limit",    "warn_if", "error_if",
    "fail_calc", "store_failures", "store_failures_as", "meta",  "database", "schema",  "alias"};

// Python's str() of a scalar, for the names dbt synthesizes.
std::string python_text(const Json& value) {
  return jinja::python_str(jinja::value_from_json(value));
}

// dbt's get_hashable_md: mappings with sorted keys, lists kept, every other
// value as its str().
jinja::Value hashable(const Json& value) {
  if (value.is_object()) {
    std::vector<std::string> keys;
    for (const auto& [key, item] : value.items()) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    jinja::Value::Map map;
    for (const auto& key : keys) map.emplace_back(key, hashable(value[key]));
    return jinja::Value(std::move(map));
  }
  if (value.is_array()) {
    jinja::Value::List list;
    for (const auto& item : value) list.push_back(hashable(item));
    return jinja::Value(std::move(list));
  }
  return jinja::Value(python_text(value));
}

}  // namespace

GenericTestDefinition build_generic_test(const Json& definition, const TestTarget& target,
                                         const std::string& where) {
  GenericTestDefinition test;
  std::string full_test_name;
  Json args = Json::object();
  if (definition.is_string()) {
    full_test_name = definition.get<std::string>();
  } else if (definition.is_object() && definition.contains("test_name")) {
    full_test_name = definition["test_name"].get<std::string>();
    for (const auto& [key, value] : definition.items()) {
      if (key != "test_name") args[key] = value;
    }
  } else if (definition.is_object() && definition.size() == 1) {
    full_test_name = definition.begin().key();
    const Json& value = definition.begin().value();
    if (value.is_null()) {
      args = Json::object();
    } else if (!value.is_object()) {
      throw ConfigError(
          fmt::format("{}: the arguments of test '{}' must be a mapping", where, full_test_name));
    } else {
      args = value;
    }
  } else {
    throw ConfigError(
        fmt::format("{}: a test is a name or a mapping of one test name to its arguments", where));
  }
  if (!target.column_name.empty()) args["column_name"] = target.column_name;
  if (args.contains("arguments")) {
    Json arguments = args["arguments"];
    args.erase("arguments");
    if (arguments.is_object()) {
      for (const auto& [key, value] : arguments.items()) args[key] = value;
    }
  }
  if (args.contains("model")) {
    throw ConfigError(fmt::format("{}: test arguments cannot include 'model'", where));
  }
  static const std::regex kName(R"(^(?:([A-Za-z_][0-9A-Za-z_]*)\.)?([A-Za-z_][0-9A-Za-z_]*)$)");
  std::smatch match;
  if (!std::regex_match(full_test_name, match, kName)) {
    throw ConfigError(fmt::format("{}: '{}' is not a test name", where, full_test_name));
  }
  test.macro_namespace = match[1].str();
  test.test_name = match[2].str();

  switch (target.kind) {
    case TestTarget::Kind::kModel:
    case TestTarget::Kind::kSeed:
      args["model"] = fmt::format("{{{{ get_where_subquery(ref('{}')) }}}}", target.name);
      break;
    case TestTarget::Kind::kSource:
      args["model"] = fmt::format("{{{{ get_where_subquery(source('{}', '{}')) }}}}",
                                  target.source_name, target.table_name);
      break;
  }
  Json nested =
      args.contains("config") && args["config"].is_object() ? args["config"] : Json::object();
  for (const auto& key : kConfigArgs) {
    Json value;
    if (args.contains(key)) {
      value = args[key];
      args.erase(key);
    }
    if ((value.is_null() || value == false) && nested.contains(key)) {
      value = nested[key];
      nested.erase(key);
    }
    if (!value.is_null()) test.config[key] = value;
  }
  if (args.contains("config")) {
    for (const auto& [key, value] : nested.items()) {
      if (!value.is_null()) test.config[key] = value;
    }
    args.erase("config");
  }
  if (args.contains("description")) {
    test.description =
        args["description"].is_string() ? args["description"].get<std::string>() : "";
    args.erase("description");
  }
  std::string custom_name;
  if (args.contains("name")) {
    custom_name = python_text(args["name"]);
    args.erase("name");
  }
  test.kwargs = args;

  if (!custom_name.empty()) {
    test.short_name = test.full_name = custom_name;
    return test;
  }
  // dbt's synthesize_generic_test_names.
  std::string type_name =
      target.kind == TestTarget::Kind::kSource ? "source_" + test.test_name : test.test_name;
  if (!test.macro_namespace.empty()) type_name = test.macro_namespace + "_" + type_name;
  std::string target_name = target.kind == TestTarget::Kind::kSource
                                ? target.source_name + "_" + target.table_name
                                : target.name;
  std::vector<std::string> keys;
  for (const auto& [key, value] : args.items()) {
    if (key != "model") keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  static const std::regex kUnsafe("[^0-9a-zA-Z_]+");
  std::vector<std::string> parts;
  for (const auto& key : keys) {
    const Json& value = args[key];
    std::vector<Json> items;
    if (value.is_object()) {
      for (const auto& [inner, item] : value.items()) items.push_back(item);
    } else if (value.is_array()) {
      for (const auto& item : value) items.push_back(item);
    } else {
      items.push_back(value);
    }
    for (const auto& item : items)
      parts.push_back(std::regex_replace(python_text(item), kUnsafe, "_"));
  }
  std::string identifier = type_name + "_" + target_name;
  test.full_name = fmt::format("{}_{}", identifier, fmt::join(parts, "__"));
  if (test.full_name.size() >= 64) {
    test.short_name = identifier.substr(0, 30) + "_" + md5_hex(test.full_name);
    if (!test.config.contains("alias")) test.config["alias"] = test.short_name;
  } else {
    test.short_name = test.full_name;
  }
  return test;
}

std::string generic_test_hash(const GenericTestDefinition& test) {
  Json metadata = Json::object();
  metadata["namespace"] = test.macro_namespace.empty() ? Json() : Json(test.macro_namespace);
  metadata["name"] = test.test_name;
  metadata["kwargs"] = test.kwargs;
  std::string text = test.full_name + jinja::python_repr(hashable(metadata));
  std::string digest = md5_hex(text);
  return digest.substr(digest.size() - 10);
}

}  // namespace dvt
