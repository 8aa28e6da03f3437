// dbt's Jinja context for one node: what ref, source, config, this, model,
// target, adapter, var, execute and is_incremental are while the node
// renders. Two phases, as dbt has them: parsing (execute is false; ref,
// source and config() record what the node uses) and rendering for compile
// or run (execute is true; refs resolve to relations in their own
// database's dialect, an ephemeral model to its CTE).
#pragma once

#include <string>
#include <vector>

#include "project/project.h"
#include "template/template_error.h"
#include "template/value.h"

namespace dvt {

// What a parse render found.
struct ParseRecord {
  std::vector<RefCall> refs;
  std::vector<SourceCall> sources;
  std::vector<Json> config_calls;  // each config() call's keywords, in order
  std::vector<std::string> macro_calls;
};

// What a compile render found.
struct CompileRecord {
  std::vector<std::string> ephemerals;  // unique_ids of ephemeral models referenced, in order
  std::vector<std::string> macro_calls;
};

// Rethrows `error`; when it happened in `node`'s own template, with its line
// counted in the file (dbt strips the white space a file starts with).
[[noreturn]] void rethrow_in_file_lines(const jinja::TemplateError& error, const Node& node);

class NodeContext {
 public:
  explicit NodeContext(const Project& project) : project_(project) {}

  // The parse context of `node` (its config and relation so far; `output`
  // the output its config names so far); calls are recorded in `record`,
  // which must outlive the render.
  jinja::Value::Map parse(const Node& node, const std::string& output, ParseRecord& record) const;

  // The context for rendering `node` with execute true.
  jinja::Value::Map render(const Node& node, const RenderFacts& facts, CompileRecord& record) const;

  // `node` as templates see it (dbt's `model`, and `node` in
  // generate_schema_name): the manifest's fields.
  jinja::Value node_value(const Node& node) const;

  // The relation of `node` as a template value (a CTE for an ephemeral model).
  jinja::Value relation_of(const Node& node) const;

 private:
  // The parts both phases share: target, adapter, var, database, schema.
  void add_common(jinja::Value::Map& context, const Node& node, const Target& target) const;

  const Project& project_;
};

}  // namespace dvt
