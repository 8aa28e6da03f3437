#include "connectors/mysql/mysql_types.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace dvt::mysql {
namespace {

MysqlColumnType column(Type type, Decode decode, std::string source_type) {
  return {std::move(type), decode, std::move(source_type)};
}

std::string with_sign(const char* name, bool is_unsigned) {
  return is_unsigned ? std::string(name) + " unsigned" : std::string(name);
}

}  // namespace

FieldInfo FieldInfo::from(const MYSQL_FIELD& field) {
  FieldInfo info;
  info.name.assign(field.name, field.name_length);
  info.type = field.type;
  info.length = field.length;
  info.decimals = field.decimals;
  info.flags = field.flags;
  info.charsetnr = field.charsetnr;
  info.json = field.type == MYSQL_TYPE_JSON;
  MARIADB_CONST_STRING format{};
  if (mariadb_field_attr(&format, &field, MARIADB_FIELD_ATTR_FORMAT_NAME) == 0 && format.str &&
      std::string_view(format.str, format.length) == "json") {
    info.json = true;
  }
  return info;
}

MysqlColumnType map_field(const FieldInfo& field, const MappingOptions& options) {
  const bool is_unsigned = field.is_unsigned();
  switch (field.type) {
    case MYSQL_TYPE_TINY:
      if (!is_unsigned && field.length == 1 && options.tinyint1_as_boolean) {
        return column(Type(DUCKDB_TYPE_BOOLEAN), Decode::kBoolean, "tinyint(1)");
      }
      return is_unsigned ? column(Type(DUCKDB_TYPE_UTINYINT), Decode::kUInt8, "tinyint unsigned")
                         : column(Type(DUCKDB_TYPE_TINYINT), Decode::kInt8,
                                  field.length == 1 ? "tinyint(1)" : "tinyint");
    case MYSQL_TYPE_SHORT:
      return is_unsigned ? column(Type(DUCKDB_TYPE_USMALLINT), Decode::kUInt16, "smallint unsigned")
                         : column(Type(DUCKDB_TYPE_SMALLINT), Decode::kInt16, "smallint");
    case MYSQL_TYPE_INT24:
      // MEDIUMINT: 24 bits fit INTEGER / UINTEGER.
      return is_unsigned ? column(Type(DUCKDB_TYPE_UINTEGER), Decode::kUInt32, "mediumint unsigned")
                         : column(Type(DUCKDB_TYPE_INTEGER), Decode::kInt32, "mediumint");
    case MYSQL_TYPE_LONG:
      return is_unsigned ? column(Type(DUCKDB_TYPE_UINTEGER), Decode::kUInt32, "int unsigned")
                         : column(Type(DUCKDB_TYPE_INTEGER), Decode::kInt32, "int");
    case MYSQL_TYPE_LONGLONG:
      return is_unsigned ? column(Type(DUCKDB_TYPE_UBIGINT), Decode::kUInt64, "bigint unsigned")
                         : column(Type(DUCKDB_TYPE_BIGINT), Decode::kInt64, "bigint");
    case MYSQL_TYPE_YEAR:
      return column(Type(DUCKDB_TYPE_SMALLINT), Decode::kInt16, "year");
    case MYSQL_TYPE_FLOAT:
      return column(Type(DUCKDB_TYPE_FLOAT), Decode::kFloat, "float");
    case MYSQL_TYPE_DOUBLE:
      return column(Type(DUCKDB_TYPE_DOUBLE), Decode::kDouble, "double");
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: {
      // The display length counts the digits, a point when there is a
      // fraction, and a sign unless the column is unsigned.
      long precision =
          static_cast<long>(field.length) - (field.decimals > 0 ? 1 : 0) - (is_unsigned ? 0 : 1);
      long scale = field.decimals;
      precision = std::clamp(precision, std::max(1L, scale), 65L);
      std::string spelling =
          with_sign(fmt::format("decimal({},{})", precision, scale).c_str(), is_unsigned);
      if (precision <= 38 && scale <= 38) {
        return column(Type::decimal(static_cast<uint8_t>(precision), static_cast<uint8_t>(scale)),
                      Decode::kDecimal, spelling);
      }
      // Wider than DuckDB's DECIMAL(38): exact text.
      return column(Type(DUCKDB_TYPE_VARCHAR), Decode::kText, spelling);
    }
    case MYSQL_TYPE_BIT:
      return column(Type(DUCKDB_TYPE_UBIGINT), Decode::kBit, fmt::format("bit({})", field.length));
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
      return column(Type(DUCKDB_TYPE_DATE), Decode::kDate, "date");
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_DATETIME2:
      return column(Type(DUCKDB_TYPE_TIMESTAMP), Decode::kDateTime,
                    field.decimals ? fmt::format("datetime({})", field.decimals) : "datetime");
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_TIMESTAMP2:
      return column(Type(DUCKDB_TYPE_TIMESTAMP_TZ), Decode::kTimestamp,
                    field.decimals ? fmt::format("timestamp({})", field.decimals) : "timestamp");
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_TIME2: {
      std::string spelling = field.decimals ? fmt::format("time({})", field.decimals) : "time";
      MysqlColumnType time = options.time_as_text
                                 ? column(Type(DUCKDB_TYPE_VARCHAR), Decode::kTimeText, spelling)
                                 : column(Type(DUCKDB_TYPE_TIME), Decode::kTime, spelling);
      time.fraction_digits = static_cast<uint8_t>(std::min(field.decimals, 6u));
      return time;
    }
    case MYSQL_TYPE_JSON:
      return column(Type::json(), Decode::kText, "json");
    case MYSQL_TYPE_ENUM:
      return column(Type(DUCKDB_TYPE_VARCHAR), Decode::kText, "enum");
    case MYSQL_TYPE_SET:
      return column(Type(DUCKDB_TYPE_VARCHAR), Decode::kText, "set");
    case MYSQL_TYPE_NULL:
      return column(Type(DUCKDB_TYPE_VARCHAR), Decode::kNull, "null");
    case MYSQL_TYPE_GEOMETRY:
      // MySQL's internal form: a 4-byte SRID, then WKB.
      return column(Type(DUCKDB_TYPE_BLOB), Decode::kBlob, "geometry");
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB: {
      const bool blob = field.type == MYSQL_TYPE_TINY_BLOB ||
                        field.type == MYSQL_TYPE_MEDIUM_BLOB ||
                        field.type == MYSQL_TYPE_LONG_BLOB || field.type == MYSQL_TYPE_BLOB;
      if (field.flags & ENUM_FLAG) return column(Type(DUCKDB_TYPE_VARCHAR), Decode::kText, "enum");
      if (field.flags & SET_FLAG) return column(Type(DUCKDB_TYPE_VARCHAR), Decode::kText, "set");
      if (field.json) return column(Type::json(), Decode::kText, "json");
      if (field.is_binary()) {
        const char* name = blob ? "blob" : field.type == MYSQL_TYPE_STRING ? "binary" : "varbinary";
        return column(Type(DUCKDB_TYPE_BLOB), Decode::kBlob, name);
      }
      const char* name = blob ? "text" : field.type == MYSQL_TYPE_STRING ? "char" : "varchar";
      return column(Type(DUCKDB_TYPE_VARCHAR), Decode::kText, name);
    }
    default:
      throw DataError(fmt::format(
          "column \"{}\" has MySQL type code {}, which dvt does not know how to carry exactly; "
          "select it CAST to CHAR or BINARY in --query",
          field.name, static_cast<int>(field.type)));
  }
}

