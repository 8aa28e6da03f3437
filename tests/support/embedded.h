// Helpers for tests over the embedded databases (SQLite and DuckDB files).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dvt::test {

using Rows = std::vector<std::vector<std::optional<std::string>>>;

// Runs SQL statements on a SQLite file (created if missing). Throws on error.
void sqlite_exec(const std::string& path, const std::string& sql);
// Rows of a query on a SQLite file, every value as SQLite renders it as text.
Rows sqlite_query(const std::string& path, const std::string& sql);

// Rows of a query run in a fresh in-memory DuckDB (read_parquet, ATTACH, ...).
Rows duck_query(const std::string& sql);

}  // namespace dvt::test
