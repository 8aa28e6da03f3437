// The one place where PostgreSQL types meet dvt's (DuckDB's) types, in both
// directions, and the value rules that go with them (docs/postgres.md,
// docs/types.md#postgres).
//
// Reading: a column's type comes from the catalog (pg_attribute, or the row
// description of a query), resolved through domains to its base type. Types
// DuckDB holds exactly are decoded from PostgreSQL's binary format (integers,
// floats, boolean, numeric(p<=38,s), the text family, json/jsonb, bytea,
// date, timestamp, timestamptz, time, interval, uuid, and one-dimensional
// arrays of these). Everything else (unconstrained or wider numeric, money,
// inet, cidr, macaddr, bit, varbit, xml, timetz, ranges, geometry, ...) is
// selected as `::text` and travels as its exact PostgreSQL text.
//
// Writing: an incoming column is cast by the engine to the wire type its
// target column's binary format is encoded from. Incoming text, and target
// types dvt has no binary encoder for, are loaded as text into a staging
// table and cast by PostgreSQL's own input functions.
#pragma once

#include <cstdint>
#include <string>

#include "core/type.h"

namespace dvt::pg {

// Built-in type OIDs (pg_type.dat; stable across versions).
enum Oid : uint32_t {
  kBoolOid = 16,
  kByteaOid = 17,
  kCharOid = 18,
  kNameOid = 19,
  kInt8Oid = 20,
  kInt2Oid = 21,
  kInt4Oid = 23,
  kTextOid = 25,
  kOidOid = 26,
  kJsonOid = 114,
  kXmlOid = 142,
  kFloat4Oid = 700,
  kFloat8Oid = 701,
  kBpcharOid = 1042,
  kVarcharOid = 1043,
  kDateOid = 1082,
  kTimeOid = 1083,
  kTimestampOid = 1114,
  kTimestampTzOid = 1184,
  kIntervalOid = 1186,
  kNumericOid = 1700,
  kUuidOid = 2950,
  kJsonbOid = 3802,
};

// How one value is carried in PostgreSQL's binary format and stored in a
// DuckDB vector.
enum class Codec : uint8_t {
  kBool,         // bool <-> BOOLEAN
  kInt2,         // int2 <-> SMALLINT
  kInt4,         // int4 <-> INTEGER
  kInt8,         // int8 <-> BIGINT
  kOid,          // oid <-> UINTEGER
  kFloat4,       // float4 <-> FLOAT
  kFloat8,       // float8 <-> DOUBLE
  kNumeric,      // numeric <-> DECIMAL(p,s)
  kNumericText,  // numeric <- VARCHAR holding a decimal number, NaN or [-]Infinity (writing only)
  kText,         // text family, enum labels, json, and anything selected as ::text <-> VARCHAR
  kJsonb,        // jsonb (a version byte, then text) <-> JSON
  kBytea,        // bytea <-> BLOB
  kDate,         // date <-> DATE
  kTimestamp,    // timestamp and timestamptz <-> TIMESTAMP, TIMESTAMP WITH TIME ZONE
  kTime,         // time <-> TIME
  kInterval,     // interval <-> INTERVAL
  kUuid,         // uuid <-> UUID
  kArray,        // one-dimensional array <-> LIST of the element codec
};

// What the catalog says about a column's type, resolved through domains.
struct PgType {
  uint32_t oid = 0;          // the declared type (a domain's own OID for a domain)
  int32_t typmod = -1;       // the declared modifier
  std::string name;          // format_type(oid, typmod), e.g. "numeric(12,2)"
  uint32_t base_oid = 0;     // after resolving domains
  int32_t base_typmod = -1;  // the modifier that applies to the base type
  std::string base_name;     // pg_type.typname of the base type, e.g. "citext"
  char base_kind = 'b';  // pg_type.typtype of the base: b(ase), e(num), r(ange), c(omposite), ...
  uint32_t element_oid = 0;  // arrays: the element type (a domain's base), else 0
  std::string element_name;  // arrays: typname of the element
  char element_kind = 'b';   // arrays: typtype of the element
  uint32_t element_declared_oid =
      0;  // arrays: the element type as declared (for the binary header)
};

// How a column is read.
struct ReadPlan {
  Type type;  // the DuckDB type of the column
  Codec codec = Codec::kText;
  Codec element_codec = Codec::kText;  // for kArray
  bool select_as_text = false;         // the scan selects "col"::text
};
ReadPlan plan_read(const PgType& type);

// How an incoming column (DuckDB type `incoming`) is written into a target
// column of type `target`.
struct WritePlan {
  Type wire;  // the engine casts the incoming column to this
  Codec codec = Codec::kText;
  Codec element_codec = Codec::kText;  // for kArray
  uint32_t element_oid = 0;            // for kArray: the element OID the server expects
  bool staged_as_text = false;         // no encoder: load as text, let PostgreSQL cast
};
WritePlan plan_write(const Type& incoming, const PgType& target);

// The PostgreSQL column type a new table gets for a DuckDB type.
std::string ddl_type(const Type& type);

// --- value rules shared by the readers and writers -------------------------

// PostgreSQL counts days and microseconds from 2000-01-01, DuckDB from 1970-01-01.
constexpr int32_t kPgEpochDays = 10957;
constexpr int64_t kPgEpochMicros = int64_t{10957} * 86400 * 1000000;

// numeric typmod -> precision and scale (scale may be negative or exceed
// the precision since PostgreSQL 15). Returns false for "no typmod".
bool numeric_typmod(int32_t typmod, int& precision, int& scale);

}  // namespace dvt::pg
