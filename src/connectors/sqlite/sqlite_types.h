// How SQLite's dynamic typing maps to exact types (see docs/types.md#sqlite).
//
// Reading: a column's type comes from its declared type, never from the
// values. Names dvt recognizes (BOOLEAN, DATE, TIMESTAMP, DECIMAL(p,s), UUID,
// ...) map to that type; anything else follows SQLite's affinity rules. Each
// value is then checked against the column: one that does not fit (text in an
// INTEGER column, a fractional REAL in an INTEGER column, invalid UTF-8 in a
// TEXT column, a date that does not parse) stops the job with an error naming
// table, column and row; nothing is silently converted or dropped.
//
// Writing: every type gets a declaration whose affinity stores its values
// without conversion (SQLite's NUMERIC affinity would turn '0.30' or a 20-digit
// integer into an inexact REAL, so exact numbers are declared with TEXT
// affinity, e.g. "DECIMAL TEXT(38,2)"), and that reads back as the same type
// or, for types SQLite has no name for, as their exact text.
#pragma once

#include <string>

#include "core/type.h"

namespace dvt::sqlite {

// How the reader receives one column's values from sqlite3_column_*.
enum class WireKind { kInteger, kReal, kText, kBlob, kBoolean };

struct SqliteColumnType {
  Type type;       // the column's exact type
  WireKind wire;   // what the reader decodes; the engine casts text to `type`
  Type wire_type;  // the DuckDB type of the wire values
};

// The type of a column declared `declared` ("" when it has no declared type).
SqliteColumnType map_declared_type(const std::string& declared);

// The declaration a target column of `type` gets, and the type its values are
// bound as (INTEGER, REAL/DOUBLE, BLOB, BOOLEAN, or VARCHAR for text).
struct SqliteTargetType {
  std::string declaration;
  Type wire_type;
};
SqliteTargetType target_type(const Type& type);

}  // namespace dvt::sqlite
