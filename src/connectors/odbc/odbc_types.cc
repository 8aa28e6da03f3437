#include "connectors/odbc/odbc_types.h"

#include <fmt/format.h>

#include <cctype>

namespace dvt::odbc {

namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool contains(const std::string& text, std::string_view word) {
  return text.find(word) != std::string::npos;
}

MappedColumn fixed(duckdb_type id, Fetch fetch, std::string source_type) {
  MappedColumn mapped;
  mapped.type = Type(id);
  mapped.wire = mapped.type;
  mapped.fetch = fetch;
  mapped.source_type = std::move(source_type);
  return mapped;
}

MappedColumn as_text(Type type, std::string source_type, size_t max_bytes) {
  MappedColumn mapped;
  mapped.type = std::move(type);
  mapped.wire = Type(DUCKDB_TYPE_VARCHAR);
  mapped.fetch = Fetch::kText;
  mapped.source_type = std::move(source_type);
  mapped.max_bytes = max_bytes;
  return mapped;
}

// "decimal(12,2)" (SQLite's driver reports the declared type only): the
// precision and scale in it.
bool parse_precision(const std::string& type_name, int64_t& precision, int& scale) {
  size_t open = type_name.find('(');
  if (open == std::string::npos) return false;
  int p = 0, s = 0;
  if (std::sscanf(type_name.c_str() + open, "(%d,%d)", &p, &s) == 2 ||
      std::sscanf(type_name.c_str() + open, "( %d , %d )", &p, &s) == 2) {
    precision = p;
    scale = s;
    return true;
  }
  if (std::sscanf(type_name.c_str() + open, "(%d)", &p) == 1) {
    precision = p;
    scale = 0;
    return true;
  }
  return false;
}

MappedColumn decimal(int64_t precision, int scale, const std::string& source_type) {
  if (precision >= 1 && precision <= 38 && scale >= 0 && scale <= precision) {
    // Exact text from the driver, cast by the engine (which checks it).
    return as_text(Type::decimal(static_cast<uint8_t>(precision), static_cast<uint8_t>(scale)),
                   source_type, static_cast<size_t>(precision) + 2);
  }
  return as_text(Type(DUCKDB_TYPE_VARCHAR), source_type, 0);
}

}  // namespace

