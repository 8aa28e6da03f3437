// A generic test as dbt builds one from a properties file entry (`- unique`,
// `- accepted_values: {values: [...], config: {...}}`): its test macro, its
// keyword arguments, its config, and its names: the full name (fqn and
// unique_id: not_null_orders_id) and the short one for files and aliases (the
// first 30 characters and an MD5 when the full one reaches 64 characters),
// and the unique_id's hash (the last 10 digits of an MD5 of the name and
// the test's metadata).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace dvt {

using Json = nlohmann::ordered_json;

// What the test is attached to.
struct TestTarget {
  enum class Kind { kModel, kSeed, kSource } kind = Kind::kModel;
  std::string name;         // the model or seed
  std::string source_name;  // sources
  std::string table_name;   // sources
  std::string column_name;  // empty for a node-level test (quoted if the column says so)
};

struct GenericTestDefinition {
  std::string test_name;         // "unique"
  std::string macro_namespace;   // "" or "dbt_utils" for `dbt_utils.expression_is_true`
  Json kwargs = Json::object();  // the macro's arguments, model last
  Json config = Json::object();  // severity, where, limit, tags, ... as given
  std::string description;
  std::string short_name;  // for the compiled file and the alias
  std::string full_name;   // for the fqn and unique_id
};

// Builds the test of `definition` (a test name, or a one-key mapping, or a
// mapping with test_name). `where` ("file:line") locates errors: a
// definition of several keys, arguments that are not a mapping, a `model`
// argument, a name that is not an identifier.
GenericTestDefinition build_generic_test(const Json& definition, const TestTarget& target,
                                         const std::string& where);

// The unique_id hash dbt computes (10 hex digits).
std::string generic_test_hash(const GenericTestDefinition& test);

}  // namespace dvt
