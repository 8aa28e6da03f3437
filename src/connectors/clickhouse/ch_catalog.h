// What dvt asks a ClickHouse server before moving rows: its version and
// capabilities (formats, types, database engine), a table's columns with
// their exact types, its key and row count, and the columns a query yields.
// Every catalog query is small; its strings travel as RowBinary, so no
// escaping rule stands between a type's spelling and dvt.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/clickhouse/ch_session.h"
#include "connectors/clickhouse/ch_types.h"

namespace dvt::ch {

struct ServerInfo {
  std::string version;  // "18.16.1"
  int major = 0;
  int minor = 0;
  std::string timezone;  // the server's default time zone
  bool utc = true;       // timezone is UTC (or an alias of it)
  // RowBinaryWithNamesAndTypes exists (newer servers): the reader checks the
  // stream's own header against the columns it planned for.
  bool rowbinary_with_header = false;
  // 18.x needs allow_experimental_low_cardinality_type=1 to create a table
  // with LowCardinality columns (CREATE TABLE ... AS a table that has them).
  bool low_cardinality_setting = false;
  DdlOptions ddl;

  // The settings DDL statements need on this server.
  Settings ddl_settings() const;
};

// Asks the server once. Throws TierUnavailable / ConnectionError when it
// cannot be reached.
ServerInfo read_server_info(ChSession& session);

// Runs `select_sql` (every column must be a String) and returns its rows.
std::vector<std::vector<std::string>> query_strings(ChSession& session,
                                                    const std::string& select_sql, size_t columns);

struct ChColumn {
  std::string name;
  ChType type;
  bool has_default = false;  // a DEFAULT expression (not only the type's implicit default)
};

struct TableInfo {
  bool exists = false;
  std::string database;
  std::string name;
  std::string engine;             // "MergeTree", "Log", "View", ...
  std::vector<ChColumn> columns;  // insertable columns (no MATERIALIZED / ALIAS), in table order
  // The primary key's columns when it is a list of plain columns, in key
  // order. ClickHouse never enforces it unique.
  std::vector<std::string> primary_key;
  std::optional<uint64_t> rows;      // active parts' rows (MergeTree family)
  bool atomic_database = false;      // EXCHANGE TABLES is available
  std::vector<std::string> related;  // tables whose names start with lookup_table's `prefix`

  std::string qualified() const;  // `db`.`name`
  int find(const std::string& column) const;
  bool is_merge_tree() const { return engine.find("MergeTree") != std::string::npos; }
};

// The table `database`.`name` (exists == false when there is none), and the
// names of the tables starting with `prefix` when it is not empty. One
// statement: the pipe tier pays a client start-up per statement.
TableInfo lookup_table(ChSession& session, const std::string& database, const std::string& name,
                       const std::string& prefix = "");

// The columns `select_sql` yields, without reading its rows.
std::vector<ChColumn> describe_query(ChSession& session, const std::string& select_sql);

// `db`.`name`
std::string qualified_name(const std::string& database, const std::string& name);

// Undoes ClickHouse's TabSeparated escaping (\t, \n, \\, \', \0, ...).
std::string tsv_unescape(std::string_view text);

}  // namespace dvt::ch
