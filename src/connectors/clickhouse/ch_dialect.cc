#include "connectors/clickhouse/ch_dialect.h"

#include <fmt/format.h>

namespace dvt::ch {

std::string ChDialect::quote(std::string_view identifier) const {
  return quote_identifier(identifier);
}

std::string ChDialect::literal(std::string_view text) const {
  return quote_literal(text);
}

std::string ChDialect::column_type(const Column& column, const TableSchema& /*table*/) const {
  return ddl_type(column.type, column.nullable, options_);
}

std::string ChDialect::column_definition(const Column& column, const TableSchema& table) const {
  return quote(column.name) + " " + declared_type(column, table);
}

std::string ChDialect::text_of(const Column& column) const {
  std::string quoted = quote(column.name);
  bool nullable = column.source_type.starts_with("Nullable(") ||
                  column.source_type.starts_with("LowCardinality(Nullable(");
  return nullable ? fmt::format("toString(assumeNotNull({}))", quoted)
                  : fmt::format("toString({})", quoted);
}

std::string ChDialect::concat(const std::vector<std::string>& parts) const {
  if (parts.empty()) return "''";
  // concat() wants two arguments at least.
  if (parts.size() == 1) return fmt::format("concat({}, '')", parts[0]);
  return fmt::format("concat({})", fmt::join(parts, ", "));
}

std::string ChDialect::byte_length_text(const std::string& text) const {
  return fmt::format("toString(length({}))", text);
}

std::string ChDialect::md5_hex(const std::string& text) const {
  return fmt::format("lower(hex(MD5({})))", text);
}

std::string ChDialect::value_from_text(const Column& column, std::string_view text) const {
  if (column.type.id == DUCKDB_TYPE_DECIMAL) return literal(text);
  return Dialect::value_from_text(column, text);
}

std::string ChDialect::hex_value(const std::string& hex, int digits) const {
  // unhex() wants whole bytes; the bytes of a big-endian number, reversed,
  // read as a little-endian UInt64 (shorter strings are zero-extended).
  std::string value = fmt::format("reinterpretAsUInt64(reverse(unhex(substring({}, 1, {}))))", hex,
                                  digits + digits % 2);
  return digits % 2 ? fmt::format("bitShiftRight({}, 4)", value) : value;
}

std::string ChDialect::text_bucket(const std::string& text, uint64_t buckets) const {
  return fmt::format("bitAnd(cityHash64({}), {})", text, buckets - 1);
}

std::string ChDialect::hash_aggregate(const std::string& hash) const {
  // The first 16 hex digits as the big-endian UInt64 they spell, shifted to 15.
  return fmt::format(
      "toString(sum(bitShiftRight(reinterpretAsUInt64(reverse(unhex(substring({}, 1, 16)))), 4)))",
      hash);
}

std::string ChDialect::create_table_as(const std::string& table, const std::string& query) const {
  return fmt::format(
      "CREATE TABLE {} ENGINE = MergeTree ORDER BY tuple() AS SELECT * FROM ({}) LIMIT 0", table,
      query);
}

std::vector<std::string> ChDialect::create_view(const std::string& view,
                                                const std::string& query) const {
  return {"DROP TABLE IF EXISTS " + view, fmt::format("CREATE VIEW {} AS {}", view, query)};
}

}  // namespace dvt::ch
