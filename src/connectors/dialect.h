// How one database family spells SQL: quoted names, literals, the column
// types a new table gets, row limits, the row-hash expression, and the
// statements a load plan is made of. A dialect is pure (no connection, no
// I/O), so every piece of it is tested by exact expected SQL.
//
// The defaults are standard SQL (double-quoted identifiers, `||`, `LIMIT n`,
// `UPDATE ... FROM`); a family overrides what it spells differently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"

namespace dvt {

class Dialect {
 public:
  virtual ~Dialect() = default;

  // The family's canonical adapter type ("postgres", "mysql", ...).
  virtual std::string_view family() const = 0;

  // --- names and literals --------------------------------------------------

  // `identifier` quoted so the database reads it verbatim ("a""b").
  virtual std::string quote(std::string_view identifier) const;
  // A string literal ('it''s').
  virtual std::string literal(std::string_view text) const;
  // The quoted, schema-qualified name of `table` (just the name when it has
  // no schema).
  virtual std::string qualify(const TableRef& table) const;
  // The longest identifier the database keeps, in bytes; 0 when unlimited.
  virtual size_t max_identifier_bytes() const { return 0; }
  // Whether the database compares column names without regard to case.
  virtual bool column_names_ignore_case() const { return false; }
  // Throws ConfigError naming `what` ("table name", "column") and the limit
  // when `identifier` is longer than max_identifier_bytes(): a database that
  // truncates silently would otherwise write into another table.
  void check_identifier(std::string_view identifier, std::string_view what) const;
  // Whether two column names name the same column here.
  bool same_column(std::string_view a, std::string_view b) const;

  // --- types ---------------------------------------------------------------

  // The type a CREATE TABLE gives `column` of the incoming `table` (the whole
  // table is given, since a key column's type may depend on the other key
  // columns, as MySQL's index size limit makes it).
  virtual std::string column_type(const Column& column, const TableSchema& table) const = 0;
  // column.declared_type when set, else column_type().
  std::string declared_type(const Column& column, const TableSchema& table) const;
  // `column` as it appears in a CREATE TABLE: name, type, NOT NULL.
  virtual std::string column_definition(const Column& column, const TableSchema& table) const;

  // --- queries -------------------------------------------------------------

  // `select_sql` returning at most `limit` rows (LIMIT, TOP or FETCH FIRST).
  virtual std::string limit_rows(const std::string& select_sql, uint64_t limit) const;
  // A predicate true for no row (for describing a query without rows).
  virtual std::string false_predicate() const { return "1 = 0"; }

  // --- row hashes (one encoding for every database) --------------------------
  //
  // A row's hash is the MD5 (32 lowercase hex digits) of its values encoded
  // in column order: NULL becomes "N"; a value becomes "V" <byte length of
  // its text> ":" <its text>, the text being the database's canonical text
  // of the value (text_of). A one-column key's text is the column's text; a
  // wider key's is the same encoding (unhashed) of its columns.

  // The canonical text of a non-NULL value of `column` (which carries the
  // source's own type spelling in source_type).
  virtual std::string text_of(const Column& column) const = 0;
  // Concatenation of text expressions.
  virtual std::string concat(const std::vector<std::string>& parts) const;
  // The byte length of a text expression, as text.
  virtual std::string byte_length_text(const std::string& text) const;
  // The lowercase hex MD5 of a text expression.
  virtual std::string md5_hex(const std::string& text) const;
  // One value's encoding: 'N' for NULL, else 'V' || length || ':' || text.
  std::string encoded_value(const Column& column) const;
  // The row hash of `columns`.
  std::string row_hash(const std::vector<Column>& columns) const;
  // The key text of `key` (see above).
  std::string key_text(const std::vector<Column>& key) const;
  // A literal of `column`'s type whose canonical text (text_of) is `text`,
  // for finding rows by key: a number as itself, bytes (given as lowercase
  // hex) as the family's hex literal, anything else as a string literal that
  // the database reads as the column's type when compared with it.
  virtual std::string value_from_text(const Column& column, std::string_view text) const;
  // The number the first `digits` (at most 15) hex digits of a hex
  // expression spell, as an integer expression.
  virtual std::string hex_value(const std::string& hex, int digits) const = 0;
  // A bucket in [0, buckets) of a text expression (REQUIRES: buckets is a
  // power of two), from a hash of the text, for spreading keys evenly.
  virtual std::string text_bucket(const std::string& text, uint64_t buckets) const;
  // An order-independent aggregate of row hashes (`hash` is a 32-digit hex
  // expression), for a table's content fingerprint: the exact sum of the
  // first 15 hex digits of every hash read as an integer (60 bits each, so a
  // change to any row changes it but with odds of 2^-60), as text.
  virtual std::string hash_aggregate(const std::string& hash) const = 0;
  // False when md5_hex, hex_value and hash_aggregate name functions that dvt
  // registers on its own connections (SQLite's), which a connection of
  // another client (an ODBC driver) does not have.
  virtual bool hashes_on_any_connection() const { return true; }

