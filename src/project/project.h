// A dbt project, loaded: dbt_project.yml, profiles.yml's outputs, the macros,
// and every model, seed, test and source as a Node, their DAG, and the
// rendering of each node's SQL. This is what `dvt parse`, `ls` and `compile`
// print and what the run layer executes.
//
//   ProjectOptions options;  // project_dir, profiles, --target, --vars
//   std::unique_ptr<Project> project = Project::load(options);
//   for (const Node* node : select(*project, {.select = {"+orders"}})) {
//     std::string sql = project->render(*node, {.is_incremental = exists});
//   }
//
// Thread safety: load() from one thread; afterwards every const method may
// run on any number of threads at once (models render in parallel).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/output_config.h"
#include "project/graph.h"
#include "project/macro_library.h"
#include "project/node.h"
#include "project/project_file.h"
#include "project/target.h"
#include "template/environment.h"

namespace dvt {

struct CompileRecord;

struct ProjectOptions {
  std::filesystem::path project_dir = ".";
  // --profiles-dir; else $DVT_PROFILES_DIR, ./profiles.yml, the project
  // folder's profiles.yml, ~/.dvt/.
  std::optional<std::string> profiles_dir;
  std::string profile;  // --profile; else dbt_project.yml's `profile`
  // --target: the output a node is written to when its config names none
  // (else the profile's target). A node's `target` config wins over it.
  std::string target;
  std::string vars;  // --vars: a YAML or JSON mapping; wins over the project's vars
  // dbt's flags as templates see them (flags.FULL_REFRESH, flags.WHICH, ...).
  bool full_refresh = false;
  bool store_failures = false;
  std::string which = "compile";
};

// What the run layer knows when it renders a node for execution.
struct RenderFacts {
  // is_incremental(): the node's relation exists as a table, the node is
  // incremental, and this is no full refresh (the caller decides).
  bool is_incremental = false;
};

// A node's compiled SQL and what dbt then lists in its depends_on.macros (the
// parse's and the macros the compile itself called).
struct CompiledNode {
  std::string code;
  std::vector<std::string> macros;
};

// A test ready to run: the query returning its failing rows (dbt's compiled
// SQL of the test) and the summary query dbt's test materialization runs
// over it (failures, should_warn, should_error), with the test's config.
struct TestQuery {
  std::string failing_rows_sql;
  std::string summary_sql;
  std::string severity;  // "ERROR" or "WARN"
  std::string warn_if;   // "!= 0"
  std::string error_if;
  std::string fail_calc;  // "count(*)"
  std::optional<int64_t> limit;
  std::string where;
};

class Project {
 public:
  // Reads and parses the project: every file, every model rendered once to
  // find its refs, sources and config() calls, configs resolved, relations
  // named through generate_schema_name / generate_alias_name /
  // generate_database_name, disabled nodes left out, the DAG built.
  // Throws ConfigError naming the file (and line) for: bad YAML or config,
  // a template error (TemplateError, a ConfigError, with its line), a ref to
  // a model that does not exist (naming the ref, the model and its file), a
  // source that is not defined, an output that profiles.yml lacks, a
  // duplicate name, and a cycle (naming it).
  static std::unique_ptr<Project> load(const ProjectOptions& options);
  ~Project();
  Project(const Project&) = delete;
  Project& operator=(const Project&) = delete;

  const std::string& name() const { return file_.name; }
  const ProjectFile& file() const { return file_; }
  const std::filesystem::path& dir() const { return file_.dir; }
  // <project>/<target-path>: where manifest.json and compiled/ go.
  std::filesystem::path target_dir() const { return file_.dir / file_.target_path; }

  // Every enabled node: seeds, models, tests and sources, in the order the
  // files were read.
  const std::vector<const Node*>& nodes() const { return node_list_; }
  // The node with `unique_id`, or nullptr.
  const Node* find(const std::string& unique_id) const;
  // The model (or seed) ref(name) / ref(package, name) names, or nullptr.
  const Node* find_ref(const std::string& package, const std::string& name) const;
  // The source table source(source, table) names, or nullptr.
  const Node* find_source(const std::string& source, const std::string& table) const;
  const Graph& graph() const { return graph_; }

  // The output nodes go to without a `target` config (--target, else the
  // profile's target).
  const std::string& default_output() const { return default_output_; }
  // The target (name, type, schema, database, dialect) of an output a node
  // uses. REQUIRES: `output` is the output of some node or the default.
  const Target& target(const std::string& output) const;
  const Target& target_of(const Node& node) const { return target(node.output); }
  // The profiles.yml output itself (connection settings) for the run layer.
  const OutputConfig& output_config(const std::string& output) const;
  const std::string& profile_name() const { return profile_name_; }

  const MacroLibrary& macros() const { return *macros_; }
  const std::string& invocation_id() const { return invocation_id_; }
  std::chrono::system_clock::time_point run_started_at() const { return run_started_at_; }
  // The vars var() sees in nodes of `package`: the project's globals, its
  // package-scoped ones, then --vars.
  const jinja::Value::Map& vars() const { return vars_; }

  // The SQL of a model or test, rendered for execution with `facts`:
  // execute is true, `this` is the node's relation, `target` its output,
  // refs resolve to their relations (an ephemeral model to its CTE, which is
  // injected as dbt does: `with __dbt__cte__<name> as (...)`). A seed or
  // source has no SQL (returns ""). Throws TemplateError with the file and
  // line of the template error.
  std::string render(const Node& node, const RenderFacts& facts = {}) const;
  // render() with the macros the node depends on after compiling (for the
  // manifest).
  CompiledNode compile(const Node& node, const RenderFacts& facts = {}) const;

  // A test's queries and config. REQUIRES: node is a test.
  TestQuery test_query(const Node& node, const RenderFacts& facts = {}) const;

 private:
  friend class ProjectParser;
  friend class NodeContext;
  Project();

  // A node's SQL before and after its ephemeral CTEs are injected, and the
  // CTEs (unique_id, " __dbt__cte__x as (\n...\n)") as dbt lists them.
  struct Compiled {
    std::string pre_injected;
    std::string sql;
    std::vector<std::pair<std::string, std::string>> ctes;
    std::vector<std::string> macro_calls;
  };
  Compiled compile_node(const Node& node, const RenderFacts& facts) const;
  // The node's template rendered (a generic test: its macro called).
  std::string render_raw(const Node& node, const RenderFacts& facts, CompileRecord& record) const;

  ProjectFile file_;
  std::string profile_name_;
  std::string default_output_;
  std::map<std::string, OutputConfig> outputs_;
  std::map<std::string, Target> targets_;
  std::string invocation_id_;
  std::chrono::system_clock::time_point run_started_at_;
  jinja::Value::Map vars_;
  jinja::Value::Map flags_;

  // Declared before the nodes and macros that refer to it.
  std::unique_ptr<jinja::Environment> env_;
  std::unique_ptr<MacroLibrary> macros_;

  std::vector<std::unique_ptr<Node>> owned_nodes_;
  std::vector<const Node*> node_list_;
  std::map<std::string, const Node*> by_id_;
  std::map<std::string, const Node*> refs_;     // name -> model or seed
  std::map<std::string, const Node*> sources_;  // "source.table" -> source
  Graph graph_;
  // Generic tests: the template and macro that evaluate their arguments.
  std::map<std::string, std::string> test_kwargs_template_;
};

}  // namespace dvt
