// The outputs of profiles.yml as a project sees them: dbt's `target` (name,
// type, schema, database, threads, profile_name) and how relations in it are
// written (the family's dialect, whether names have a database part, the
// project's quoting).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/dialect.h"
#include "core/output_config.h"
#include "template/relation.h"
#include "template/value.h"

namespace dvt {

struct Target {
  std::string name;  // the output's name in profiles.yml
  std::string type;  // the adapter family ("postgres", "duckdb", ...)
  std::string schema;
  std::string database;  // "" for families whose names have none
  int threads = 1;
  std::string profile_name;
  const Dialect* dialect = nullptr;
  std::shared_ptr<const jinja::RelationStyle> relation_style;

  // dbt's `target` in templates: name, type, schema, database, threads,
  // profile_name and the output's other non-secret fields.
  jinja::Value to_value() const;
  jinja::Value fields;  // the output's non-secret fields (a map)
};

// The target of `output`. Defaults as the dbt adapters have them: DuckDB's
// schema is main and its database the file's stem (memory for :memory:);
// SQLite's schema is main; MySQL's and ClickHouse's schema is the `schema`
// (else `database`) field and their names have no database part; PostgreSQL
// reads dbname (or database) and schema (default public). `quoting` is the
// project's quoting config (database/schema/identifier: true or false).
// Throws the output's ConfigError when a field it needs could not be rendered
// (an environment variable that is not set).
Target make_target(const OutputConfig& output, const std::string& profile_name,
                   const nlohmann::ordered_json& quoting);

// The dialect of an adapter type (an alias finds its family's); standard SQL
// quoting for families without one in this build.
const Dialect& dialect_for(const std::string& adapter_type);

}  // namespace dvt