  // --- statements of load plans ----------------------------------------------

  // Opens the load's transaction.
  virtual std::string begin_transaction() const { return "BEGIN"; }
  virtual std::string commit() const { return "COMMIT"; }
  virtual std::string rollback() const { return "ROLLBACK"; }
  // Whether CREATE, DROP and TRUNCATE take part in a transaction (and roll
  // back with it).
  virtual bool transactional_ddl() const { return true; }
  // CREATE SCHEMA IF NOT EXISTS for a quoted (qualified) schema name.
  virtual std::string create_schema(const std::string& schema) const;
  // CREATE TABLE from the incoming columns; with the primary key inline
  // unless primary_key_after_load().
  virtual std::string create_table(const std::string& table, const TableSchema& incoming) const;
  // An empty table with the columns `query` yields, of exactly its types.
  virtual std::string create_table_as(const std::string& table, const std::string& query) const;
  // Whether create_table_as keeps the query's types (SQLite's keeps only
  // affinities, so a table is created from the described columns instead).
  virtual bool create_as_keeps_types() const { return true; }
  // The statements that make `view` show `query`, replacing it if it exists
  // (run in one transaction where DDL is transactional).
  virtual std::vector<std::string> create_view(const std::string& view,
                                               const std::string& query) const;
  // Whether a new table's primary key is added once its rows are in (one
  // sorted index build instead of an insert per row), rather than inline.
  virtual bool primary_key_after_load() const { return false; }
  virtual std::string add_primary_key(const std::string& table,
                                      const std::vector<std::string>& key) const;
  virtual std::string drop_table(const std::string& table) const;
  // Removes every row of `table`, keeping its definition, indexes, grants.
  virtual std::string truncate(const std::string& table) const;
  // A table private to the load's session with `columns` of `target`, and
  // no rows; gone at the end of the transaction or session.
  virtual std::string create_staging(const std::string& staging, const std::string& target,
                                     const std::vector<std::string>& columns) const;
  // The name of the load's private staging table (quoted, qualified as the
  // family needs temporary tables to be).
  virtual std::string staging_table(const std::string& base_name) const;
  // Sets `set_columns` of every `target` row whose `key` matches a `staging`
  // row to that row's values.
  virtual std::string update_from(const std::string& target, const std::string& staging,
                                  const std::vector<std::string>& key,
                                  const std::vector<std::string>& set_columns) const;
  // Deletes every `target` row whose `key` matches a `staging` row.
  virtual std::string delete_matching(const std::string& target, const std::string& staging,
                                      const std::vector<std::string>& key) const;
  // INSERT INTO target (columns) SELECT columns FROM source [WHERE ...].
  std::string insert_select(const std::string& target, const std::vector<std::string>& columns,
                            const std::string& source, const std::string& where = "") const;
  // The WHERE condition "no `target` row matches the incoming row by `key`",
  // for inserting only the rows that are new; the incoming rows are read
  // under the alias dvt_rows.
  std::string no_match_in(const std::string& target, const std::vector<std::string>& key) const;
  // The first key of `table` (with its row count) that appears more than once.
  std::string repeated_key(const std::string& table, const std::vector<std::string>& key) const;
  // The first row of `table` with a NULL in a `key` column (its key values).
  std::string null_key(const std::string& table, const std::vector<std::string>& key) const;

  // `a.col = b.col AND ...` for the columns of `key`; aliases unquoted.
  std::string key_match(const std::string& a, const std::string& b,
                        const std::vector<std::string>& key) const;
  // Quoted, comma-separated names.
  std::string name_list(const std::vector<std::string>& names) const;
};

}  // namespace dvt
