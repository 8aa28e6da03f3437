// target/manifest.json in dbt's shape (schema v12): metadata, nodes (models,
// seeds, tests), sources, macros, parent_map and child_map, with the fields
// dbt's tools read from each node (unique_id, resource_type, package_name,
// path, original_file_path, fqn, config, depends_on, refs, sources,
// raw_code, compiled_code, relation_name, database, schema, alias, tags,
// columns, ...).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "project/project.h"

namespace dvt {

using Json = nlohmann::ordered_json;

// One node as the manifest has it; `compiled` (when given) adds the compiled
// fields.
Json node_to_json(const Project& project, const Node& node, const CompiledNode* compiled = nullptr);

// Where dvt compile writes the node's compiled SQL, as dbt does:
// <target>/compiled/<package>/<original_file_path> for a file of its own, and
// .../<properties file>/<test>.sql for a generic test.
std::filesystem::path compiled_file(const Project& project, const Node& node);

// The relation as it prints in its database ("db"."schema"."alias"), or null
// for ephemeral models and tests.
Json relation_name(const Project& project, const Node& node);

// The whole manifest. `compiled` maps unique_ids to what dvt compile
// rendered; a node without an entry has no compiled fields.
Json manifest_json(const Project& project,
                   const std::map<std::string, CompiledNode>& compiled = {});

// Writes `manifest` to <target>/manifest.json (through a temp file and a
// rename). Throws DataError naming the file when it cannot.
void write_manifest(const Project& project, const Json& manifest);

}  // namespace dvt
