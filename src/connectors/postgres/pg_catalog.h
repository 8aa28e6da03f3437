// What PostgreSQL's catalog says about a table or a query: exact column
// types (resolved through domains, with enums and arrays recognized), the
// primary key (or a unique index standing in for it), and the planner's row
// estimate. Never inferred from sampled data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/load_plan.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_types.h"

namespace dvt::pg {

struct PgColumn {
  std::string name;
  PgType type;
  bool not_null = false;
  bool has_default = false;  // a DEFAULT, or an identity column
  bool generated = false;    // GENERATED ALWAYS AS (...) STORED
};

struct PgTable {
  uint32_t oid = 0;
  std::string schema;  // the namespace it was found in
  std::string name;
  char kind = 'r';  // pg_class.relkind
  std::vector<PgColumn> columns;
  std::vector<std::string> primary_key;  // the primary key, else the best unique index
  std::optional<uint64_t> estimated_rows;

  // "schema"."name", quoted.
  std::string qualified() const { return quote_identifier(schema) + "." + quote_identifier(name); }
  // Index of the column called `name`, or -1.
  int find(const std::string& column) const;
};

// The table `schema`.`name` (schema empty: the first match on search_path),
// or nullopt when there is none.
std::optional<PgTable> find_table(PgConnection& conn, const std::string& schema,
                                  const std::string& name);

// The load contract's view of `schema`.`name` (load_plan.h): whether it
// exists, its columns and key; `found` is the catalog's table, when it exists.
TargetTable target_table(const std::optional<PgTable>& found, const std::string& schema,
                         const std::string& name, bool schema_exists, const std::string& label);

// True when the schema (namespace) `schema` exists.
bool schema_exists(PgConnection& conn, const std::string& schema);

// The columns a query yields (names and resolved types), without running it.
std::vector<PgColumn> describe_query(PgConnection& conn, const std::string& sql);

// Resolves (type OID, typmod) pairs to full type descriptions, in order.
std::vector<PgType> resolve_types(PgConnection& conn,
                                  const std::vector<std::pair<uint32_t, int32_t>>& types);

}  // namespace dvt::pg
