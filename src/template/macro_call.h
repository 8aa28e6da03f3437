// Project macros as dbt calls them. dbt wraps every macro of a project in a
// MacroGenerator: calling it renders the macro with the context of the node
// being rendered (its `this`, `config`, `model`, ...), and a `return()` in it
// ends that call only. Here a Macro is a host object whose call runs
// Environment::call_macro with the context of the render running on the
// calling thread (a RenderScope).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "template/environment.h"

namespace dvt::jinja {

// The render running on this thread: the context its macros see, and the
// list that records the macros it calls itself (depth 0; dbt's
// depends_on.macros). Scopes nest (a render inside a function); the innermost
// is current. Not shared between threads.
class RenderScope {
 public:
  // `context` and `macro_calls` (may be null) must outlive the scope.
  RenderScope(const Value::Map& context, std::vector<std::string>* macro_calls);
  ~RenderScope();
  RenderScope(const RenderScope&) = delete;
  RenderScope& operator=(const RenderScope&) = delete;

  // The innermost scope of this thread, or nullptr.
  static RenderScope* current();

  const Value::Map& context() const { return context_; }
  // Records that the render itself (not a macro it called) used the macro
  // `unique_id`: for functions C++ implements in place of a dbt macro, such
  // as is_incremental.
  void record_call(const std::string& unique_id);

 private:
  friend class Macro;
  const Value::Map& context_;
  std::vector<std::string>* macro_calls_;
  int depth_ = 0;  // macro calls in progress
  RenderScope* outer_;
};

class Macro : public HostObject {
 public:
  // The macro `defined_name` of template `template_name` in `env` (which must
  // outlive this object); `unique_id` is dbt's ("macro.<package>.<name>").
  Macro(const Environment* env, std::string template_name, std::string defined_name,
        std::string unique_id);

  const std::string& unique_id() const { return unique_id_; }

  // Runs the macro with the current RenderScope's context (or none) and
  // returns its value: the text it rendered, or what it passed to return().
  // Throws as Environment::call_macro does.
  Value call(const Arguments& arguments) const override;
  std::string str() const override { return "<macro " + unique_id_ + ">"; }

 private:
  const Environment* env_;
  std::string template_name_;
  std::string defined_name_;
  std::string unique_id_;
};

}  // namespace dvt::jinja
