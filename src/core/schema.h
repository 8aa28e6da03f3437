// What a table or query yields: its columns with exact types, its key, and
// how many rows it probably has.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/type.h"

namespace dvt {

struct Column {
  std::string name;
  Type type;                // the type every batch carries for this column
  std::string source_type;  // the source database's own spelling, e.g. "numeric(12,2)"
  bool nullable = true;
  // The type a new table declares for it, in the target's SQL, when the user
  // chose one (a seed's column_types); empty: the target dialect's choice.
  std::string declared_type{};
};

struct TableSchema {
  std::vector<Column> columns;
  std::vector<std::string> primary_key;  // column names; empty when none is known
  std::optional<uint64_t> estimated_rows;

  std::vector<Type> types() const;
  std::vector<std::string> names() const;
  // Index of the column called `name`, or -1.
  int find(const std::string& name) const;
};

// A table in a database: optional schema (namespace) and name.
struct TableRef {
  std::string schema;  // empty: the connection's default
  std::string name;

  std::string display() const { return schema.empty() ? name : schema + "." + name; }
};

}  // namespace dvt
