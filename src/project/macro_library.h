// The macros a project's templates can call: dbt's own (package "dbt") and the
// project's (macros/**/*.sql, tests/generic/*.sql), each a global of the
// template environment that runs with the caller's context (jinja::Macro).
//
// dbt resolves a macro name to the root project's macro first, then dbt's, so
// a project overrides generate_schema_name or test_unique by defining it.
// adapter.dispatch(name, namespace) looks for <adapter>__name and then
// default__name, in the project and then in the namespace.
//
// A macro file is compiled after a rewrite that keeps every line: `{% test
// x(...) %}` becomes `{% macro test_x(...) %}` (and `{% endtest %}`
// `{% endmacro %}`), and each definition takes a private name so that a call
// between macros of one file goes through the global as well (its `return()`
// then ends only the macro called).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "template/environment.h"
#include "template/macro_call.h"

namespace dvt {

struct MacroInfo {
  std::string name;                // as templates call it: "generate_schema_name", "test_unique"
  std::string package;             // "dbt" or the project's name
  std::string unique_id;           // macro.<package>.<name>
  std::string path;                // as dbt gives it ("macros/x.sql")
  std::string original_file_path;  // relative to its package
  std::string macro_sql;           // the definition as written
  int line = 0;                    // of the definition
  std::shared_ptr<jinja::Macro> callable;
};

class MacroLibrary {
 public:
  // `env` must outlive the library; `root_package` is the project's name.
  MacroLibrary(jinja::Environment& env, std::string root_package);

  // Adds dbt's macros.
  void add_builtins();
  // Compiles one macro file of `package`. Throws ConfigError naming the file
  // and line for a block dvt does not support (materialization, snapshot) and
  // TemplateError for a syntax error.
  void add_file(const std::string& package, const std::string& original_file_path,
                const std::string& text);
  // Makes every macro a global of the environment (the root project's first)
  // and adds the namespaces `dbt` and `<project>` (dbt.current_timestamp()).
  void publish();

  // The macro `name` of `package` (empty: the root project's, else dbt's).
  const MacroInfo* find(const std::string& name, const std::string& package = "") const;
  // adapter.dispatch: the callable found for `adapter_type`. Throws
  // TemplateError naming what was searched when there is none.
  jinja::Value dispatch(const std::string& adapter_type, const std::string& name,
                        const std::string& macro_namespace) const;

  // Every macro, in the order added.
  const std::vector<std::unique_ptr<MacroInfo>>& macros() const { return macros_; }

 private:
  jinja::Environment& env_;
  std::string root_package_;
  std::vector<std::unique_ptr<MacroInfo>> macros_;
  std::map<std::pair<std::string, std::string>, const MacroInfo*> by_package_name_;
};

// The template name a macro file is compiled as ("<package>://<path>").
std::string macro_template_name(const std::string& package, const std::string& path);

}  // namespace dvt
