#include "project/manifest.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "core/digest.h"
#include "core/error.h"
#include "template/python_text.h"
#include "template/relation.h"

namespace dvt {

namespace fs = std::filesystem;

namespace {

Json or_null(const std::string& text) {
  return text.empty() ? Json() : Json(text);
}

Json string_list(const std::vector<std::string>& items) {
  Json list = Json::array();
  for (const auto& item : items) list.push_back(item);
  return list;
}

// Hooks as dbt writes them: {"sql", "transaction", "index"}.
Json hooks(const Json& value) {
  Json list = Json::array();
  for (const auto& hook : value.is_array() ? value : Json::array({value})) {
    if (hook.is_string()) {
      list.push_back(Json{{"sql", hook}, {"transaction", true}, {"index", nullptr}});
    } else if (!hook.is_null()) {
      list.push_back(hook);
    }
  }
  return list;
}

// The config dbt writes for a node: every key of its kind with dbt's
// defaults, in dbt's order, then the node's other keys (such as target).
Json full_config(const Node& node) {
  Json config = Json::object();
  const Json& own = node.config.json();
  auto take = [&](const char* key, Json fallback) {
    auto found = own.find(key);
    config[key] = found == own.end() ? fallback : *found;
  };
  Json null;
  take("enabled", true);
  take("alias", null);
  take("schema", null);
  take("database", null);
  config["tags"] = string_list(node.config.tags());
  take("meta", Json::object());
  take("group", null);
  if (node.resource_type == ResourceType::kTest) {
    take("materialized", "test");
    for (const char* key : {"severity", "store_failures", "store_failures_as", "where", "limit",
                            "fail_calc", "warn_if", "error_if"}) {
      take(key, null);
    }
  } else {
    bool seed = node.resource_type == ResourceType::kSeed;
    take("materialized", seed ? "seed" : "view");
    take("incremental_strategy", null);
    take("batch_size", null);
    take("lookback", 1);
    take("begin", null);
    take("persist_docs", Json::object());
    config["post-hook"] = hooks(own.contains("post-hook") ? own["post-hook"] : Json());
    config["pre-hook"] = hooks(own.contains("pre-hook") ? own["pre-hook"] : Json());
    take("quoting", Json::object());
    take("column_types", Json::object());
    take("full_refresh", null);
    take("unique_key", null);
    take("on_schema_change", "ignore");
    take("on_configuration_change", "apply");
    take("grants", Json::object());
    take("packages", Json::array());
    take("docs", Json{{"show", true}, {"node_color", nullptr}});
    take("contract", Json{{"enforced", false}, {"alias_types", true}});
    take("event_time", null);
    take("concurrent_batches", null);
    if (seed) {
      take("delimiter", ",");
      take("quote_columns", null);
    } else {
      take("access", "protected");
      take("freshness", null);
    }
  }
  for (const auto& [key, value] : own.items()) {
    if (!config.contains(key)) config[key] = value;
  }
  return config;
}

Json source_config(const Node& node) {
  Json config = Json::object();
  const Json& own = node.config.json();
  Json no_freshness = {{"warn_after", {{"count", nullptr}, {"period", nullptr}}},
                       {"error_after", {{"count", nullptr}, {"period", nullptr}}},
                       {"filter", nullptr}};
  auto take = [&](const char* key, Json fallback) {
    auto found = own.find(key);
    config[key] = found == own.end() ? fallback : *found;
  };
  take("enabled", true);
  take("event_time", nullptr);
  take("freshness", no_freshness);
  take("loaded_at_field", nullptr);
  take("loaded_at_query", nullptr);
  take("meta", Json::object());
  config["tags"] = string_list(node.config.tags());
  for (const auto& [key, value] : own.items()) {
    if (!config.contains(key)) config[key] = value;
  }
  return config;
}

// dbt's infer_primary_key from the node's tests: the columns with both
// unique and not_null tests, else those with unique tests.
Json primary_key(const Project& project, const Node& node) {
  std::set<std::string> unique, not_null;
  for (const auto& child : project.graph().children(node.unique_id)) {
    const Node* test = project.find(child);
    if (test == nullptr || !test->test || test->test->column_name.empty()) continue;
    if (test->test->name == "unique") unique.insert(test->test->column_name);
    if (test->test->name == "not_null") not_null.insert(test->test->column_name);
  }
  std::vector<std::string> both;
  std::set_intersection(unique.begin(), unique.end(), not_null.begin(), not_null.end(),
                        std::back_inserter(both));
  if (both.empty()) both.assign(unique.begin(), unique.end());
  return string_list(both);
}

Json columns_json(const Node& node) {
  Json columns = Json::object();
  for (const auto& column : node.columns) {
    columns[column.name] = Json{{"name", column.name},
                                {"description", column.description},
                                {"meta", column.meta},
                                {"data_type", or_null(column.data_type)},
                                {"constraints", Json::array()},
                                {"quote", column.quote ? Json(*column.quote) : Json()},
                                {"tags", string_list(column.tags)}};
  }
  return columns;
}

Json refs_json(const Node& node) {
  Json refs = Json::array();
  for (const auto& ref : node.refs) {
    refs.push_back(
        Json{{"name", ref.name}, {"package", or_null(ref.package)}, {"version", nullptr}});
  }
  return refs;
}

Json sources_json(const Node& node) {
  Json sources = Json::array();
  for (const auto& source : node.sources)
    sources.push_back(Json::array({source.source, source.table}));
  return sources;
}

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &parts);
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  return fmt::format("{}.{:06d}Z", text, micros);
}

}  // namespace

