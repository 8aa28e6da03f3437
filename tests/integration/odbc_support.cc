#include "integration/odbc_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "connectors/odbc/odbc_connection.h"
#include "support/embedded.h"

namespace dvt::test {

bool odbc_driver_ready(const std::string& name, const std::string& package) {
  for (const auto& driver : odbc::registered_drivers()) {
    if (driver == name) return true;
  }
  const char* ci = std::getenv("CI");
  if (ci && std::string_view(ci) == "true") {
    ADD_FAILURE() << "ODBC driver '" << name
                  << "' is not registered with unixODBC; scripts/install-deps --test installs "
                  << package;
  }
  return false;
}

void write_parquet(const std::string& path, const std::string& select) {
  duck_query(fmt::format("COPY ({}) TO '{}' (FORMAT parquet)", select, path));
}

long parquet_differences(const std::string& a, const std::string& b, const std::string& columns) {
  Rows rows = duck_query(fmt::format(
      "SELECT (SELECT count(*) FROM (SELECT {2} FROM read_parquet('{0}') EXCEPT ALL SELECT {2} "
      "FROM read_parquet('{1}'))) + (SELECT count(*) FROM (SELECT {2} FROM read_parquet('{1}') "
      "EXCEPT ALL SELECT {2} FROM read_parquet('{0}')))",
      a, b, columns));
  return std::stol(rows.at(0).at(0).value_or("-1"));
}

std::vector<std::string> parquet_columns(const std::string& path) {
  std::vector<std::string> columns;
  for (const auto& row :
       duck_query(fmt::format("SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * "
                              "FROM read_parquet('{}'))",
                              path))) {
    columns.push_back(row.at(0).value_or(""));
  }
  return columns;
}

}  // namespace dvt::test
