// ClickHouse's SQL: backtick quoting with backslash escapes, database.table
// names, concat(), no transactions (so loads publish by swapping tables:
// ch_writer.h), and the column types a new table gets on this server.
#pragma once

#include "connectors/clickhouse/ch_types.h"
#include "connectors/dialect.h"

namespace dvt::ch {

class ChDialect : public Dialect {
 public:
  // `options`: what the server's version can declare.
  explicit ChDialect(DdlOptions options = {}) : options_(options) {}

  std::string_view family() const override { return "clickhouse"; }
  std::string quote(std::string_view identifier) const override;
  std::string literal(std::string_view text) const override;
  std::string column_type(const Column& column, const TableSchema& table) const override;
  // Nullability is part of the type (Nullable(...)).
  std::string column_definition(const Column& column, const TableSchema& table) const override;
  // toString(), ClickHouse's canonical text of each value.
  std::string text_of(const Column& column) const override;
  std::string concat(const std::vector<std::string>& parts) const override;
  std::string byte_length_text(const std::string& text) const override;
  std::string md5_hex(const std::string& text) const override;
  // The sum wraps at 2^64 (servers before 21.x have no 128-bit sum); still
  // order-independent, and it changes when a row's hash changes.
  std::string hash_aggregate(const std::string& hash) const override;
  std::string hex_value(const std::string& hex, int digits) const override;
  std::string text_bucket(const std::string& text, uint64_t buckets) const override;
  // A Decimal as a string literal: ClickHouse refuses a Float64 in the IN
  // set of a Decimal column.
  std::string value_from_text(const Column& column, std::string_view text) const override;
  bool transactional_ddl() const override { return false; }
  // A ClickHouse database is what other families call a schema.
  std::string create_schema(const std::string& schema) const override {
    return "CREATE DATABASE IF NOT EXISTS " + schema;
  }
  // A MergeTree ordered by nothing (a model has no key).
  std::string create_table_as(const std::string& table, const std::string& query) const override;
  // Servers before 20.x have no CREATE OR REPLACE VIEW.
  std::vector<std::string> create_view(const std::string& view,
                                       const std::string& query) const override;

 private:
  DdlOptions options_;
};

}  // namespace dvt::ch
