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

// Whether `sql` has the words ORDER BY anywhere (any case, any whitespace
// between them), in a subquery, a window or a string literal too: a caller
// that keeps row order when this says yes keeps it at worst needlessly.
bool mentions_order_by(std::string_view sql);

// `text` with ASCII letters in lower case (SQL keywords, names compared
// without case).
std::string ascii_lower(std::string_view text);

}  // namespace dvt
