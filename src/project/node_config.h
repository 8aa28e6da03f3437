// A node's config as dbt resolves it: every key the project file's tree, the
// node's YAML `config:` and its own {{ config(...) }} give, merged in that
// order with dbt's rules (most keys: the later wins; tags and hooks: added;
// meta, docs, persist_docs and grants: updated key by key), plus typed
// accessors for the keys dvt acts on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace dvt {

using Json = nlohmann::ordered_json;

class NodeConfig {
 public:
  NodeConfig() : json_(Json::object()) {}
  explicit NodeConfig(Json json) : json_(std::move(json)) {}

  // Merges `update` (an object of keys) into this config with dbt's rules.
  // Keys are normalized (`pre_hook` is `pre-hook`).
  void merge(const Json& update);

  // Sets one key as a later source would (with the merge rules).
  void set(const std::string& key, const Json& value) { merge(Json{{key, value}}); }

  const Json& json() const { return json_; }
  // The value of `key`, or nullptr when absent or null.
  const Json* find(const std::string& key) const;
  // The text of `key` when it is a string (else `fallback`).
  std::string text(const std::string& key, const std::string& fallback = "") const;

  // --- every node ------------------------------------------------------------
  bool enabled() const;                       // default true
  std::vector<std::string> tags() const;      // a string or a list
  std::optional<std::string> schema() const;  // the custom schema, if any
  std::optional<std::string> alias() const;
  std::optional<std::string> database() const;
  // The profiles.yml output the node is written to; "" for the default.
  std::string target() const { return text("target"); }

  // --- models ----------------------------------------------------------------
  std::string materialized() const { return text("materialized", "view"); }
  // unique_key as a list of columns (a string is one column).
  std::vector<std::string> unique_key() const;
  std::string incremental_strategy() const { return text("incremental_strategy"); }
  std::optional<bool> full_refresh() const;
  std::string on_schema_change() const { return text("on_schema_change", "ignore"); }

  // --- tests -----------------------------------------------------------------
  std::string severity() const;  // "ERROR" or "WARN" (upper case)
  std::string where() const { return text("where"); }
  std::optional<int64_t> limit() const;
  std::string warn_if() const { return text("warn_if", "!= 0"); }
  std::string error_if() const { return text("error_if", "!= 0"); }
  std::string fail_calc() const { return text("fail_calc", "count(*)"); }
  std::optional<bool> store_failures() const;

  // --- seeds -----------------------------------------------------------------
  // Column name -> type for the columns that have one, in order.
  std::vector<std::pair<std::string, std::string>> column_types() const;
  std::string delimiter() const { return text("delimiter", ","); }
  std::optional<bool> quote_columns() const;

 private:
  std::optional<bool> flag(const std::string& key) const;
  Json json_;
};

}  // namespace dvt
