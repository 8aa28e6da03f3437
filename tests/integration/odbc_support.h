// The ODBC drivers the tests run against (psqlODBC, MariaDB Connector/ODBC,
// SQLite ODBC: scripts/install-deps --test installs them and they register
// themselves with unixODBC), and comparisons of Parquet files made by two
// tiers.
#pragma once

#include <string>
#include <vector>

namespace dvt::test {

// True when unixODBC has a driver called `name`. When it has not, the test
// fails under CI=true (a missing driver is a broken setup there) and is
// skipped elsewhere, saying which package installs it.
bool odbc_driver_ready(const std::string& name, const std::string& package);

#define REQUIRE_ODBC_DRIVER(name, package)                                                        \
  if (!::dvt::test::odbc_driver_ready(name, package)) {                                           \
    GTEST_SKIP() << "ODBC driver '" << name << "' is not registered (apt-get install " << package \
                 << ")";                                                                          \
  }

// Writes the rows of `select` (DuckDB SQL) to a Parquet file `path`.
void write_parquet(const std::string& path, const std::string& select);

// Rows of Parquet file `a` missing from `b` plus rows of `b` missing from
// `a` (0: the same rows); `columns` selects what is compared ("*").
long parquet_differences(const std::string& a, const std::string& b,
                         const std::string& columns = "*");

// "name TYPE" for each column of a Parquet file, in order.
std::vector<std::string> parquet_columns(const std::string& path);

}  // namespace dvt::test
