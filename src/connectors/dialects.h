// Every family's Dialect, found by the family's name: for the connectors
// that reach many families through one driver interface (ODBC), which take
// the SQL of the family they find at the other end.
//
// A family is known here once it has a line in the table of dialects.cc
// (its canonical registry type and the function returning its Dialect);
// aliases of registry.cc find the same entry. A family without a line gets
// standard_dialect().
#pragma once

#include <string>
#include <string_view>

#include "connectors/dialect.h"

namespace dvt {

// The dialect of `family` (a canonical adapter type or an alias: "postgres",
// "mariadb", "sqlserver", ...), or nullptr when the family has none yet.
const Dialect* find_dialect(std::string_view family);

// Standard SQL: double-quoted names, LIMIT, ANSI type names, transactional
// DDL assumed. Its row hashes need an md5() the database may not have.
const Dialect& standard_dialect();

// The canonical type of the family whose ODBC driver reports `dbms_name`
// (SQLGetInfo's SQL_DBMS_NAME: "PostgreSQL", "MariaDB", "Microsoft SQL
// Server", ...), matched against the registry's odbc_driver_match; "" when
// no family matches.
std::string family_of_dbms(std::string_view dbms_name);

// Whether `name` contains one of the '|'-separated words of `match`, in any
// case ("MySQL|MariaDB").
bool matches_any(std::string_view name, std::string_view match);

}  // namespace dvt
