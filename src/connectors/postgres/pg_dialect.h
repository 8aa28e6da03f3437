// PostgreSQL's SQL (and that of the families that speak it): standard
// quoting, identifiers of at most 63 bytes (longer ones are cut short by the
// server, silently), transactional DDL, TRUNCATE, a new table's primary key
// built after its rows are in.
#pragma once

#include "connectors/dialect.h"

namespace dvt::pg {

class PgDialect : public Dialect {
 public:
  std::string_view family() const override { return "postgres"; }
  size_t max_identifier_bytes() const override { return 63; }
  std::string column_type(const Column& column, const TableSchema& table) const override;
  // The value's text under dvt's session settings (UTC, ISO dates, exact
  // floats, hex bytea), so the text of a value does not depend on the
  // server's configuration.
  std::string text_of(const Column& column) const override;
  std::string hash_aggregate(const std::string& hash) const override;
  std::string hex_value(const std::string& hex, int digits) const override;
  // hashtextextended: PostgreSQL 11 and later.
  std::string text_bucket(const std::string& text, uint64_t buckets) const override;
  // Always a string literal: PostgreSQL reads one compared with a column as
  // that column's type, through the type's own input function.
  std::string value_from_text(const Column& column, std::string_view text) const override;
  bool primary_key_after_load() const override { return true; }
};

const PgDialect& dialect();

}  // namespace dvt::pg
