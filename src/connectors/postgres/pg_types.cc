#include "connectors/postgres/pg_types.h"

#include <fmt/format.h>

#include <optional>

namespace dvt::pg {
namespace {

struct ScalarPlan {
  Type type;
  Codec codec;
};

bool is_text_family(uint32_t oid, const std::string& name, char kind) {
  if (kind == 'e') return true;  // enum_send sends the label
  switch (oid) {
    case kTextOid:
    case kVarcharOid:
    case kBpcharOid:
    case kNameOid:
      return true;
    default:
      // An extension type: its OID differs per database. citext's binary
      // format is text's.
      return name == "citext";
  }
}

// The binary plan of a scalar (non-array) type, or nullopt when it travels as text.
std::optional<ScalarPlan> scalar_plan(uint32_t oid, int32_t typmod, const std::string& name,
                                      char kind) {
  if (is_text_family(oid, name, kind)) return ScalarPlan{Type(DUCKDB_TYPE_VARCHAR), Codec::kText};
  switch (oid) {
    case kBoolOid:
      return ScalarPlan{Type(DUCKDB_TYPE_BOOLEAN), Codec::kBool};
    case kInt2Oid:
      return ScalarPlan{Type(DUCKDB_TYPE_SMALLINT), Codec::kInt2};
    case kInt4Oid:
      return ScalarPlan{Type(DUCKDB_TYPE_INTEGER), Codec::kInt4};
    case kInt8Oid:
      return ScalarPlan{Type(DUCKDB_TYPE_BIGINT), Codec::kInt8};
    case kOidOid:
      return ScalarPlan{Type(DUCKDB_TYPE_UINTEGER), Codec::kOid};
    case kFloat4Oid:
      return ScalarPlan{Type(DUCKDB_TYPE_FLOAT), Codec::kFloat4};
    case kFloat8Oid:
      return ScalarPlan{Type(DUCKDB_TYPE_DOUBLE), Codec::kFloat8};
    case kNumericOid: {
      int precision = 0, scale = 0;
      if (numeric_typmod(typmod, precision, scale) && precision >= 1 && precision <= 38 &&
          scale >= 0 && scale <= precision) {
        return ScalarPlan{
            Type::decimal(static_cast<uint8_t>(precision), static_cast<uint8_t>(scale)),
            Codec::kNumeric};
      }
      return std::nullopt;  // unconstrained, wider than 38 digits, or an odd scale: exact text
    }
    case kJsonOid:
      return ScalarPlan{Type::json(), Codec::kText};
    case kJsonbOid:
      return ScalarPlan{Type::json(), Codec::kJsonb};
    case kByteaOid:
      return ScalarPlan{Type(DUCKDB_TYPE_BLOB), Codec::kBytea};
    case kDateOid:
      return ScalarPlan{Type(DUCKDB_TYPE_DATE), Codec::kDate};
    case kTimestampOid:
      return ScalarPlan{Type(DUCKDB_TYPE_TIMESTAMP), Codec::kTimestamp};
    case kTimestampTzOid:
      return ScalarPlan{Type(DUCKDB_TYPE_TIMESTAMP_TZ), Codec::kTimestamp};
    case kTimeOid:
      return ScalarPlan{Type(DUCKDB_TYPE_TIME), Codec::kTime};
    case kUuidOid:
      return ScalarPlan{Type(DUCKDB_TYPE_UUID), Codec::kUuid};
    default:
      // interval too: DuckDB's Parquet writer refuses negative intervals and
      // keeps only milliseconds, so intervals travel as their exact text.
      return std::nullopt;
  }
}

// The wire type and codec that encode a scalar target type, or nullopt when
// dvt has no encoder for it.
std::optional<std::pair<Type, Codec>> scalar_write(const Type& incoming, uint32_t oid,
                                                   const std::string& name, char kind) {
  if (is_text_family(oid, name, kind)) return std::pair{Type(DUCKDB_TYPE_VARCHAR), Codec::kText};
  if ((incoming.id == DUCKDB_TYPE_VARCHAR && !incoming.is_json()) ||
      incoming.id == DUCKDB_TYPE_ENUM) {
    // Text is read by PostgreSQL's own input functions, exactly as an
    // INSERT of the same text would be: json, jsonb and xml check it on
    // receipt, numeric text is encoded here, and everything else goes
    // through the staging table's cast.
    switch (oid) {
      case kJsonOid:
      case kXmlOid:
        return std::pair{Type(DUCKDB_TYPE_VARCHAR), Codec::kText};
      case kJsonbOid:
        return std::pair{Type(DUCKDB_TYPE_VARCHAR), Codec::kJsonb};
      case kNumericOid:
        return std::pair{Type(DUCKDB_TYPE_VARCHAR), Codec::kNumericText};
      default:
        return std::nullopt;
    }
  }
  switch (oid) {
    case kBoolOid:
      return std::pair{Type(DUCKDB_TYPE_BOOLEAN), Codec::kBool};
    case kInt2Oid:
      return std::pair{Type(DUCKDB_TYPE_SMALLINT), Codec::kInt2};
    case kInt4Oid:
      return std::pair{Type(DUCKDB_TYPE_INTEGER), Codec::kInt4};
    case kInt8Oid:
      return std::pair{Type(DUCKDB_TYPE_BIGINT), Codec::kInt8};
    case kOidOid:
      return std::pair{Type(DUCKDB_TYPE_UINTEGER), Codec::kOid};
    case kFloat4Oid:
      return std::pair{Type(DUCKDB_TYPE_FLOAT), Codec::kFloat4};
    case kFloat8Oid:
      return std::pair{Type(DUCKDB_TYPE_DOUBLE), Codec::kFloat8};
    case kNumericOid:
      switch (incoming.id) {
        case DUCKDB_TYPE_DECIMAL:
          return std::pair{incoming, Codec::kNumeric};
        case DUCKDB_TYPE_TINYINT:
        case DUCKDB_TYPE_SMALLINT:
        case DUCKDB_TYPE_INTEGER:
        case DUCKDB_TYPE_BIGINT:
        case DUCKDB_TYPE_UTINYINT:
        case DUCKDB_TYPE_USMALLINT:
        case DUCKDB_TYPE_UINTEGER:
        case DUCKDB_TYPE_UBIGINT:
          return std::pair{Type::decimal(38, 0), Codec::kNumeric};
        default:
          // HUGEINT (39 digits), floats (their shortest exact text), text.
          return std::pair{Type(DUCKDB_TYPE_VARCHAR), Codec::kNumericText};
      }
    case kXmlOid:
      return std::pair{Type(DUCKDB_TYPE_VARCHAR), Codec::kText};
    case kJsonOid:
      // The engine's JSON cast renders a STRUCT, MAP or LIST as JSON text.
      return std::pair{Type::json(), Codec::kText};
    case kJsonbOid:
      return std::pair{Type::json(), Codec::kJsonb};
    case kByteaOid:
      return std::pair{Type(DUCKDB_TYPE_BLOB), Codec::kBytea};
    case kDateOid:
      return std::pair{Type(DUCKDB_TYPE_DATE), Codec::kDate};
    case kTimestampOid:
      return std::pair{Type(DUCKDB_TYPE_TIMESTAMP), Codec::kTimestamp};
    case kTimestampTzOid:
      return std::pair{Type(DUCKDB_TYPE_TIMESTAMP_TZ), Codec::kTimestamp};
    case kTimeOid:
      return std::pair{Type(DUCKDB_TYPE_TIME), Codec::kTime};
    case kIntervalOid:
      if (incoming.id != DUCKDB_TYPE_INTERVAL) return std::nullopt;
      return std::pair{Type(DUCKDB_TYPE_INTERVAL), Codec::kInterval};
    case kUuidOid:
      return std::pair{Type(DUCKDB_TYPE_UUID), Codec::kUuid};
    default:
      return std::nullopt;
  }
}

}  // namespace

bool numeric_typmod(int32_t typmod, int& precision, int& scale) {
  if (typmod < 4) return false;  // VARHDRSZ: below it means no modifier
  int32_t packed = typmod - 4;
  precision = (packed >> 16) & 0xffff;
  // The scale is an 11-bit signed field since PostgreSQL 15.
  scale = ((packed & 0x7ff) ^ 1024) - 1024;
  return true;
}

ReadPlan plan_read(const PgType& type) {
  ReadPlan plan;
  if (type.element_oid != 0) {
    auto element =
        scalar_plan(type.element_oid, type.base_typmod, type.element_name, type.element_kind);
    if (element) {
      plan.type = Type::list(element->type);
      plan.codec = Codec::kArray;
      plan.element_codec = element->codec;
      return plan;
    }
  } else if (auto scalar =
                 scalar_plan(type.base_oid, type.base_typmod, type.base_name, type.base_kind)) {
    plan.type = scalar->type;
    plan.codec = scalar->codec;
    return plan;
  }
  plan.type = Type(DUCKDB_TYPE_VARCHAR);
  plan.codec = Codec::kText;
  plan.select_as_text = true;
  return plan;
}

WritePlan plan_write(const Type& incoming, const PgType& target) {
  WritePlan plan;
  if (target.element_oid != 0) {
    if (incoming.id == DUCKDB_TYPE_LIST) {
      const Type& incoming_element = incoming.children.at(0);
      auto element = scalar_write(incoming_element, target.element_oid, target.element_name,
                                  target.element_kind);
      if (element && incoming_element.id != DUCKDB_TYPE_LIST) {
        plan.wire = Type::list(element->first);
        plan.codec = Codec::kArray;
        plan.element_codec = element->second;
        plan.element_oid = target.element_declared_oid;
        return plan;
      }
    }
  } else if (auto scalar =
                 scalar_write(incoming, target.base_oid, target.base_name, target.base_kind)) {
    plan.wire = scalar->first;
    plan.codec = scalar->second;
    return plan;
  }
  // Everything else is sent as text and cast by PostgreSQL, which knows how
  // to read its own types (inet, money, timetz, ranges, arrays as '{...}').
  plan.wire = Type(DUCKDB_TYPE_VARCHAR);
  plan.codec = Codec::kText;
  plan.staged_as_text = true;
  return plan;
}

std::string ddl_type(const Type& type) {
  if (type.is_json()) return "json";  // json keeps the text exactly; jsonb would normalize it
  switch (type.id) {
    case DUCKDB_TYPE_BOOLEAN:
      return "boolean";
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_UTINYINT:
      return "smallint";
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_USMALLINT:
      return "integer";
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UINTEGER:
      return "bigint";
    case DUCKDB_TYPE_UBIGINT:
      return "numeric(20,0)";
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return "numeric(39,0)";
    case DUCKDB_TYPE_BIGNUM:
      return "numeric";
    case DUCKDB_TYPE_FLOAT:
      return "real";
    case DUCKDB_TYPE_DOUBLE:
      return "double precision";
    case DUCKDB_TYPE_DECIMAL:
      return fmt::format("numeric({},{})", type.width, type.scale);
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_ENUM:
      return "text";
    case DUCKDB_TYPE_BLOB:
      return "bytea";
    case DUCKDB_TYPE_DATE:
      return "date";
    case DUCKDB_TYPE_TIME:
      return "time";
    case DUCKDB_TYPE_TIME_TZ:
      return "timetz";
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "timestamp";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "timestamptz";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "text";  // PostgreSQL keeps microseconds: nanoseconds stay exact only as text
    case DUCKDB_TYPE_INTERVAL:
      return "interval";
    case DUCKDB_TYPE_UUID:
      return "uuid";
    case DUCKDB_TYPE_BIT:
      return "varbit";
    case DUCKDB_TYPE_LIST: {
      const Type& element = type.children.at(0);
      if (element.id == DUCKDB_TYPE_LIST || element.id == DUCKDB_TYPE_STRUCT ||
          element.id == DUCKDB_TYPE_MAP || element.id == DUCKDB_TYPE_ARRAY ||
          element.id == DUCKDB_TYPE_UNION) {
        return "json";  // PostgreSQL arrays are rectangular and untyped per level
      }
      return ddl_type(element) + "[]";
    }
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_MAP:
    case DUCKDB_TYPE_ARRAY:
    case DUCKDB_TYPE_UNION:
      return "json";
    default:
      return "text";
  }
}

}  // namespace dvt::pg