bool pipe_needs_marker(const MysqlColumnType& column) {
  return column.decode == Decode::kText || column.decode == Decode::kBlob ||
         column.decode == Decode::kBit || column.decode == Decode::kNull;
}

std::string pipe_select_expression(const MysqlColumnType& column, const std::string& quoted,
                                   bool nullable) {
  // MySQL prints FLOAT with 6 significant digits; as DOUBLE it prints the
  // float's exact value, which reads back as the same float.
  if (column.decode == Decode::kFloat) return fmt::format("CAST({} AS DOUBLE)", quoted);
  if (nullable && pipe_needs_marker(column)) return fmt::format("CONCAT('V', {})", quoted);
  return quoted;
}

bool is_string_target(const Type& type) {
  switch (type.id) {
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB:
    case DUCKDB_TYPE_INTERVAL:
    case DUCKDB_TYPE_TIME_TZ:
    case DUCKDB_TYPE_BIT:
    case DUCKDB_TYPE_BIGNUM:
      return !type.is_json();
    default:
      return false;
  }
}

MysqlTargetType target_type(const Type& type, bool key_column, size_t key_string_columns,
                            size_t key_other_columns) {
  const Type varchar(DUCKDB_TYPE_VARCHAR);
  // InnoDB indexes at most 3072 bytes; utf8mb4 takes up to 4 per character.
  // Other key columns take up to 16 bytes each (DECIMAL(38) takes 17, rare
  // in keys).
  const size_t strings = std::max<size_t>(1, key_string_columns);
  const size_t budget = 3072 - std::min<size_t>(2048, 16 * key_other_columns);
  const size_t key_bytes = budget / strings;
  const std::string text_declaration =
      key_column ? fmt::format("VARCHAR({})", key_bytes / 4) : std::string("LONGTEXT");
  switch (type.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return {"TINYINT(1)", type, Encode::kBoolean};
    case DUCKDB_TYPE_TINYINT:
      return {"TINYINT", type, Encode::kInt8};
    case DUCKDB_TYPE_SMALLINT:
      return {"SMALLINT", type, Encode::kInt16};
    case DUCKDB_TYPE_INTEGER:
      return {"INT", type, Encode::kInt32};
    case DUCKDB_TYPE_BIGINT:
      return {"BIGINT", type, Encode::kInt64};
    case DUCKDB_TYPE_UTINYINT:
      return {"TINYINT UNSIGNED", type, Encode::kUInt8};
    case DUCKDB_TYPE_USMALLINT:
      return {"SMALLINT UNSIGNED", type, Encode::kUInt16};
    case DUCKDB_TYPE_UINTEGER:
      return {"INT UNSIGNED", type, Encode::kUInt32};
    case DUCKDB_TYPE_UBIGINT:
      return {"BIGINT UNSIGNED", type, Encode::kUInt64};
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      // 39 digits hold both ranges; the engine renders the exact digits.
      return {"DECIMAL(39,0)", varchar, Encode::kText};
    case DUCKDB_TYPE_FLOAT:
      return {"FLOAT", type, Encode::kFloat};
    case DUCKDB_TYPE_DOUBLE:
      return {"DOUBLE", type, Encode::kDouble};
    case DUCKDB_TYPE_DECIMAL:
      return {fmt::format("DECIMAL({},{})", type.width, type.scale), type, Encode::kDecimal};
    case DUCKDB_TYPE_VARCHAR:
      if (type.is_json()) return {"JSON", type, Encode::kText};
      return {text_declaration, varchar, Encode::kText};
    case DUCKDB_TYPE_BLOB:
      return {key_column ? fmt::format("VARBINARY({})", key_bytes) : std::string("LONGBLOB"), type,
              Encode::kBlob};
    case DUCKDB_TYPE_DATE:
      return {"DATE", type, Encode::kDate};
    case DUCKDB_TYPE_TIME:
      return {"TIME(6)", type, Encode::kTime};
    case DUCKDB_TYPE_TIMESTAMP:
      return {"DATETIME(6)", type, Encode::kTimestamp};
    case DUCKDB_TYPE_TIMESTAMP_S:
      return {"DATETIME", type, Encode::kTimestampSec};
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return {"DATETIME(3)", type, Encode::kTimestampMs};
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return {"DATETIME(6)", type, Encode::kTimestampNs};
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      // An instant: MySQL's TIMESTAMP, written in UTC (the session's zone).
      return {"TIMESTAMP(6)", type, Encode::kTimestamp};
    case DUCKDB_TYPE_UUID:
      return {"CHAR(36)", varchar, Encode::kText};
    case DUCKDB_TYPE_ENUM: {
      std::string values;
      for (const auto& name : type.names) {
        if (!values.empty()) values += ",";
        values += "'";
        for (char c : name) {
          // Writer sessions never set NO_BACKSLASH_ESCAPES (mysql_connection.cc).
          if (c == '\'' || c == '\\') values += c;
          values += c;
        }
        values += "'";
      }
      return {"ENUM(" + values + ")", varchar, Encode::kText};
    }
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY:
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_MAP:
    case DUCKDB_TYPE_UNION:
      // Nested values as JSON documents (the engine's CAST(x AS JSON)).
      return {"JSON", Type::json(), Encode::kText};
    default:
      // INTERVAL, TIME WITH TIME ZONE, BIT, BIGNUM: no MySQL type holds them
      // exactly; their exact DuckDB text does.
      return {text_declaration, varchar, Encode::kText};
  }
}

}  // namespace dvt::mysql
