// How MySQL types map to exact DuckDB types and back (docs/mysql.md#types).
// The one place that knows; readers and writers only follow what it says.
//
// Reading: a column's type comes from the result-set metadata (MYSQL_FIELD),
// the same for a table and for a query. The native tier receives binary
// values (prepared statement), the pipe tier text (`mysql --batch`); both are
// decoded straight into the column's vector. The pipe tier selects FLOAT as
// CAST(c AS DOUBLE), because MySQL prints FLOAT with 6 significant digits,
// which does not read back as the same float.
//
// Writing: each incoming DuckDB type gets a MySQL declaration (when dvt
// creates the table) and an encoding (how LOAD DATA / INSERT receive it).
#pragma once

#include <mysql.h>

#include <cstdint>
#include <string>

#include "core/type.h"

namespace dvt::mysql {

// How the reader decodes one column's text into its DuckDB vector.
enum class Decode : uint8_t {
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kBoolean,  // TINYINT(1) read as BOOLEAN: '0' or '1'
  kFloat,    // exact double text, stored as float
  kDouble,
  kDecimal,  // DECIMAL(p <= 38): the unscaled integer
  kText,     // UTF-8 checked
  kBlob,     // bytes as they are
  kBit,      // BIT(n): n/8 big-endian bytes -> UBIGINT
  kDate,
  kDateTime,   // DATETIME -> TIMESTAMP (microseconds)
  kTimestamp,  // TIMESTAMP (UTC in dvt's sessions) -> TIMESTAMP WITH TIME ZONE
  kTime,       // TIME -> TIME (time_type: time); values outside a day fail
  kTimeText,   // TIME -> VARCHAR '[-]HH:MM:SS[.f]', as MySQL prints it (time_type: text)
  kNull,       // a column that can only be NULL
};

// What result-set metadata says about one column.
struct FieldInfo {
  std::string name;
  enum_field_types type = MYSQL_TYPE_NULL;
  unsigned long length = 0;  // display width (characters x bytes per char for text)
  unsigned decimals = 0;
  unsigned flags = 0;      // NOT_NULL_FLAG, UNSIGNED_FLAG, ENUM_FLAG, ...
  unsigned charsetnr = 0;  // 63: binary
  bool json = false;       // MySQL JSON, or MariaDB's extended metadata format=json

  static FieldInfo from(const MYSQL_FIELD& field);
  bool is_binary() const { return charsetnr == 63; }
  bool is_unsigned() const { return (flags & UNSIGNED_FLAG) != 0; }
};

struct MappingOptions {
  bool tinyint1_as_boolean = false;
  bool time_as_text = true;
};

struct MysqlColumnType {
  Type type;  // the exact DuckDB type every batch carries
  Decode decode = Decode::kText;
  std::string source_type;      // MySQL's spelling, e.g. "decimal(65,30)", "int unsigned"
  uint8_t fraction_digits = 0;  // TIME(n): the n digits MySQL prints
};

// The type of one result column. Throws DataError for a type dvt cannot carry.
MysqlColumnType map_field(const FieldInfo& field, const MappingOptions& options);

// True when `mysql --batch` text of this column could be the word NULL for a
// non-NULL value (text, bytes, bits): such a column is selected as
// CONCAT('V', c), so a NULL stays the bare word NULL and a value always
// starts with V.
bool pipe_needs_marker(const MysqlColumnType& column);
// The select-list expression that yields a column's value in the text form
// the pipe reader expects (`quoted` is the column's quoted name): FLOAT as
// its exact double, text marked when it can be NULL.
std::string pipe_select_expression(const MysqlColumnType& column, const std::string& quoted,
                                   bool nullable);

// How the writer turns one incoming column into LOAD DATA / INSERT text.
enum class Encode : uint8_t {
  kBoolean,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat,
  kDouble,
  kDecimal,
  kText,
  kBlob,  // hex; UNHEX() in LOAD DATA, X'..' in INSERT
  kDate,
  kTime,
  kTimestamp,  // TIMESTAMP and TIMESTAMP WITH TIME ZONE (UTC): microseconds
  kTimestampSec,
  kTimestampMs,
  kTimestampNs,  // fails on a value with nanoseconds MySQL cannot hold
};

struct MysqlTargetType {
  std::string declaration;  // e.g. "DECIMAL(12,2)", "LONGTEXT"
  Type wire;                // the type the engine casts the incoming column to
  Encode encode;
};

// The declaration and encoding for an incoming column of `type`. A key column
// cannot be LONGTEXT/LONGBLOB (InnoDB indexes at most 3072 bytes): it gets
// VARCHAR/VARBINARY sized to share that budget with the other
// `key_string_columns` string key columns, after `key_other_columns`
// key columns of other types took theirs.
MysqlTargetType target_type(const Type& type, bool key_column, size_t key_string_columns,
                            size_t key_other_columns = 0);

// True when `type` would be written as text or bytes (for key sizing).
bool is_string_target(const Type& type);

}  // namespace dvt::mysql
