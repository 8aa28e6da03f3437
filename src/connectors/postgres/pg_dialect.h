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
  bool primary_key_after_load() const override { return true; }
};

const PgDialect& dialect();

}  // namespace dvt::pg
