// How a column an ODBC driver describes becomes a DuckDB type, and how its
// values are bound both ways. Pure: the catalog and the result metadata
// fill an OdbcColumnInfo, map_column() decides (tested for every type each
// driver reports, with the quirks of docs/odbc.md).
#pragma once

#include <sql.h>
#include <sqlext.h>

#include <cstddef>
#include <optional>
#include <string>

#include "core/schema.h"

namespace dvt::odbc {

// What SQLColumns (or SQLDescribeCol and SQLColAttribute) says of a column.
struct OdbcColumnInfo {
  std::string name;
  SQLSMALLINT sql_type = SQL_UNKNOWN_TYPE;  // DATA_TYPE (SQL_TYPE_TIMESTAMP, SQL_WVARCHAR, ...)
  std::string type_name;     // the database's spelling ("timestamptz", "INT UNSIGNED")
  int64_t column_size = -1;  // precision, or the length in characters; -1 when unknown
  int decimal_digits = -1;   // scale, or fraction digits; -1 when NULL
  bool nullable = true;
  bool is_unsigned = false;
};

// How the reader takes a column's values out of the driver.
enum class Fetch {
  kBit,        // SQL_C_BIT -> BOOLEAN
  kInt8,       // SQL_C_STINYINT
  kUInt8,      // SQL_C_UTINYINT
  kInt16,      // SQL_C_SSHORT
  kUInt16,     // SQL_C_USHORT
  kInt32,      // SQL_C_SLONG
  kUInt32,     // SQL_C_ULONG
  kInt64,      // SQL_C_SBIGINT
  kUInt64,     // SQL_C_UBIGINT
  kFloat,      // SQL_C_FLOAT
  kDouble,     // SQL_C_DOUBLE
  kDate,       // SQL_C_TYPE_DATE -> days
  kTimestamp,  // SQL_C_TYPE_TIMESTAMP -> microseconds (UTC for WITH TIME ZONE)
  kText,       // SQL_C_WCHAR or SQL_C_CHAR -> VARCHAR (checked UTF-8)
  kBinary,     // SQL_C_BINARY -> BLOB
};

struct MappedColumn {
  Type type;  // the exact type of the column in the engine
  Type wire;  // what the reader writes: `type`, or VARCHAR to be cast by the engine
  Fetch fetch = Fetch::kText;
  std::string source_type;  // the database's spelling, with its size ("numeric(12,2)")
  // Longest value in bytes of the C buffer (without a terminator); 0 when the
  // column has no bound (text, blob, or a driver that says 0).
  size_t max_bytes = 0;
};

// The type of `column` as read from a database of `family` (canonical
// registry type, "" when unknown). Never throws: a type dvt does not know
// travels as its exact text (VARCHAR).
MappedColumn map_column(const OdbcColumnInfo& column, const std::string& family);

// How the writer binds a column of DuckDB type `type` (the wire type of the
// writer): the C type, the SQL type, and for decimals their precision.
struct ParameterType {
  SQLSMALLINT c_type = SQL_C_CHAR;
  SQLSMALLINT sql_type = SQL_VARCHAR;
  SQLULEN column_size = 0;
  SQLSMALLINT decimal_digits = 0;
  size_t value_bytes = 0;  // fixed width of one value; 0 for text and bytes
};

// The wire type the writer asks the engine for, for an incoming column of
// `type`: itself where ODBC has a C type every tested driver reads right,
// a wider integer for one-byte ones, else VARCHAR (exact text: decimals,
// 128-bit integers, UUID, TIME, INTERVAL, nested types).
Type writer_wire_type(const Type& type);
// How a value of incoming type `incoming` is bound, once the engine has
// cast it to writer_wire_type(incoming); text as SQL_C_WCHAR when `wide_text`.
ParameterType parameter_type(const Type& incoming, bool wide_text);

}  // namespace dvt::odbc
