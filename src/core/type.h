// dvt's description of a column type: a copyable value mirroring a DuckDB
// logical type. DuckDB's type system is the one every batch carries, so every
// connector maps its database's types to and from this.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dvt {

struct Type {
  duckdb_type id = DUCKDB_TYPE_INVALID;
  uint8_t width = 0;               // DECIMAL precision
  uint8_t scale = 0;               // DECIMAL scale
  std::vector<Type> children;      // LIST: one element type; STRUCT: member types
  std::vector<std::string> names;  // STRUCT member names; ENUM dictionary
  std::string alias;               // e.g. "JSON" (a VARCHAR with a meaning)

  Type() = default;
  explicit Type(duckdb_type type_id) : id(type_id) {}

  static Type decimal(uint8_t width, uint8_t scale);
  static Type list(Type element);
  static Type json();
  static Type enumeration(std::vector<std::string> values);

  // DuckDB SQL spelling: "DECIMAL(12,2)", "INTEGER[]", "JSON", "STRUCT(a INTEGER)".
  std::string sql() const;

  bool is_json() const { return id == DUCKDB_TYPE_VARCHAR && alias == "JSON"; }
  bool operator==(const Type& other) const = default;

  // Reads a DuckDB logical type (does not take ownership of `type`).
  static Type from_logical(duckdb_logical_type type);
  // Parses DuckDB's SQL spelling of a type, as DESCRIBE prints it.
  // Throws InternalError for a spelling it does not know.
  static Type parse(const std::string& sql);
};

// Owns one duckdb_logical_type.
class LogicalType {
 public:
  explicit LogicalType(const Type& type);
  explicit LogicalType(duckdb_logical_type adopted) : type_(adopted) {}
  ~LogicalType() { duckdb_destroy_logical_type(&type_); }
  LogicalType(LogicalType&& other) noexcept : type_(other.type_) { other.type_ = nullptr; }
  LogicalType& operator=(LogicalType&&) = delete;
  LogicalType(const LogicalType&) = delete;
  duckdb_logical_type get() const { return type_; }

 private:
  duckdb_logical_type type_ = nullptr;
};

}  // namespace dvt