MappedColumn map_column(const OdbcColumnInfo& column, const std::string& family) {
  const std::string name = lower(column.type_name);
  const bool pg = family == "postgres";
  const bool my = family == "mysql";
  const bool sqlite = family == "sqlite";
  const int64_t size = column.column_size;
  auto spelled = [&](bool with_size) {
    std::string spelling = column.type_name.empty() ? "unknown" : column.type_name;
    if (with_size && size > 0 && spelling.find('(') == std::string::npos)
      spelling += fmt::format("({})", size);
    return spelling;
  };

  // SQLite's driver reports what the column declares; its rules decide.
  if (sqlite && (contains(name, "decimal") || contains(name, "numeric"))) {
    int64_t precision = 0;
    int scale = 0;
    if (parse_precision(name, precision, scale)) return decimal(precision, scale, column.type_name);
    return fixed(DUCKDB_TYPE_DOUBLE, Fetch::kDouble, column.type_name);
  }
  // SQLite's INTEGER holds 64 bits, but its driver reports SQL_INTEGER.
  if (sqlite && column.sql_type == SQL_INTEGER)
    return fixed(DUCKDB_TYPE_BIGINT, Fetch::kInt64, column.type_name);
  // psqlODBC reports these by the nearest SQL type, which would not hold
  // their values: money as SQL_FLOAT (its text is "$1.00"), oid as a
  // signed SQL_INTEGER.
  if (pg && name == "money") return as_text(Type(DUCKDB_TYPE_VARCHAR), "money", 0);
  if (pg && name == "oid") return fixed(DUCKDB_TYPE_UINTEGER, Fetch::kUInt32, "oid");

  // An integer of the width `sql_type` says, signed unless the driver or
  // the type name ("INT UNSIGNED") says otherwise.
  const bool is_unsigned = column.is_unsigned || contains(name, "unsigned");
  auto integer = [&](duckdb_type signed_type, Fetch signed_fetch, duckdb_type unsigned_type,
                     Fetch unsigned_fetch) {
    return is_unsigned ? fixed(unsigned_type, unsigned_fetch, spelled(false))
                       : fixed(signed_type, signed_fetch, spelled(false));
  };
  switch (column.sql_type) {
    case SQL_BIT:
      return fixed(DUCKDB_TYPE_BOOLEAN, Fetch::kBit, spelled(false));
    case SQL_TINYINT:
      return integer(DUCKDB_TYPE_TINYINT, Fetch::kInt8, DUCKDB_TYPE_UTINYINT, Fetch::kUInt8);
    case SQL_SMALLINT:
      return integer(DUCKDB_TYPE_SMALLINT, Fetch::kInt16, DUCKDB_TYPE_USMALLINT, Fetch::kUInt16);
    case SQL_INTEGER:
      return integer(DUCKDB_TYPE_INTEGER, Fetch::kInt32, DUCKDB_TYPE_UINTEGER, Fetch::kUInt32);
    case SQL_BIGINT:
      return integer(DUCKDB_TYPE_BIGINT, Fetch::kInt64, DUCKDB_TYPE_UBIGINT, Fetch::kUInt64);
    case SQL_REAL:
      return fixed(DUCKDB_TYPE_FLOAT, Fetch::kFloat, spelled(false));
    case SQL_FLOAT:
      // FLOAT(p): binary precision up to 24 is single, else double.
      if (size > 0 && size <= 24 && !pg)
        return fixed(DUCKDB_TYPE_FLOAT, Fetch::kFloat, spelled(false));
      return fixed(DUCKDB_TYPE_DOUBLE, Fetch::kDouble, spelled(false));
    case SQL_DOUBLE:
      return fixed(DUCKDB_TYPE_DOUBLE, Fetch::kDouble, spelled(false));
    case SQL_DECIMAL:
    case SQL_NUMERIC: {
      std::string source =
          fmt::format("{}({},{})", column.type_name.empty() ? "numeric" : column.type_name, size,
                      std::max(column.decimal_digits, 0));
      // psqlODBC reports a numeric without precision as numeric(28,6);
      // its values may have any number of digits, so they travel as text.
      if (pg && size == 28 && column.decimal_digits == 6)
        return as_text(Type(DUCKDB_TYPE_VARCHAR), "numeric", 0);
      return decimal(size, std::max(column.decimal_digits, 0), source);
    }
    case SQL_TYPE_DATE:
    case SQL_DATE:
      return fixed(DUCKDB_TYPE_DATE, Fetch::kDate, spelled(false));
    case SQL_TYPE_TIME:
    case SQL_TIME:
      return as_text(Type(DUCKDB_TYPE_TIME), spelled(false), 32);
    case SQL_TYPE_TIMESTAMP:
    case SQL_TIMESTAMP: {
      // An instant: PostgreSQL's timestamptz, MySQL's TIMESTAMP (read in a
      // UTC session), or a type that says so.
      bool instant = contains(name, "timestamptz") || contains(name, "with time zone") ||
                     (my && name == "timestamp");
      std::string source = spelled(false);
      if (column.decimal_digits > 0 && source.find('(') == std::string::npos && !pg)
        source += fmt::format("({})", column.decimal_digits);
      return fixed(instant ? DUCKDB_TYPE_TIMESTAMP_TZ : DUCKDB_TYPE_TIMESTAMP, Fetch::kTimestamp,
                   source);
    }
    case SQL_GUID:
      return as_text(Type(DUCKDB_TYPE_UUID), spelled(false), 36);
    case SQL_CHAR:
    case SQL_VARCHAR:
    case SQL_WCHAR:
    case SQL_WVARCHAR: {
      Type type = name == "json" || name == "jsonb" ? Type::json() : Type(DUCKDB_TYPE_VARCHAR);
      // psqlODBC gives the types it has no SQL type for (json, arrays,
      // inet, interval, ...) a made-up length: only varchar(n) and char(n)
      // are bounded there.
      bool bounded = size > 0 && (!pg || name == "varchar" || name == "bpchar" || name == "char");
      MappedColumn mapped =
          as_text(type, spelled(bounded && !sqlite), bounded ? 4 * static_cast<size_t>(size) : 0);
      mapped.wire = type;
      return mapped;
    }
    case SQL_LONGVARCHAR:
    case SQL_WLONGVARCHAR: {
      Type type = name == "json" || name == "jsonb" ? Type::json() : Type(DUCKDB_TYPE_VARCHAR);
      // Only MariaDB's driver reports the true longest value of TEXT.
      bool bounded = my && size > 0 && size <= 65535;
      MappedColumn mapped =
          as_text(type, spelled(false), bounded ? 4 * static_cast<size_t>(size) : 0);
      mapped.wire = type;
      return mapped;
    }
    case SQL_BINARY:
    case SQL_VARBINARY: {
      MappedColumn mapped = fixed(DUCKDB_TYPE_BLOB, Fetch::kBinary, spelled(size > 0 && !sqlite));
      mapped.max_bytes = size > 0 ? static_cast<size_t>(size) : 0;
      return mapped;
    }
    case SQL_LONGVARBINARY: {
      MappedColumn mapped = fixed(DUCKDB_TYPE_BLOB, Fetch::kBinary, spelled(false));
      mapped.max_bytes = my && size > 0 && size <= 65535 ? static_cast<size_t>(size) : 0;
      return mapped;
    }
    default:
      // Intervals and anything else: the driver's exact text.
      return as_text(Type(DUCKDB_TYPE_VARCHAR), spelled(false), 0);
  }
}