fs::path compiled_file(const Project& project, const Node& node) {
  fs::path path = project.target_dir() / "compiled" / node.package_name;
  if (fs::path(node.path).filename() == fs::path(node.original_file_path).filename()) {
    return path / node.original_file_path;
  }
  return path / node.original_file_path / node.path;
}

Json relation_name(const Project& project, const Node& node) {
  if (node.is_ephemeral() || node.resource_type == ResourceType::kTest) return nullptr;
  const Target& target = project.target_of(node);
  jinja::Relation relation(
      jinja::RelationParts{node.relation.database, node.relation.schema, node.relation.identifier},
      target.relation_style);
  return relation.str();
}

Json node_to_json(const Project& project, const Node& node, const CompiledNode* compiled) {
  Json json = Json::object();
  json["database"] = or_null(node.relation.database);
  json["schema"] = node.relation.schema;
  json["name"] = node.name;
  json["resource_type"] = resource_type_name(node.resource_type);
  json["package_name"] = node.package_name;
  json["path"] = node.path;
  json["original_file_path"] = node.original_file_path;
  json["unique_id"] = node.unique_id;
  json["fqn"] = string_list(node.fqn);
  if (node.resource_type == ResourceType::kSource) {
    json["source_name"] = node.source_name;
    json["source_description"] = node.source_description;
    json["loader"] = node.loader;
    json["identifier"] = node.relation.identifier;
    json["description"] = node.description;
    json["columns"] = columns_json(node);
    json["meta"] = node.config.find("meta") ? *node.config.find("meta") : Json::object();
    json["source_meta"] = node.source_meta;
    json["tags"] = string_list(node.tags);
    json["config"] = source_config(node);
    json["patch_path"] = nullptr;
    json["relation_name"] = relation_name(project, node);
    json["connection"] = node.output;
    return json;
  }
  json["alias"] = node.relation.identifier;
  json["checksum"] = node.checksum.empty() ? Json{{"name", "none"}, {"checksum", ""}}
                                           : Json{{"name", "sha256"}, {"checksum", node.checksum}};
  json["config"] = full_config(node);
  json["tags"] = string_list(node.tags);
  json["description"] = node.description;
  json["columns"] = columns_json(node);
  json["meta"] = node.config.find("meta") ? *node.config.find("meta") : Json::object();
  json["patch_path"] = or_null(node.patch_path);
  json["relation_name"] = relation_name(project, node);
  json["raw_code"] = node.raw_code;
  json["language"] = "sql";
  json["target"] = node.output;
  if (node.resource_type == ResourceType::kSeed) {
    json["root_path"] = project.dir().string();
    json["depends_on"] = Json{{"macros", string_list(node.depends_on.macros)}};
    return json;
  }
  json["refs"] = refs_json(node);
  json["sources"] = sources_json(node);
  json["depends_on"] =
      Json{{"macros", string_list(compiled ? compiled->macros : node.depends_on.macros)},
           {"nodes", string_list(node.depends_on.nodes)}};
  if (compiled != nullptr) {
    json["compiled_path"] = compiled_file(project, node).string();
    json["compiled"] = true;
    json["compiled_code"] = compiled->code;
  }
  if (node.test) {
    json["column_name"] = or_null(node.test->column_name);
    json["file_key_name"] = node.test->file_key_name;
    json["attached_node"] = or_null(node.test->attached_node);
    json["test_metadata"] = Json{{"name", node.test->name},
                                 {"kwargs", node.test->kwargs},
                                 {"namespace", or_null(node.test->macro_namespace)}};
  }
  if (node.resource_type == ResourceType::kModel) json["primary_key"] = primary_key(project, node);
  return json;
}

