// What the server's catalog says about tables and queries: columns, keys,
// engine, triggers and foreign keys (information_schema), and the exact
// result columns of any SELECT (prepared-statement metadata, nothing runs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_types.h"
#include "core/schema.h"

namespace dvt::mysql {

struct CatalogColumn {
  std::string name;
  std::string column_type;  // information_schema COLUMN_TYPE, e.g. "decimal(12,2) unsigned"
  std::string data_type;    // DATA_TYPE, lowercase, e.g. "bit", "varbinary"
  bool nullable = true;
  bool generated = false;
  bool has_default = false;  // a DEFAULT or AUTO_INCREMENT fills it when left out
};

struct TableInfo {
  std::string database;
  std::string name;
  bool exists = false;
  bool is_view = false;
  std::string engine;          // "InnoDB", "MyISAM", ...
  bool transactional = false;  // the engine has transactions
  std::vector<CatalogColumn> columns;
  std::vector<std::string> primary_key;
  std::optional<uint64_t> estimated_rows;
  std::vector<std::string> triggers;
  bool has_foreign_keys = false;  // the table references, or is referenced by, another
  // Tables of its database whose names start with `shadow_prefix` (for_load
  // only): shadow tables of loads into it (shadow_tables.h).
  std::vector<std::string> related;

  // The column called `name` (case-insensitively, as MySQL compares column
  // names), or nullptr.
  const CatalogColumn* find(const std::string& name) const;
  std::string display() const { return database + "." + name; }
};

// The database a table reference means: its schema, else the output's
// database, else the session's. Throws ConfigError when there is none.
std::string resolve_database(MysqlConnection& connection, const TableRef& table);

// `db`.`table`
std::string qualified(const std::string& database, const std::string& table);

// Reads what dvt needs to know about one table (exists == false when there is
// no such table or view); triggers, foreign keys and the tables named with
// `shadow_prefix` only `for_load`.
TableInfo lookup_table(MysqlConnection& connection, const std::string& database,
                       const std::string& table, bool for_load,
                       const std::string& shadow_prefix = "");

// The columns of a unique key whose columns are all NOT NULL (the primary key
// first), or empty.
std::vector<std::string> unique_not_null_key(MysqlConnection& connection, const TableInfo& table);

// The result columns `select_sql` would yield, from the metadata of a
// prepared statement (the query is parsed and planned, never run). Throws
// DataError with the server's message when it does not prepare.
std::vector<FieldInfo> result_fields(MysqlConnection& connection, const std::string& select_sql);

}  // namespace dvt::mysql
