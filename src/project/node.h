// One node of a project, with dbt's identity: a model, a seed, a test (generic
// or singular) or a source table. The parser makes them; the run layer reads
// everything it needs from them (materialization, keys, the relation, the
// output it lives in, a seed's file and column types, a test's severity).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "project/node_config.h"

namespace dvt {

enum class ResourceType { kModel, kSeed, kTest, kSource };

// dbt's name: "model", "seed", "test", "source".
const char* resource_type_name(ResourceType type);
// The type named `name` (also the plurals "models", ...), or nullopt.
std::optional<ResourceType> parse_resource_type(std::string_view name);

// Where a node lives: database.schema.identifier (database empty for the
// families whose names have none, such as MySQL).
struct RelationName {
  std::string database;
  std::string schema;
  std::string identifier;
};

struct ColumnSpec {
  std::string name;
  std::string description;
  std::string data_type;
  Json meta = Json::object();
  std::vector<std::string> tags;
  std::optional<bool> quote;
};

// ref('name') or ref('package', 'name').
struct RefCall {
  std::string package;  // empty: any
  std::string name;
};

// source('source', 'table').
struct SourceCall {
  std::string source;
  std::string table;
};

// What a generic test is (dbt's test_metadata): the test macro and the
// keyword arguments it is called with, as written in the YAML (strings that
// look like ref(...), source(...), var(...) or env_var(...) are rendered at
// compile time; `model` is "{{ get_where_subquery(ref('orders')) }}").
struct GenericTest {
  std::string name;             // "not_null", "accepted_values", ...
  std::string macro_namespace;  // "" or the package of `package.test_name`
  Json kwargs = Json::object();
  std::string column_name;    // empty for a model-level test
  std::string attached_node;  // unique_id of the node it tests
  std::string file_key_name;  // "models.orders", "sources.raw"
};

struct Node {
  ResourceType resource_type = ResourceType::kModel;
  std::string unique_id;  // model.<project>.<name>, test.<project>.<name>.<hash>, ...
  std::string name;       // a source table's name for a source
  std::string package_name;
  std::string path;                // relative to its resource folder (models/...)
  std::string original_file_path;  // relative to the project folder
  std::vector<std::string> fqn;
  NodeConfig config;  // resolved
  std::vector<std::string> tags;
  std::string description;
  // The template as dbt reads it: the file with white space stripped from
  // both ends ("" for seeds and sources); raw_code_line is the file's line
  // where it starts (template errors are reported in the file's lines).
  std::string raw_code;
  int raw_code_line = 1;
  std::vector<ColumnSpec> columns;

  std::vector<RefCall> refs;
  std::vector<SourceCall> sources;
  struct DependsOn {
    std::vector<std::string> nodes;   // unique_ids, in the order first used
    std::vector<std::string> macros;  // the macros the node calls itself
  } depends_on;

  RelationName relation;  // database / schema / alias (identifier)
  // The profiles.yml output the node lives in: a model's `target` config or
  // the default output; a source's `connection`.
  std::string output;

  // Seeds: the CSV file (absolute).
  std::filesystem::path seed_file;
  // Tests: a generic test's macro and arguments (nullopt: a singular test).
  std::optional<GenericTest> test;
  // Sources.
  std::string source_name;
  std::string source_description;
  std::string loader;
  Json source_meta = Json::object();

  // sha256 of the file ("" for generic tests and sources), and the YAML file
  // that describes the node as dbt's patch_path ("<project>://models/x.yml").
  std::string checksum;
  std::string patch_path;

  // The YAML file and line that define or describe the node ("" / 0 when
  // none), for messages.
  std::string yaml_file;
  int yaml_line = 0;

  bool is_ephemeral() const {
    return resource_type == ResourceType::kModel && config.materialized() == "ephemeral";
  }
  // "file:line" of the definition for messages: the SQL or CSV file, or the
  // YAML entry for sources and generic tests.
  std::string location() const;
};

}  // namespace dvt
