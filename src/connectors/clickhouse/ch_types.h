// The one place where ClickHouse types meet dvt's (DuckDB's) types, in both
// directions (docs/clickhouse.md#types).
//
// A column's type is the server's own spelling ("Nullable(Decimal(12, 2))",
// "Array(LowCardinality(String))", "Enum8('a' = 1)"), parsed into a small
// tree. Reading maps the tree to the DuckDB type every batch carries and to
// the RowBinary layout the decoder walks; writing maps an incoming DuckDB
// type to the wire type the engine casts it to, and, for a table dvt
// creates, to a ClickHouse declaration.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/type.h"

namespace dvt::ch {

enum class ChKind : uint8_t {
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat32,
  kFloat64,
  kDecimal,  // Decimal(P, S), Decimal32/64/128(S): Int32/64/128 by P
  kBool,     // newer servers; one byte 0/1
  kString,
  kFixedString,  // FixedString(N)
  kDate,         // UInt16 days since 1970-01-01
  kDate32,       // newer servers; Int32 days
  kDateTime,     // UInt32 seconds since the epoch; optional time zone
  kDateTime64,   // newer servers; Int64 ticks of 10^-precision s; optional time zone
  kUuid,         // two UInt64 halves, high half first, each little-endian
  kEnum8,
  kEnum16,
  kNothing,         // the type of NULL and []
  kNullable,        // children[0]
  kLowCardinality,  // children[0]; RowBinary carries the inner type
  kArray,           // children[0]
  kOther,           // anything else (Tuple, Map, IPv4, Int128, ...): read as text
};

struct ChType {
  ChKind kind = ChKind::kOther;
  std::string spelling;  // as the server prints it (or as dvt declares it)
  int precision = 0;     // Decimal P; DateTime64 precision
  int scale = 0;         // Decimal S
  uint32_t length = 0;   // FixedString N
  bool has_timezone = false;
  std::string timezone;  // DateTime('Zone') / DateTime64(p, 'Zone')
  std::vector<std::pair<std::string, int16_t>> enum_values;  // label, code
  std::vector<ChType> children;

  bool nullable() const { return kind == ChKind::kNullable; }
  // The type without Nullable and LowCardinality wrappers.
  const ChType& value_type() const;
  // Storage bytes of a Decimal of precision P: 4, 8 or 16.
  int decimal_bytes() const { return precision <= 9 ? 4 : precision <= 18 ? 8 : 16; }
};

// Parses a type as the server spells it. Throws DataError for a spelling
// that is malformed; a well-formed type dvt does not decode is kOther.
ChType parse_type(std::string_view spelling);

// True when dvt decodes `type` from RowBinary into its exact DuckDB type (no
// kOther inside, no DateTime64 beyond microseconds); other types are read
// as their text (toString).
bool is_readable_in_binary(const ChType& type);

// How String and FixedString columns are read (output setting `strings`).
enum class StringRule : uint8_t {
  kText,  // VARCHAR; a value that is not valid UTF-8 stops the job
  kBlob,  // BLOB: any bytes
};

struct ReadOptions {
  StringRule strings = StringRule::kText;
  // The server's time zone is UTC: DateTime without a zone reads as a plain
  // TIMESTAMP (its wall clock is UTC). Otherwise it reads as TIMESTAMP WITH
  // TIME ZONE, the exact instant.
  bool server_utc = true;
};

// How one column is read.
struct ReadPlan {
  Type type;             // the DuckDB type of the column
  ChType wire;           // what RowBinary carries for it
  bool as_text = false;  // selected as toString(col): wire is (Nullable) String
  bool nullable = false;
};
ReadPlan plan_read(const ChType& type, const ReadOptions& options);

// The DuckDB type a ClickHouse type (without wrappers) reads as; kOther and
// unsupported parts read as VARCHAR text.
Type duck_type(const ChType& type, const ReadOptions& options);

// What a server offers that changes type choices when dvt creates a table.
struct DdlOptions {
  bool has_bool = false;        // Bool
  bool has_datetime64 = false;  // DateTime64(6[, 'UTC'])
  bool has_date32 = false;      // Date32
  bool has_int128 = false;      // Int128 / UInt128
  bool server_utc = true;
};

// The ClickHouse declaration of a new column for a DuckDB type (Nullable(...)
// when `nullable`; arrays are never Nullable, their elements always are).
std::string ddl_type(const Type& type, bool nullable, const DdlOptions& options);

// The DuckDB type the engine casts an incoming column of type `incoming` to
// before it is encoded as RowBinary for a target column of type `target`.
// Throws ConfigError for a target type dvt cannot encode.
Type wire_type(const ChType& target, const Type& incoming);

// Backtick quoting (ClickHouse escapes with backslashes inside).
// The character a backslash escape of ClickHouse's text formats and string
// literals stands for (\n, \t, \0, ...); any other character stands for itself.
char escaped_char(char e);

std::string quote_identifier(std::string_view name);
// A single-quoted string literal.
std::string quote_literal(std::string_view value);

}  // namespace dvt::ch
