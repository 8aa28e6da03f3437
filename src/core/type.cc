#include "core/type.h"

#include <fmt/format.h>

#include <cctype>
#include <memory>

#include "core/error.h"
#include "core/sql_text.h"

namespace dvt {
namespace {

struct NamedType {
  const char* name;
  duckdb_type id;
};

// DuckDB's canonical spellings (what DESCRIBE and typeof print).
constexpr NamedType kSimpleTypes[] = {
    {"BOOLEAN", DUCKDB_TYPE_BOOLEAN},
    {"TINYINT", DUCKDB_TYPE_TINYINT},
    {"SMALLINT", DUCKDB_TYPE_SMALLINT},
    {"INTEGER", DUCKDB_TYPE_INTEGER},
    {"BIGINT", DUCKDB_TYPE_BIGINT},
    {"HUGEINT", DUCKDB_TYPE_HUGEINT},
    {"UTINYINT", DUCKDB_TYPE_UTINYINT},
    {"USMALLINT", DUCKDB_TYPE_USMALLINT},
    {"UINTEGER", DUCKDB_TYPE_UINTEGER},
    {"UBIGINT", DUCKDB_TYPE_UBIGINT},
    {"UHUGEINT", DUCKDB_TYPE_UHUGEINT},
    {"FLOAT", DUCKDB_TYPE_FLOAT},
    {"DOUBLE", DUCKDB_TYPE_DOUBLE},
    {"VARCHAR", DUCKDB_TYPE_VARCHAR},
    {"BLOB", DUCKDB_TYPE_BLOB},
    {"DATE", DUCKDB_TYPE_DATE},
    {"TIME", DUCKDB_TYPE_TIME},
    {"TIME WITH TIME ZONE", DUCKDB_TYPE_TIME_TZ},
    {"TIMESTAMP", DUCKDB_TYPE_TIMESTAMP},
    {"TIMESTAMP WITH TIME ZONE", DUCKDB_TYPE_TIMESTAMP_TZ},
    {"TIMESTAMP_S", DUCKDB_TYPE_TIMESTAMP_S},
    {"TIMESTAMP_MS", DUCKDB_TYPE_TIMESTAMP_MS},
    {"TIMESTAMP_NS", DUCKDB_TYPE_TIMESTAMP_NS},
    {"INTERVAL", DUCKDB_TYPE_INTERVAL},
    {"UUID", DUCKDB_TYPE_UUID},
    {"BIT", DUCKDB_TYPE_BIT},
    {"BIGNUM", DUCKDB_TYPE_BIGNUM},
};

std::string trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

// Splits "a INTEGER, b DECIMAL(3,1)" at top-level commas.
std::vector<std::string> split_top_level(std::string_view text) {
  std::vector<std::string> parts;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' || c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(trim(text.substr(start)));
  return parts;
}

std::string unsql_identifier(const std::string& text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < text.size(); ++i) {
      out += text[i];
      if (text[i] == '"') ++i;
    }
    return out;
  }
  return text;
}

}  // namespace

Type Type::decimal(uint8_t width, uint8_t scale) {
  Type type(DUCKDB_TYPE_DECIMAL);
  type.width = width;
  type.scale = scale;
  return type;
}

Type Type::list(Type element) {
  Type type(DUCKDB_TYPE_LIST);
  type.children.push_back(std::move(element));
  return type;
}

Type Type::json() {
  Type type(DUCKDB_TYPE_VARCHAR);
  type.alias = "JSON";
  return type;
}

Type Type::enumeration(std::vector<std::string> values) {
  Type type(DUCKDB_TYPE_ENUM);
  type.names = std::move(values);
  return type;
}

std::string Type::sql() const {
  if (!alias.empty()) return alias;
  switch (id) {
    case DUCKDB_TYPE_DECIMAL:
      return fmt::format("DECIMAL({},{})", width, scale);
    case DUCKDB_TYPE_LIST:
      return children.at(0).sql() + "[]";
    case DUCKDB_TYPE_STRUCT: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) out += ", ";
        out += sql_identifier(names.at(i)) + " " + children[i].sql();
      }
      return out + ")";
    }
    case DUCKDB_TYPE_ENUM: {
      std::string out = "ENUM(";
      for (size_t i = 0; i < names.size(); ++i) {
        if (i) out += ", ";
        out += sql_literal(names[i]);
      }
      return out + ")";
    }
    default:
      break;
  }
  for (const auto& named : kSimpleTypes) {
    if (named.id == id) return named.name;
  }
  throw InternalError(fmt::format("no SQL spelling for DuckDB type id {}", static_cast<int>(id)));
}

