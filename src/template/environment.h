// Jinja templates, rendered by MiniJinja (rust/dvt_jinja) through its C ABI.
// One Environment owns the engine's handle and every string it hands out.
//
// Undefined values are strict: printing, iterating, testing the truth of or
// reading an attribute of an undefined name is a TemplateError naming the
// template, the line and the construct; `is defined`, `default` and `get`
// are the ways to ask (docs/templating.md). The semi-strict rule (what dbt
// projects get) differs in one place: a condition treats an undefined
// operand as false.
//
// Thread safety: set the environment up (add_template, add_global,
// add_function) from one thread; render and call_macro may then run on any
// number of threads at once, and so call functions and host objects
// concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "template/host_object.h"
#include "template/template_error.h"
#include "template/value.h"

struct DvtJinjaEnv;

namespace dvt::jinja {

// Jinja2's whitespace options; dbt leaves all three off, and so does the
// default.
struct Whitespace {
  bool trim_blocks = false;
  bool lstrip_blocks = false;
  bool keep_trailing_newline = false;
};

// What using an undefined value does.
enum class Undefined {
  // Every use fails but `is defined`, `default` and `get`.
  kStrict,
  // As strict, except that an operand of a condition (`{% if %}`,
  // `{% elif %}`, an inline if, a loop filter; each side of its `and`/`or`,
  // under its `not`s) that is undefined is false: `{% if not x %}` and
  // `{% if model.config.k %}` work as in Jinja2. Printing, iterating, taking
  // an attribute of an undefined value and passing it to a function fail.
  kSemiStrict,
};

class Environment {
 public:
  explicit Environment(const Whitespace& whitespace = {}, Undefined undefined = Undefined::kStrict);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  // Compiles `source` as the template `name` (include, import and
  // call_macro refer to it by that name), replacing one of the same name.
  // REQUIRES: no render or call_macro is running.
  // Throws TemplateError (kSyntax) with the line when it does not parse.
  void add_template(std::string_view name, std::string_view source);

  // Makes `value` visible to every template as `name`.
  // REQUIRES: no render or call_macro is running.
  void add_global(std::string_view name, const Value& value);

  // A global function: `name(...)` in a template calls `function`.
  // REQUIRES: no render or call_macro is running.
  void add_function(std::string_view name, Function function);

  // A filter: `value | name(a, b)` calls `function` with the positional
  // arguments (value, a, b) and the keywords given.
  // REQUIRES: no render or call_macro is running.
  void add_filter(std::string_view name, Function function);

  // Renders the template `name` with `context` (names visible to it besides
  // the globals).
  // Throws TemplateError for the template's errors, with the template and line
  // where it happened (an error a function raised without a location gets the
  // line of the call); any other exception a function or host object threw,
  // itself (its type and message unchanged).
  std::string render(std::string_view name, const Value::Map& context = {}) const;

  // Calls the macro `macro` of template `template_name` (its top level
  // evaluated with `context`) and returns its value: the text it rendered, as
  // a string, or the value a function passed to MacroReturn during the call
  // (dbt's `return()`), of any kind.
  // Throws as render does; TemplateError (kUnknown) when there is no such
  // template or macro.
  Value call_macro(std::string_view template_name, std::string_view macro,
                   const std::vector<Value>& arguments = {}, const Value::Map& keywords = {},
                   const Value::Map& context = {}) const;

 private:
  struct Deleter {
    void operator()(DvtJinjaEnv* env) const;
  };
  std::unique_ptr<DvtJinjaEnv, Deleter> env_;
};

}  // namespace dvt::jinja
