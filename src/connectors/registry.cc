#include "connectors/registry.h"

#include <fmt/format.h>

namespace dvt {

const std::vector<AdapterInfo>& adapters() {
  static const std::vector<AdapterInfo> kAdapters = {
      {"duckdb", {}, {"path"}, true},
      {"sqlite", {"sqlite3"}, {"path"}, true},
      {"postgres",
       {"postgresql", "greenplum", "timescaledb", "alloydb", "citus", "neon", "cockroachdb",
        "materialize", "risingwave", "cratedb", "redshift"},
       {"host", "user", "dbname|database"},
       false},
      {"mysql",
       {"mariadb", "tidb", "singlestore", "aurora_mysql", "planetscale", "vitess"},
       {"host", "user"},
       false},
      {"clickhouse", {}, {"host"}, false},
      {"sqlserver", {"synapse", "fabric"}, {"host"}, false},
      {"oracle", {}, {"user"}, false},
      {"snowflake", {}, {"account"}, false},
      {"bigquery", {}, {}, false},
      {"databricks", {}, {"host"}, false},
      {"athena", {}, {}, false},
  };
  return kAdapters;
}

const AdapterInfo* find_adapter(const std::string& type) {
  for (const auto& adapter : adapters()) {
    if (adapter.type == type) return &adapter;
    for (const auto& alias : adapter.aliases) {
      if (alias == type) return &adapter;
    }
  }
  return nullptr;
}

std::string known_adapter_names() {
  std::vector<std::string_view> names;
  for (const auto& adapter : adapters()) {
    names.push_back(adapter.type);
    for (const auto& alias : adapter.aliases) names.push_back(alias);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace dvt
