#include "connectors/duckdb/duckdb_dialect.h"

#include <fmt/format.h>

namespace dvt::duck {

std::string DuckDbDialect::column_type(const Column& column, const TableSchema& /*table*/) const {
  return column.type.sql();
}

std::string DuckDbDialect::text_of(const Column& column) const {
  return fmt::format("CAST({} AS VARCHAR)", quote(column.name));
}

std::string DuckDbDialect::byte_length_text(const std::string& text) const {
  return fmt::format("CAST(strlen({}) AS VARCHAR)", text);
}

std::string DuckDbDialect::hash_aggregate(const std::string& hash) const {
  // sum(BIGINT) is a HUGEINT: exact.
  return fmt::format("CAST(sum(CAST('0x' || substr({}, 1, 15) AS BIGINT)) AS VARCHAR)", hash);
}

std::string DuckDbDialect::value_from_text(const Column& column, std::string_view text) const {
  return fmt::format("CAST({} AS {})", literal(text), column.type.sql());
}

std::string DuckDbDialect::hex_value(const std::string& hex, int digits) const {
  return fmt::format("CAST('0x' || substr({}, 1, {}) AS BIGINT)", hex, digits);
}

std::string DuckDbDialect::text_bucket(const std::string& text, uint64_t buckets) const {
  return fmt::format("CAST(hash({}) & {} AS BIGINT)", text, buckets - 1);
}

std::string DuckDbDialect::truncate(const std::string& table) const {
  return "DELETE FROM " + table;
}

std::string DuckDbDialect::staging_table(const std::string& base_name) const {
  return "temp.main." + quote(base_name);
}

const DuckDbDialect& dialect() {
  static const DuckDbDialect instance;
  return instance;
}

}  // namespace dvt::duck
