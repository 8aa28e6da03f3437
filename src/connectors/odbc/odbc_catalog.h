// What an ODBC driver's catalog functions say of a table: its columns
// (SQLColumns), its primary key (SQLPrimaryKeys, else the first unique index
// on NOT NULL columns of SQLStatistics) and the columns of a result
// (SQLDescribeCol, SQLColAttribute).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/load_plan.h"
#include "connectors/odbc/odbc_connection.h"
#include "connectors/odbc/odbc_types.h"

namespace dvt::odbc {

struct OdbcTable {
  std::string schema;  // as the driver spells it ("" when the database has none)
  std::string name;
  struct CatalogColumn {
    OdbcColumnInfo info;
    bool has_default = false;
  };
  std::vector<CatalogColumn> columns;
  std::vector<std::string> primary_key;

  int find(const std::string& column) const;
  std::string display() const { return schema.empty() ? name : schema + "." + name; }
};

// The schema a table without one is looked up in: the output's `schema`,
// else the session's (the driver profile's query), else "" (any).
std::string default_schema(OdbcConnection& connection);

// The table `name` in `schema` ("" for the default), with its columns in
// order and its key; nullopt when there is no such table or view.
std::optional<OdbcTable> find_table(OdbcConnection& connection, const std::string& schema,
                                    const std::string& name);

// The columns of the result `statement` holds (after SQLExecDirect).
std::vector<OdbcColumnInfo> describe_result(SQLHSTMT statement, TextMode text,
                                            const std::string& doing);

// What the load plans need of a target table.
TargetTable target_table(OdbcConnection& connection, const Dialect& dialect, const TableRef& table,
                         const std::string& display);

}  // namespace dvt::odbc
