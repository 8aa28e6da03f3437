// SQLite's SQL: standard quoting, attached databases as schemas, column
// declarations chosen so SQLite's affinities store values unchanged
// (sqlite_types.h), BEGIN IMMEDIATE (the write lock up front), DELETE for
// emptying a table, UPDATE ... FROM. SQLite has no MD5: dvt registers
// dvt_md5() and dvt_hash_sum() on the connections it opens
// (register_hash_functions), so row hashes are computed inside SQLite too.
#pragma once

#include <sqlite3.h>

#include "connectors/dialect.h"

namespace dvt::sqlite {

class SqliteDialect : public Dialect {
 public:
  std::string_view family() const override { return "sqlite"; }
  std::string column_type(const Column& column, const TableSchema& table) const override;
  // Values are typed one by one: a REAL as its 17 significant digits (every
  // double reads back exactly), a BLOB as lowercase hex, anything else as
  // SQLite's own text.
  std::string text_of(const Column& column) const override;
  std::string byte_length_text(const std::string& text) const override;
  std::string md5_hex(const std::string& text) const override;
  std::string hash_aggregate(const std::string& hash) const override;
  std::string hex_value(const std::string& hex, int digits) const override;
  bool hashes_on_any_connection() const override { return false; }
  std::string begin_transaction() const override { return "BEGIN IMMEDIATE"; }
  std::string truncate(const std::string& table) const override;
  bool create_as_keeps_types() const override { return false; }
};

const SqliteDialect& dialect();

// Registers dvt_md5(text) -> 32 lowercase hex digits (NULL for NULL), the
// aggregate dvt_hash_sum(hex) -> the exact decimal sum of the first 15 hex
// digits of each value, and dvt_hex_value(hex, n) -> the integer of the
// first n (at most 15) hex digits, on `db`. Throws DataError when SQLite
// refuses.
void register_hash_functions(sqlite3* db);

}  // namespace dvt::sqlite
