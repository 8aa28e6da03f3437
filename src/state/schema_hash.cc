#include "state/schema_hash.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/digest.h"

namespace dvt {

SchemaRecord schema_record(const TableSchema& schema) {
  SchemaRecord record;
  nlohmann::json canonical = nlohmann::json::array();
  for (const auto& column : schema.columns) {
    record.columns.push_back({column.name, column.source_type, column.nullable});
    canonical.push_back({column.name, column.source_type, column.nullable});
  }
  record.key = schema.primary_key;
  canonical.push_back(schema.primary_key);
  record.hash =
      sha256_hex(canonical.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return record;
}

std::string schema_changes(const SchemaRecord& before, const SchemaRecord& after) {
  if (before.hash == after.hash) return "";
  std::vector<std::string> changes;
  auto find = [](const SchemaRecord& record,
                 const std::string& name) -> const SchemaRecord::Entry* {
    for (const auto& column : record.columns)
      if (column.name == name) return &column;
    return nullptr;
  };
  for (const auto& column : after.columns) {
    const SchemaRecord::Entry* old = find(before, column.name);
    if (!old) {
      changes.push_back(fmt::format("column {} added", column.name));
    } else if (old->type != column.type) {
      changes.push_back(fmt::format("column {}: {} -> {}", column.name, old->type, column.type));
    } else if (old->nullable != column.nullable) {
      changes.push_back(fmt::format("column {} {}", column.name,
                                    column.nullable ? "now allows NULL" : "now NOT NULL"));
    }
  }
  for (const auto& column : before.columns)
    if (!find(after, column.name)) changes.push_back(fmt::format("column {} dropped", column.name));
  if (before.key != after.key) {
    changes.push_back(
        fmt::format("key ({}) -> ({})", fmt::join(before.key, ", "), fmt::join(after.key, ", ")));
  }
  if (changes.empty()) changes.emplace_back("columns reordered");
  return fmt::format("{}", fmt::join(changes, "; "));
}

}  // namespace dvt
