// C++ objects that templates see: a relation from ref(), dbt's `adapter`, a
// function. Templates read their attributes (`rel.schema`), call their methods
// (`adapter.quote(x)`), call them (`ref('x')`) and print them (`{{ rel }}`).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "template/value.h"

namespace dvt::jinja {

// What a call passes: `f(a, b, key=c)` is positional {a, b}, keywords {key: c}.
struct Arguments {
  std::vector<Value> positional;
  Value::Map keywords;

  // The keyword `name`, or nullptr.
  const Value* keyword(std::string_view name) const;
  // The positional argument at `index`, else the keyword `name`, else nullptr
  // (Python's way of binding `f(x, default)` and `f(x, default=...)` alike).
  const Value* get(size_t index, std::string_view name) const;
};

// Every method may run on several threads at once (templates render in
// parallel), so an implementation that changes state must lock. A method
// reports failure by throwing: TemplateError for the template's mistakes (the
// template's name and line are added), any other exception to stop the render
// with that exception itself.
class HostObject {
 public:
  virtual ~HostObject() = default;

  // The attribute `name`, or nullopt when there is none (the template sees an
  // undefined value).
  virtual std::optional<Value> attribute(std::string_view /*name*/) const { return std::nullopt; }
  // `object.name(...)`. Default: TemplateError "has no method".
  virtual Value call_method(std::string_view name, const Arguments& arguments) const;
  // `object(...)`. Default: TemplateError "is not callable".
  virtual Value call(const Arguments& arguments) const;
  // What `{{ object }}` prints.
  virtual std::string str() const = 0;
};

using Function = std::function<Value(const Arguments&)>;

// A HostObject that is one callable: what Environment::add_function registers.
class FunctionObject : public HostObject {
 public:
  FunctionObject(std::string name, Function function)
      : name_(std::move(name)), function_(std::move(function)) {}
  Value call(const Arguments& arguments) const override { return function_(arguments); }
  std::string str() const override { return "<function " + name_ + ">"; }

 private:
  std::string name_;
  Function function_;
};

}  // namespace dvt::jinja
