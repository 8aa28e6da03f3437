// What dvt knows of the ODBC drivers it was tested with, by family: the
// connection-string keywords a faithful, streaming read needs, the session
// statements that fix the text of values, and the quirks the reader and
// writer work around. A family without an entry gets the ODBC standard's
// behaviour. Documented per driver in docs/odbc.md.
#pragma once

#include <string_view>
#include <vector>

namespace dvt::odbc {

struct DriverProfile {
  std::string_view family;  // canonical registry type; "" for the default
  // Keywords added to every connection string (the output's own win).
  std::vector<std::pair<std::string_view, std::string_view>> keywords{};
  // Run after connecting, before anything else.
  std::vector<std::string_view> session{};
  // SQLSetPos(SQL_POSITION) moves SQLGetData to that row of a block of rows.
  // MariaDB Connector/ODBC 3.1 advertises SQL_GD_BLOCK, but SQLGetData after
  // SQLSetPos still reads the block's first row: long values there are read
  // one row at a time instead.
  bool positioned_get_data = true;
  // The database's schemas are ODBC catalogs (MySQL's databases): a table's
  // schema goes into the catalog argument of SQLColumns and its kin.
  bool schema_is_catalog = false;
  // The query that returns the session's default schema, or "" when tables
  // are found without one.
  std::string_view current_schema{};
  // The Debian package of the driver, for install hints.
  std::string_view apt_package{};
  // Rows an INSERT statement carries (VALUES (...), (...)). A driver that
  // runs each parameter set of an array as a statement of its own loads
  // 128 rows a statement several times faster than one. MariaDB's driver
  // sends a column-wise array of one-row statements as one bulk command,
  // but keeps the memory of every such command until the connection ends
  // (a 10M-row load grew to 972 MB); 128-row statements stay flat.
  size_t rows_per_insert = 1;
  // Text travels narrow by default: MariaDB's driver hands SQL_C_CHAR data
  // over in the connection's character set (utf8mb4) untouched, while its
  // conversion to SQL_C_WCHAR fails on a value cut at the end of a bound
  // buffer ("Ansi to Unicode conversion error").
  bool narrow_text = false;
  // Timestamps are sent as their text: SQLite's driver stores a
  // SQL_C_TYPE_TIMESTAMP as text of milliseconds, without the offset.
  bool timestamps_as_text = false;
  // Parameter arrays carry each row's own lengths. SQLite's driver reads a
  // parameter's length when it is bound, not when it is executed (X'AB',
  // X'ABCDEF' arrived as X'AB', X'AB'); rows go one execution each there,
  // bound anew.
  bool parameter_arrays = true;
  // The SQL that reads a double column ({0}) as its exact text, when the
  // driver's own conversion is not exact: SQLite's driver goes through 15
  // significant digits (0.30000000000000004 arrived as 0.3, DBL_MAX as inf).
  // Used for table scans; "" when doubles read exactly.
  std::string_view exact_double_text{};
  // The driver holds a whole result in memory before the first row is
  // fetched (MariaDB Connector/ODBC 3.1 ignores its NO_CACHE option: 1M rows
  // of 8 columns took 166 MB): a table with an integer or text key is read
  // in pages of that key instead, inside one consistent snapshot.
  bool buffers_results = false;
  // Starts and ends the snapshot the pages are read in.
  std::string_view begin_snapshot{};
  // Rows load as one statement a chunk, INSERT ... SELECT * FROM
  // unnest(CAST(? AS type[]), ...), each column's values one array literal:
  // PostgreSQL parses an array of 2048 values several times faster than 2048
  // rows of VALUES (200K rows: 1.85 s against 6.5 s for 128-row VALUES).
  bool array_insert = false;
};

// The profile of `family`'s driver (the default profile when none is known).
const DriverProfile& driver_profile(std::string_view family);

}  // namespace dvt::odbc
