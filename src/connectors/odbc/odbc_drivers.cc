#include "connectors/odbc/odbc_drivers.h"

namespace dvt::odbc {

const DriverProfile& driver_profile(std::string_view family) {
  static const DriverProfile kProfiles[] = {
      {"", {}, {}, true, false, "", ""},
      // psqlODBC reads a whole result into memory unless UseDeclareFetch
      // makes it fetch through a cursor, Fetch rows at a time. BoolsAsChar
      // would report booleans as VARCHAR; the session is UTC with exact
      // floats so timestamptz and double travel as the values they are.
      {"postgres",
       {{"UseDeclareFetch", "1"},
        {"Fetch", "4096"},
        {"BoolsAsChar", "0"},
        {"ByteaAsLongVarBinary", "1"},
        {"UseServerSidePrepare", "1"},
        // Rollback on error for the whole transaction (dvt undoes the load
        // anyway) rather than a SAVEPOINT around every statement.
        {"Protocol", "7.4-1"},
        {"BatchSize", "1000"}},
       {"SET TimeZone = 'UTC'", "SET DateStyle = 'ISO, MDY'", "SET IntervalStyle = 'postgres'",
        "SET extra_float_digits = 3", "SET bytea_output = 'hex'"},
       true,
       false,
       "SELECT current_schema()",
       "odbc-postgresql",
       128,
       false,
       false,
       true,
       "",
       false,
       "",
       true},
      // MariaDB Connector/ODBC caches a forward-only result whole unless
      // NO_CACHE is set; the session runs in UTC so TIMESTAMP columns read
      // as the instants they store.
      {"mysql",
       {{"NO_CACHE", "1"}, {"CHARSET", "utf8mb4"}},
       {"SET time_zone = '+00:00'"},
       false,
       true,
       "SELECT DATABASE()",
       "odbc-mariadb",
       128,
       true,
       false,
       true,
       "",
       true,
       "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"},
      {"sqlite",
       {},
       {},
       true,
       false,
       "",
       "libsqliteodbc",
       1,
       false,
       true,
       false,
       "CASE WHEN {0} IS NULL THEN NULL ELSE printf('%!.17g', {0}) END"},
  };
  for (const auto& profile : kProfiles) {
    if (profile.family == family) return profile;
  }
  return kProfiles[0];
}

}  // namespace dvt::odbc
