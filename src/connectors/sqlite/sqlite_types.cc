#include "connectors/sqlite/sqlite_types.h"

#include <cctype>
#include <regex>

namespace dvt::sqlite {
namespace {

std::string normalize(const std::string& declared) {
  std::string out;
  bool space = false;
  for (char c : declared) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

SqliteColumnType text_encoded(Type type) {
  return {std::move(type), WireKind::kText, Type(DUCKDB_TYPE_VARCHAR)};
}

SqliteColumnType integer(Type type) {
  return {std::move(type), WireKind::kInteger, Type(DUCKDB_TYPE_BIGINT)};
}

SqliteColumnType real() {
  return {Type(DUCKDB_TYPE_DOUBLE), WireKind::kReal, Type(DUCKDB_TYPE_DOUBLE)};
}

}  // namespace

SqliteColumnType map_declared_type(const std::string& declared) {
  const std::string name = normalize(declared);
  // The base name without a "(p,s)" suffix.
  const std::string base = normalize(name.substr(0, name.find('(')));

  if (name.empty()) return text_encoded(Type(DUCKDB_TYPE_VARCHAR));
  if (base == "BOOLEAN" || base == "BOOL") {
    return {Type(DUCKDB_TYPE_BOOLEAN), WireKind::kBoolean, Type(DUCKDB_TYPE_BOOLEAN)};
  }
  if (base == "TINYINT") return integer(Type(DUCKDB_TYPE_TINYINT));
  if (base == "SMALLINT") return integer(Type(DUCKDB_TYPE_SMALLINT));
  if (base == "UTINYINT") return integer(Type(DUCKDB_TYPE_UTINYINT));
  if (base == "USMALLINT") return integer(Type(DUCKDB_TYPE_USMALLINT));
  if (base == "UINTEGER") return integer(Type(DUCKDB_TYPE_UINTEGER));

  static const std::regex kDecimal(
      R"(^(?:DECIMAL|NUMERIC)(?: TEXT)? ?\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$)");
  std::smatch match;
  if (std::regex_match(name, match, kDecimal)) {
    int width = std::stoi(match[1].str());
    int scale = match[2].matched ? std::stoi(match[2].str()) : 0;
    if (width >= 1 && width <= 38 && scale <= width) {
      return text_encoded(Type::decimal(static_cast<uint8_t>(width), static_cast<uint8_t>(scale)));
    }
    return text_encoded(Type(DUCKDB_TYPE_VARCHAR));  // wider than DECIMAL(38): exact text
  }
  if (base == "DECIMAL" || base == "NUMERIC") return real();
  if (base == "DATE") return text_encoded(Type(DUCKDB_TYPE_DATE));
  if (base == "DATETIME" || base == "TIMESTAMP" || base == "TIMESTAMP WITHOUT TIME ZONE") {
    return text_encoded(Type(DUCKDB_TYPE_TIMESTAMP));
  }
  if (base == "TIMESTAMPTZ" || base == "TIMESTAMP WITH TIME ZONE") {
    return text_encoded(Type(DUCKDB_TYPE_TIMESTAMP_TZ));
  }
  if (base == "TIME" || base == "TIME WITHOUT TIME ZONE")
    return text_encoded(Type(DUCKDB_TYPE_TIME));
  if (base == "INTERVAL") return text_encoded(Type(DUCKDB_TYPE_INTERVAL));
  if (base == "UUID") return text_encoded(Type(DUCKDB_TYPE_UUID));
  if (base == "JSON" || base == "JSON TEXT") return text_encoded(Type::json());

  // SQLite's affinity rules (https://sqlite.org/datatype3.html, 3.1), in order.
  if (name.find("INT") != std::string::npos) return integer(Type(DUCKDB_TYPE_BIGINT));
  if (name.find("CHAR") != std::string::npos || name.find("CLOB") != std::string::npos ||
      name.find("TEXT") != std::string::npos) {
    return text_encoded(Type(DUCKDB_TYPE_VARCHAR));
  }
  if (name.find("BLOB") != std::string::npos) {
    return {Type(DUCKDB_TYPE_BLOB), WireKind::kBlob, Type(DUCKDB_TYPE_BLOB)};
  }
  if (name.find("REAL") != std::string::npos || name.find("FLOA") != std::string::npos ||
      name.find("DOUB") != std::string::npos) {
    return real();
  }
  // NUMERIC affinity under a name dvt does not know (MONEY, ...): its values
  // may be integers, reals or text, so they travel as their exact text.
  return text_encoded(Type(DUCKDB_TYPE_VARCHAR));
}

SqliteTargetType target_type(const Type& type) {
  const Type varchar(DUCKDB_TYPE_VARCHAR);
  const Type bigint(DUCKDB_TYPE_BIGINT);
  switch (type.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return {"BOOLEAN", Type(DUCKDB_TYPE_BOOLEAN)};
    case DUCKDB_TYPE_TINYINT:
      return {"TINYINT", bigint};
    case DUCKDB_TYPE_SMALLINT:
      return {"SMALLINT", bigint};
    case DUCKDB_TYPE_INTEGER:
      return {"INTEGER", bigint};
    case DUCKDB_TYPE_BIGINT:
      return {"BIGINT", bigint};
    case DUCKDB_TYPE_UTINYINT:
      return {"UTINYINT", bigint};
    case DUCKDB_TYPE_USMALLINT:
      return {"USMALLINT", bigint};
    case DUCKDB_TYPE_UINTEGER:
      return {"UINTEGER", bigint};
    case DUCKDB_TYPE_UBIGINT:
      return {"DECIMAL TEXT(20,0)", varchar};
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return {"DECIMAL TEXT(38,0)", varchar};
    case DUCKDB_TYPE_FLOAT:
      return {"FLOAT", Type(DUCKDB_TYPE_DOUBLE)};
    case DUCKDB_TYPE_DOUBLE:
      return {"DOUBLE", Type(DUCKDB_TYPE_DOUBLE)};
    case DUCKDB_TYPE_DECIMAL:
      return {"DECIMAL TEXT(" + std::to_string(type.width) + "," + std::to_string(type.scale) + ")",
              varchar};
    case DUCKDB_TYPE_VARCHAR:
      return {type.is_json() ? "JSON TEXT" : "TEXT", varchar};
    case DUCKDB_TYPE_BLOB:
      return {"BLOB", Type(DUCKDB_TYPE_BLOB)};
    case DUCKDB_TYPE_DATE:
      return {"DATE", varchar};
    case DUCKDB_TYPE_TIMESTAMP:
      return {"TIMESTAMP", varchar};
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return {"TIMESTAMPTZ", varchar};
    case DUCKDB_TYPE_TIME:
      return {"TIME", varchar};
    case DUCKDB_TYPE_INTERVAL:
      return {"INTERVAL", varchar};
    case DUCKDB_TYPE_UUID:
      return {"UUID", varchar};
    default:
      // No SQLite name reads back as this type: keep the exact text.
      return {"TEXT", varchar};
  }
}

}  // namespace dvt::sqlite
