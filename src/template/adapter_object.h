// dbt's `adapter` for one database family: quote() in its dialect,
// dispatch() to the family's or the default implementation of a macro, and
// type(). Methods that need a database (get_relation, get_columns_in_relation,
// ...) go to a handler that the run layer may give; without one they are a
// TemplateError saying so.
#pragma once

#include <functional>
#include <string>

#include "connectors/dialect.h"
#include "template/host_object.h"

namespace dvt::jinja {

class AdapterObject : public HostObject {
 public:
  // Finds the macro adapter.dispatch(name, namespace) calls (empty namespace:
  // none given) for `adapter_type`; throws TemplateError when there is none.
  using Dispatcher = std::function<Value(const std::string& adapter_type, const std::string& name,
                                         const std::string& macro_namespace)>;
  // Answers a method that needs the database.
  using DatabaseMethods = std::function<Value(std::string_view method, const Arguments&)>;

  // `dialect` must outlive this object.
  AdapterObject(std::string adapter_type, const Dialect* dialect, Dispatcher dispatcher,
                DatabaseMethods database = nullptr);

  Value call_method(std::string_view name, const Arguments& arguments) const override;
  std::string str() const override { return "<adapter " + type_ + ">"; }

 private:
  std::string type_;
  const Dialect* dialect_;
  Dispatcher dispatcher_;
  DatabaseMethods database_;
};

}  // namespace dvt::jinja
