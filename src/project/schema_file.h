// A properties file (models/**/*.yml, seeds/**/*.yml) in dbt's `version: 2`
// format: `models:` and `seeds:` entries (description, config, columns and
// their tests), and `sources:` (each with the profiles.yml output its tables
// live in, `connection:`, plus database, schema and tables).
#pragma once

#include <string>
#include <vector>

#include "project/node.h"
#include "project/yaml_file.h"

namespace dvt {

// One test as written: `not_null`, `{unique: {...}}`, `{name: ..., test_name: ...}`.
struct TestEntry {
  Json definition;
  int line = 0;
};

struct ColumnEntry {
  ColumnSpec spec;
  std::vector<TestEntry> tests;
  int line = 0;
};

// A models: or seeds: entry (a patch for the node of that name).
struct NodeEntry {
  std::string name;
  std::string description;
  Json config = Json::object();
  std::vector<ColumnEntry> columns;
  std::vector<TestEntry> tests;
  int line = 0;
};

struct SourceTableEntry {
  std::string name;
  std::string identifier;  // empty: the name
  std::string description;
  Json config = Json::object();
  Json meta = Json::object();
  std::vector<std::string> tags;
  std::vector<ColumnEntry> columns;
  std::vector<TestEntry> tests;
  int line = 0;
};

struct SourceEntry {
  std::string name;
  std::string connection;  // empty: the default output
  std::string database;    // empty: the output's
  std::string schema;      // empty: the source's name
  std::string description;
  std::string loader;
  Json config = Json::object();
  Json meta = Json::object();
  std::vector<std::string> tags;
  std::vector<SourceTableEntry> tables;
  int line = 0;
};

struct SchemaFile {
  std::string original_file_path;  // relative to the project
  std::vector<NodeEntry> models;
  std::vector<NodeEntry> seeds;
  std::vector<SourceEntry> sources;
};

// Parses `root` (the loaded file). String values holding Jinja are rendered
// with `renderer` (descriptions and tests are not: tests' arguments render at
// compile time). Throws ConfigError naming the file and line of a malformed
// entry (no name, a list where a mapping belongs, ...).
SchemaFile parse_schema_file(const YAML::Node& root, const std::string& original_file_path,
                             const YamlRenderer& renderer);

}  // namespace dvt
