// DuckDB's SQL, for tables in DuckDB files attached to the engine: standard
// quoting, catalog.schema.table names, DuckDB's own type names, temporary
// tables in temp.main.
#pragma once

#include "connectors/dialect.h"

namespace dvt::duck {

class DuckDbDialect : public Dialect {
 public:
  std::string_view family() const override { return "duckdb"; }
  std::string column_type(const Column& column, const TableSchema& table) const override;
  std::string text_of(const Column& column) const override;
  std::string byte_length_text(const std::string& text) const override;
  std::string hash_aggregate(const std::string& hash) const override;
  std::string hex_value(const std::string& hex, int digits) const override;
  std::string text_bucket(const std::string& text, uint64_t buckets) const override;
  // The text cast back to the column's type (the inverse of text_of).
  std::string value_from_text(const Column& column, std::string_view text) const override;
  std::string begin_transaction() const override { return "BEGIN TRANSACTION"; }
  std::string truncate(const std::string& table) const override;
  std::string staging_table(const std::string& base_name) const override;
};

const DuckDbDialect& dialect();

}  // namespace dvt::duck
