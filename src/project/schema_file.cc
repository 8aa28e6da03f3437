#include "project/schema_file.h"

#include <fmt/format.h>

#include "core/error.h"

namespace dvt {

namespace {

class Reader {
 public:
  Reader(std::string file, const YamlRenderer& renderer)
      : file_(std::move(file)), renderer_(renderer) {}

  [[noreturn]] void fail(const YAML::Node& node, const std::string& what) const {
    throw ConfigError(fmt::format("{}: {}", yaml_where(file_, node), what));
  }

  void expect_map(const YAML::Node& node, const std::string& what) const {
    if (!node.IsMap()) fail(node, what + " must be a mapping");
  }

  // A plain string value (not rendered), or "".
  std::string text(const YAML::Node& node) const {
    if (!node || node.IsNull()) return "";
    if (!node.IsScalar()) fail(node, "expected a string");
    return node.as<std::string>();
  }

  // A string value, rendered.
  std::string rendered(const YAML::Node& node) const {
    std::string value = text(node);
    return has_jinja(value) ? renderer_(value, yaml_where(file_, node)) : value;
  }

  std::string name(const YAML::Node& entry, const std::string& what) const {
    if (!entry["name"]) fail(entry, what + " has no 'name'");
    std::string value = rendered(entry["name"]);
    if (value.empty()) fail(entry, what + " has an empty 'name'");
    return value;
  }

  Json config(const YAML::Node& node) const {
    if (!node || node.IsNull()) return Json::object();
    expect_map(node, "'config'");
    static const std::vector<std::string> kUnrendered = {"pre-hook", "post-hook", "pre_hook",
                                                         "post_hook"};
    return yaml_to_json(node, file_, &renderer_, kUnrendered);
  }

  Json plain(const YAML::Node& node) const {
    if (!node || node.IsNull()) return Json::object();
    return yaml_to_json(node, file_);
  }

  std::vector<std::string> tags(const YAML::Node& node) const {
    std::vector<std::string> out;
    if (!node || node.IsNull()) return out;
    if (node.IsScalar()) {
      out.push_back(node.as<std::string>());
      return out;
    }
    if (!node.IsSequence()) fail(node, "'tags' must be a string or a list");
    for (const auto& item : node) out.push_back(text(item));
    return out;
  }

  std::vector<TestEntry> tests(const YAML::Node& entry) const {
    std::vector<TestEntry> out;
    YAML::Node list = entry["data_tests"] ? entry["data_tests"] : entry["tests"];
    if (!list || list.IsNull()) return out;
    if (!list.IsSequence()) fail(list, "'data_tests' must be a list");
    for (const auto& item : list) {
      if (!item.IsScalar() && !item.IsMap()) fail(item, "a test must be a name or a mapping");
      out.push_back({yaml_to_json(item, file_), yaml_line(item)});
    }
    return out;
  }

  std::vector<ColumnEntry> columns(const YAML::Node& entry) const {
    std::vector<ColumnEntry> out;
    YAML::Node list = entry["columns"];
    if (!list || list.IsNull()) return out;
    if (!list.IsSequence()) fail(list, "'columns' must be a list");
    for (const auto& item : list) {
      expect_map(item, "a column");
      ColumnEntry column;
      column.spec.name = name(item, "a column");
      column.spec.description = text(item["description"]);
      column.spec.data_type = rendered(item["data_type"]);
      if (item["meta"]) column.spec.meta = plain(item["meta"]);
      column.spec.tags = tags(item["tags"]);
      if (item["quote"] && item["quote"].IsScalar()) {
        Json quote = yaml_to_json(item["quote"], file_);
        if (quote.is_boolean()) column.spec.quote = quote.get<bool>();
      }
      column.tests = tests(item);
      column.line = yaml_line(item);
      out.push_back(std::move(column));
    }
    return out;
  }

  NodeEntry node_entry(const YAML::Node& item, const std::string& what) const {
    expect_map(item, what);
    NodeEntry entry;
    entry.name = name(item, what);
    entry.description = text(item["description"]);
    entry.config = config(item["config"]);
    // Properties dbt also reads outside `config:`.
    for (const char* key : {"docs", "meta", "access", "group"}) {
      if (item[key] && !entry.config.contains(key)) entry.config[key] = plain(item[key]);
    }
    if (item["tags"]) {
      Json tags = Json::array();
      for (const auto& tag : this->tags(item["tags"])) tags.push_back(tag);
      entry.config["tags"] = tags;
    }
    entry.columns = columns(item);
    entry.tests = tests(item);
    entry.line = yaml_line(item);
    return entry;
  }

  std::vector<NodeEntry> node_entries(const YAML::Node& list, const char* key) const {
    std::vector<NodeEntry> out;
    if (!list || list.IsNull()) return out;
    if (!list.IsSequence()) fail(list, fmt::format("'{}' must be a list", key));
    for (const auto& item : list) out.push_back(node_entry(item, fmt::format("a {} entry", key)));
    return out;
  }

  SourceEntry source(const YAML::Node& item) const {
    expect_map(item, "a source");
    SourceEntry source;
    source.name = name(item, "a source");
    source.connection = rendered(item["connection"]);
    source.database = rendered(item["database"] ? item["database"] : item["catalog"]);
    source.schema = rendered(item["schema"]);
    source.description = text(item["description"]);
    source.loader = rendered(item["loader"]);
    source.config = config(item["config"]);
    if (item["meta"]) source.meta = plain(item["meta"]);
    source.tags = tags(item["tags"]);
    source.line = yaml_line(item);
    YAML::Node tables = item["tables"];
    if (tables && !tables.IsNull()) {
      if (!tables.IsSequence()) fail(tables, "'tables' must be a list");
      for (const auto& table_node : tables) {
        expect_map(table_node, "a source table");
        SourceTableEntry table;
        table.name = name(table_node, "a source table");
        table.identifier = rendered(table_node["identifier"]);
        table.description = text(table_node["description"]);
        table.config = config(table_node["config"]);
        if (table_node["meta"]) table.meta = plain(table_node["meta"]);
        table.tags = tags(table_node["tags"]);
        table.columns = columns(table_node);
        table.tests = tests(table_node);
        table.line = yaml_line(table_node);
        source.tables.push_back(std::move(table));
      }
    }
    return source;
  }

 private:
  std::string file_;
  const YamlRenderer& renderer_;
};

}  // namespace

SchemaFile parse_schema_file(const YAML::Node& root, const std::string& original_file_path,
                             const YamlRenderer& renderer) {
  SchemaFile file;
  file.original_file_path = original_file_path;
  if (!root || root.IsNull()) return file;
  Reader reader(original_file_path, renderer);
  reader.expect_map(root, "a properties file");
  file.models = reader.node_entries(root["models"], "models");
  file.seeds = reader.node_entries(root["seeds"], "seeds");
  YAML::Node sources = root["sources"];
  if (sources && !sources.IsNull()) {
    if (!sources.IsSequence()) reader.fail(sources, "'sources' must be a list");
    for (const auto& item : sources) file.sources.push_back(reader.source(item));
  }
  return file;
}

}  // namespace dvt
