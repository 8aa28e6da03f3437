// The macros of dbt's own package ("dbt") that dvt ships: the generic tests
// (not_null, unique, accepted_values, relationships) and the SQL they render
// to, get_where_subquery, should_full_refresh, should_store_failures,
// generate_schema_name / generate_alias_name / generate_database_name (and
// generate_schema_name_for_env), and get_test_sql.
#pragma once

#include <string_view>
#include <vector>

namespace dvt {

struct BuiltinMacroFile {
  std::string_view path;  // as in dbt's package ("macros/...", "tests/generic/...")
  std::string_view text;
};

const std::vector<BuiltinMacroFile>& builtin_macro_files();

}  // namespace dvt
