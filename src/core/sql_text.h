// Standard SQL quoting (the quote character doubled inside), shared by every
// dialect that follows the standard: DuckDB, SQLite, PostgreSQL identifiers.
#pragma once

#include <string>
#include <string_view>

namespace dvt {

// "name" with embedded double quotes doubled: Mixed"Quote -> "Mixed""Quote".
std::string sql_identifier(std::string_view name);
// 'value' with embedded single quotes doubled: it's -> 'it''s'.
std::string sql_literal(std::string_view value);

}  // namespace dvt
