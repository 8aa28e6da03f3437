#include "project/project.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "project/node_context.h"
#include "template/macro_call.h"
#include "template/python_text.h"

namespace dvt {

using jinja::Value;

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

size_t skip_spaces(const std::string& sql, size_t at) {
  while (at < sql.size() && is_space(sql[at])) ++at;
  return at;
}

// Whether the keyword `word` (any case) starts at `at` as a whole word.
bool keyword_at(const std::string& sql, size_t at, std::string_view word) {
  if (at + word.size() > sql.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(sql[at + i])) != word[i]) return false;
  }
  size_t end = at + word.size();
  return end == sql.size() || !(std::isalnum(static_cast<unsigned char>(sql[end])) ||
                                sql[end] == '_' || sql[end] == '$');
}

// dbt's inject_ctes_into_sql: the CTEs go after the statement's leading
// WITH [RECURSIVE] (and the space after it), followed by ", "; without one,
// "with <ctes> " goes before the first token that is not white space.
std::string inject_ctes(const std::string& sql,
                        const std::vector<std::pair<std::string, std::string>>& ctes) {
  if (ctes.empty()) return sql;
  std::string joined;
  for (const auto& [id, cte] : ctes) {
    if (!joined.empty()) joined += ", ";
    joined += cte;
  }
  size_t first = skip_spaces(sql, 0);
  if (keyword_at(sql, first, "with")) {
    size_t after = first + 4;
    size_t next = skip_spaces(sql, after);
    if (keyword_at(sql, next, "recursive")) next = skip_spaces(sql, next + 9);
    return sql.substr(0, next) + joined + ", " + sql.substr(next);
  }
  return sql.substr(0, first) + "with" + joined + " " + sql.substr(first);
}

void add_cte(std::vector<std::pair<std::string, std::string>>& ctes, const std::string& id,
             const std::string& sql) {
  for (auto& [existing, text] : ctes) {
    if (existing == id) {
      text = sql;
      return;
    }
  }
  ctes.emplace_back(id, sql);
}

}  // namespace

Project::Project() = default;
Project::~Project() = default;

const Node* Project::find(const std::string& unique_id) const {
  auto found = by_id_.find(unique_id);
  return found == by_id_.end() ? nullptr : found->second;
}

const Node* Project::find_ref(const std::string& package, const std::string& name) const {
  if (!package.empty() && package != file_.name) return nullptr;
  auto found = refs_.find(name);
  if (found == refs_.end() || !found->second->config.enabled()) return nullptr;
  return found->second;
}

const Node* Project::find_source(const std::string& source, const std::string& table) const {
  auto found = sources_.find(source + "." + table);
  return found == sources_.end() ? nullptr : found->second;
}

const Target& Project::target(const std::string& output) const {
  auto found = targets_.find(output);
  if (found == targets_.end()) {
    throw InternalError(fmt::format("output '{}' is not a target of this project", output));
  }
  return found->second;
}

const OutputConfig& Project::output_config(const std::string& output) const {
  auto found = outputs_.find(output);
  if (found == outputs_.end()) {
    throw ConfigError(fmt::format("profile '{}' has no output named '{}'", profile_name_, output));
  }
  return found->second;
}

std::string Project::render_raw(const Node& node, const RenderFacts& facts,
                                CompileRecord& record) const {
  NodeContext contexts(*this);
  Value::Map context = contexts.render(node, facts, record);
  jinja::RenderScope scope(context, &record.macro_calls);
  if (!node.test) {
    try {
      return env_->render(node.original_file_path, context);
    } catch (const jinja::TemplateError& error) {
      rethrow_in_file_lines(error, node);
    }
  }
  auto kwargs_template = test_kwargs_template_.find(node.unique_id);
  if (kwargs_template == test_kwargs_template_.end()) {
    throw InternalError("generic test " + node.unique_id + " has no arguments template");
  }
  Value kwargs = env_->call_macro(kwargs_template->second, "__dvt_kwargs", {}, {}, context);
  const MacroInfo* macro = macros_->find("test_" + node.test->name, node.test->macro_namespace);
  if (macro == nullptr) {
    throw ConfigError(
        fmt::format("{}: no generic test named '{}'", node.location(), node.test->name));
  }
  jinja::Arguments arguments;
  arguments.keywords = kwargs.as_map();
  return jinja::python_str(macro->callable->call(arguments));
}

Project::Compiled Project::compile_node(const Node& node, const RenderFacts& facts) const {
  Compiled compiled;
  CompileRecord record;
  compiled.pre_injected = render_raw(node, facts, record);
  for (const auto& id : record.ephemerals) {
    const Node* ephemeral = find(id);
    if (ephemeral == nullptr) continue;
    Compiled inner = compile_node(*ephemeral, RenderFacts{});
    for (const auto& [inner_id, sql] : inner.ctes) add_cte(compiled.ctes, inner_id, sql);
    add_cte(compiled.ctes, id,
            fmt::format(" __dbt__cte__{} as (\n{}\n)", ephemeral->relation.identifier,
                        inner.pre_injected));
  }
  compiled.sql = inject_ctes(compiled.pre_injected, compiled.ctes);
  compiled.macro_calls = std::move(record.macro_calls);
  return compiled;
}

std::string Project::render(const Node& node, const RenderFacts& facts) const {
  return compile(node, facts).code;
}

CompiledNode Project::compile(const Node& node, const RenderFacts& facts) const {
  CompiledNode result;
  result.macros = node.depends_on.macros;
  if (node.resource_type == ResourceType::kSeed || node.resource_type == ResourceType::kSource) {
    return result;
  }
  Compiled compiled = compile_node(node, facts);
  result.code = std::move(compiled.sql);
  for (const auto& macro : compiled.macro_calls) {
    if (std::find(result.macros.begin(), result.macros.end(), macro) == result.macros.end()) {
      result.macros.push_back(macro);
    }
  }
  return result;
}

TestQuery Project::test_query(const Node& node, const RenderFacts& facts) const {
  if (node.resource_type != ResourceType::kTest) {
    throw InternalError(node.unique_id + " is not a test");
  }
  TestQuery query;
  query.failing_rows_sql = render(node, facts);
  query.severity = node.config.severity();
  query.warn_if = node.config.warn_if();
  query.error_if = node.config.error_if();
  query.fail_calc = node.config.fail_calc();
  query.limit = node.config.limit();
  query.where = node.config.where();
  const MacroInfo* macro = macros_->find("get_test_sql");
  NodeContext contexts(*this);
  CompileRecord record;
  Value::Map context = contexts.render(node, facts, record);
  jinja::RenderScope scope(context, nullptr);
  jinja::Arguments arguments;
  arguments.positional = {query.failing_rows_sql, query.fail_calc, query.warn_if, query.error_if,
                          query.limit ? Value(*query.limit) : Value()};
  query.summary_sql = jinja::python_str(macro->callable->call(arguments));
  return query;
}

}  // namespace dvt