Json manifest_json(const Project& project, const std::map<std::string, CompiledNode>& compiled) {
  Json manifest = Json::object();
  std::string adapter_type = project.target(project.default_output()).type;
  manifest["metadata"] = Json{
      {"dbt_schema_version", "https://schemas.getdbt.com/dbt/manifest/v12.json"},
      {"dbt_version", "1.10.15"},
      {"generated_at", utc_now()},
      {"invocation_id", project.invocation_id()},
      {"env", Json::object()},
      {"project_name", project.name()},
      {"project_id", md5_hex(project.name())},
      {"user_id", nullptr},
      {"send_anonymous_usage_stats", false},
      {"adapter_type", adapter_type},
      {"generator", std::string("dvt ") + DVT_VERSION},
  };
  Json nodes = Json::object();
  Json sources = Json::object();
  for (const Node* node : project.nodes()) {
    auto code = compiled.find(node->unique_id);
    Json json = node_to_json(project, *node, code == compiled.end() ? nullptr : &code->second);
    (node->resource_type == ResourceType::kSource ? sources : nodes)[node->unique_id] =
        std::move(json);
  }
  manifest["nodes"] = std::move(nodes);
  manifest["sources"] = std::move(sources);
  Json macros = Json::object();
  for (const auto& macro : project.macros().macros()) {
    macros[macro->unique_id] = Json{{"name", macro->name},
                                    {"resource_type", "macro"},
                                    {"package_name", macro->package},
                                    {"path", macro->path},
                                    {"original_file_path", macro->original_file_path},
                                    {"unique_id", macro->unique_id},
                                    {"macro_sql", macro->macro_sql},
                                    {"depends_on", Json{{"macros", Json::array()}}},
                                    {"description", ""},
                                    {"meta", Json::object()},
                                    {"arguments", Json::array()}};
  }
  manifest["macros"] = std::move(macros);
  for (const char* empty : {"docs", "exposures", "metrics", "groups", "selectors", "disabled"}) {
    manifest[empty] = Json::object();
  }
  Json parent_map = Json::object();
  Json child_map = Json::object();
  for (const Node* node : project.nodes()) {
    parent_map[node->unique_id] = string_list(project.graph().parents(node->unique_id));
    child_map[node->unique_id] = string_list(project.graph().children(node->unique_id));
  }
  manifest["parent_map"] = std::move(parent_map);
  manifest["child_map"] = std::move(child_map);
  for (const char* empty : {"group_map", "saved_queries", "semantic_models", "unit_tests"}) {
    manifest[empty] = Json::object();
  }
  return manifest;
}

void write_manifest(const Project& project, const Json& manifest) {
  fs::path dir = project.target_dir();
  std::error_code error;
  fs::create_directories(dir, error);
  fs::path path = dir / "manifest.json";
  fs::path temp = dir / fmt::format("manifest.json.tmp-{}", ::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << manifest.dump(-1, ' ', false, Json::error_handler_t::replace);
    if (!out) throw DataError(fmt::format("{}: cannot write the manifest", temp.string()));
  }
  fs::rename(temp, path, error);
  if (error) {
    fs::remove(temp);
    throw DataError(
        fmt::format("{}: cannot write the manifest: {}", path.string(), error.message()));
  }
}

}  // namespace dvt