Type writer_wire_type(const Type& type) {
  switch (type.id) {
    // SQLite's driver reads SQL_C_STINYINT as unsigned (-128 arrived as
    // 128): one-byte integers go as two-byte ones, which every driver reads.
    case DUCKDB_TYPE_TINYINT:
      return Type(DUCKDB_TYPE_SMALLINT);
    case DUCKDB_TYPE_UTINYINT:
      return Type(DUCKDB_TYPE_USMALLINT);
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
      return type.id == DUCKDB_TYPE_VARCHAR ? Type(DUCKDB_TYPE_VARCHAR) : type;
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return Type(DUCKDB_TYPE_TIMESTAMP);
    default:
      return Type(DUCKDB_TYPE_VARCHAR);
  }
}

ParameterType parameter_type(const Type& incoming, bool wide_text) {
  switch (incoming.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return {SQL_C_BIT, SQL_BIT, 1, 0, 1};
    case DUCKDB_TYPE_TINYINT:
      return {SQL_C_SSHORT, SQL_SMALLINT, 5, 0, 2};
    case DUCKDB_TYPE_UTINYINT:
      return {SQL_C_USHORT, SQL_SMALLINT, 5, 0, 2};
    case DUCKDB_TYPE_SMALLINT:
      return {SQL_C_SSHORT, SQL_SMALLINT, 5, 0, 2};
    case DUCKDB_TYPE_USMALLINT:
      return {SQL_C_USHORT, SQL_INTEGER, 10, 0, 2};
    case DUCKDB_TYPE_INTEGER:
      return {SQL_C_SLONG, SQL_INTEGER, 10, 0, 4};
    case DUCKDB_TYPE_UINTEGER:
      return {SQL_C_ULONG, SQL_BIGINT, 19, 0, 4};
    case DUCKDB_TYPE_BIGINT:
      return {SQL_C_SBIGINT, SQL_BIGINT, 19, 0, 8};
    case DUCKDB_TYPE_FLOAT:
      return {SQL_C_FLOAT, SQL_REAL, 7, 0, 4};
    case DUCKDB_TYPE_DOUBLE:
      return {SQL_C_DOUBLE, SQL_DOUBLE, 15, 0, 8};
    case DUCKDB_TYPE_DATE:
      return {SQL_C_TYPE_DATE, SQL_TYPE_DATE, 10, 0, sizeof(SQL_DATE_STRUCT)};
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return {SQL_C_TYPE_TIMESTAMP, SQL_TYPE_TIMESTAMP, 26, 6, sizeof(SQL_TIMESTAMP_STRUCT)};
    case DUCKDB_TYPE_DECIMAL:
      return {SQL_C_CHAR, SQL_DECIMAL, incoming.width, static_cast<SQLSMALLINT>(incoming.scale), 0};
    case DUCKDB_TYPE_UBIGINT:
      return {SQL_C_CHAR, SQL_DECIMAL, 20, 0, 0};
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return {SQL_C_CHAR, SQL_DECIMAL, 39, 0, 0};
    case DUCKDB_TYPE_BLOB:
      return {SQL_C_BINARY, SQL_VARBINARY, 0, 0, 0};
    case DUCKDB_TYPE_UUID:
      return {SQL_C_CHAR, SQL_VARCHAR, 36, 0, 0};
    case DUCKDB_TYPE_VARCHAR:
      if (wide_text) return {SQL_C_WCHAR, SQL_WVARCHAR, 0, 0, 0};
      return {SQL_C_CHAR, SQL_VARCHAR, 0, 0, 0};
    default:
      // TIME, INTERVAL and nested types as their text, which is ASCII.
      return {SQL_C_CHAR, SQL_VARCHAR, 0, 0, 0};
  }
}

}  // namespace dvt::odbc
