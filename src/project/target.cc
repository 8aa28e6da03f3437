#include "project/target.h"

#include <filesystem>

#include "connectors/clickhouse/ch_dialect.h"
#include "connectors/duckdb/duckdb_dialect.h"
#include "connectors/mysql/mysql_dialect.h"
#include "connectors/postgres/pg_dialect.h"
#include "connectors/registry.h"
#include "connectors/sqlite/sqlite_dialect.h"

namespace dvt {

const Dialect& dialect_for(const std::string& adapter_type) {
  const AdapterInfo* adapter = find_adapter(adapter_type);
  std::string family = adapter ? std::string(adapter->type) : adapter_type;
  if (family == "duckdb") return duck::dialect();
  if (family == "mysql") return mysql::dialect();
  if (family == "sqlite") return sqlite::dialect();
  if (family == "clickhouse") {
    static const ch::ChDialect clickhouse;
    return clickhouse;
  }
  return pg::dialect();
}

jinja::Value Target::to_value() const {
  jinja::Value::Map map;
  if (fields.kind() == jinja::Value::Kind::kMap) map = fields.as_map();
  auto put = [&](const std::string& key, jinja::Value value) {
    for (auto& [name, existing] : map) {
      if (name == key) {
        existing = std::move(value);
        return;
      }
    }
    map.emplace_back(key, std::move(value));
  };
  put("name", name);
  put("target_name", name);
  put("type", type);
  put("schema", schema);
  put("database", database.empty() ? jinja::Value() : jinja::Value(database));
  put("threads", threads);
  put("profile_name", profile_name);
  return jinja::Value(std::move(map));
}

Target make_target(const OutputConfig& output, const std::string& profile_name,
                   const nlohmann::ordered_json& quoting) {
  Target target;
  target.name = output.name();
  const AdapterInfo* adapter = find_adapter(output.type());
  target.type = adapter ? std::string(adapter->type) : output.type();
  target.profile_name = profile_name;
  target.threads = output.get_int("threads", 1);
  auto field = [&](std::initializer_list<const char*> keys, const std::string& fallback) {
    for (const char* key : keys) {
      if (auto value = output.get(key); value && !value->empty()) return *value;
      if (output.has(key)) output.require_rendered();  // present but not rendered
    }
    return fallback;
  };
  bool include_database = true;
  if (target.type == "duckdb") {
    std::string path = output.get_or("path", ":memory:");
    std::string stem = path == ":memory:" ? "memory" : std::filesystem::path(path).stem().string();
    target.schema = field({"schema"}, "main");
    target.database = field({"database"}, stem);
  } else if (target.type == "sqlite") {
    target.schema = field({"schema"}, "main");
    include_database = false;
  } else if (target.type == "mysql" || target.type == "clickhouse") {
    target.schema =
        field({"schema", "database", "dbname"}, target.type == "clickhouse" ? "default" : "");
    include_database = false;
  } else {
    target.schema = field({"schema"}, "public");
    target.database = field({"dbname", "database"}, "");
  }
  jinja::Value::Map fields;
  for (const auto& [key, value] : output.fields()) {
    if (!is_secret_key(key)) fields.emplace_back(key, value);
  }
  target.fields = jinja::Value(std::move(fields));
  target.dialect = &dialect_for(target.type);
  auto style = std::make_shared<jinja::RelationStyle>();
  style->dialect = target.dialect;
  style->include_database = include_database;
  auto quote = [&](const char* part) {
    auto found = quoting.find(part);
    return found == quoting.end() || !found->is_boolean() || found->get<bool>();
  };
  style->quote_database = quote("database");
  style->quote_schema = quote("schema");
  style->quote_identifier = quote("identifier");
  target.relation_style = std::move(style);
  return target;
}

}  // namespace dvt