Type Type::from_logical(duckdb_logical_type logical) {
  Type type(duckdb_get_type_id(logical));
  if (char* alias = duckdb_logical_type_get_alias(logical)) {
    type.alias = alias;
    duckdb_free(alias);
  }
  switch (type.id) {
    case DUCKDB_TYPE_DECIMAL:
      type.width = duckdb_decimal_width(logical);
      type.scale = duckdb_decimal_scale(logical);
      break;
    case DUCKDB_TYPE_LIST: {
      LogicalType child(duckdb_list_type_child_type(logical));
      type.children.push_back(from_logical(child.get()));
      break;
    }
    case DUCKDB_TYPE_STRUCT: {
      idx_t count = duckdb_struct_type_child_count(logical);
      for (idx_t i = 0; i < count; ++i) {
        char* name = duckdb_struct_type_child_name(logical, i);
        type.names.emplace_back(name);
        duckdb_free(name);
        LogicalType child(duckdb_struct_type_child_type(logical, i));
        type.children.push_back(from_logical(child.get()));
      }
      break;
    }
    case DUCKDB_TYPE_ENUM: {
      uint32_t size = duckdb_enum_dictionary_size(logical);
      for (uint32_t i = 0; i < size; ++i) {
        char* value = duckdb_enum_dictionary_value(logical, i);
        type.names.emplace_back(value);
        duckdb_free(value);
      }
      break;
    }
    default:
      break;
  }
  return type;
}

Type Type::parse(const std::string& raw) {
  std::string sql = trim(raw);
  if (sql.size() > 2 && sql.ends_with("[]")) return list(parse(sql.substr(0, sql.size() - 2)));
  std::string upper;
  for (char c : sql) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "JSON") return json();
  if (upper.starts_with("DECIMAL(")) {
    unsigned width = 0, scale = 0;
    if (std::sscanf(upper.c_str(), "DECIMAL(%u,%u)", &width, &scale) != 2 || width > 38) {
      throw InternalError("cannot parse DuckDB type " + raw);
    }
    return decimal(static_cast<uint8_t>(width), static_cast<uint8_t>(scale));
  }
  if (upper.starts_with("STRUCT(") && upper.ends_with(")")) {
    Type type(DUCKDB_TYPE_STRUCT);
    for (const auto& member : split_top_level(std::string_view(sql).substr(7, sql.size() - 8))) {
      size_t split = member.front() == '"' ? member.find('"', 1) + 1 : member.find(' ');
      while (member.front() == '"' && split < member.size() && member[split] == '"') {
        split = member.find('"', split + 1) + 1;
      }
      type.names.push_back(unsql_identifier(member.substr(0, split)));
      type.children.push_back(parse(member.substr(split)));
    }
    return type;
  }
  if (upper.starts_with("ENUM(") && upper.ends_with(")")) {
    std::vector<std::string> values;
    for (const auto& item : split_top_level(std::string_view(sql).substr(5, sql.size() - 6))) {
      std::string value;
      for (size_t i = 1; i + 1 < item.size(); ++i) {
        value += item[i];
        if (item[i] == '\'') ++i;
      }
      values.push_back(value);
    }
    return enumeration(std::move(values));
  }
  if (upper == "TIMESTAMPTZ") return Type(DUCKDB_TYPE_TIMESTAMP_TZ);
  if (upper == "TIMETZ") return Type(DUCKDB_TYPE_TIME_TZ);
  for (const auto& named : kSimpleTypes) {
    if (upper == named.name) return Type(named.id);
  }
  throw InternalError("cannot parse DuckDB type " + raw);
}

LogicalType::LogicalType(const Type& type) {
  switch (type.id) {
    case DUCKDB_TYPE_DECIMAL:
      type_ = duckdb_create_decimal_type(type.width, type.scale);
      break;
    case DUCKDB_TYPE_LIST: {
      LogicalType child(type.children.at(0));
      type_ = duckdb_create_list_type(child.get());
      break;
    }
    case DUCKDB_TYPE_STRUCT: {
      std::vector<LogicalType> members;
      std::vector<duckdb_logical_type> handles;
      std::vector<const char*> names;
      for (size_t i = 0; i < type.children.size(); ++i) {
        members.emplace_back(type.children[i]);
        handles.push_back(members.back().get());
        names.push_back(type.names.at(i).c_str());
      }
      type_ = duckdb_create_struct_type(handles.data(), names.data(), handles.size());
      break;
    }
    case DUCKDB_TYPE_ENUM: {
      std::vector<const char*> names;
      for (const auto& name : type.names) names.push_back(name.c_str());
      type_ = duckdb_create_enum_type(names.data(), names.size());
      break;
    }
    default:
      type_ = duckdb_create_logical_type(type.id);
      break;
  }
  if (!type.alias.empty()) duckdb_logical_type_set_alias(type_, type.alias.c_str());
}

}  // namespace dvt
