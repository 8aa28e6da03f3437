#include "template/adapter_object.h"

#include <fmt/format.h>

#include "template/python_text.h"
#include "template/template_error.h"

namespace dvt::jinja {

AdapterObject::AdapterObject(std::string adapter_type, const Dialect* dialect,
                             Dispatcher dispatcher, DatabaseMethods database)
    : type_(std::move(adapter_type)),
      dialect_(dialect),
      dispatcher_(std::move(dispatcher)),
      database_(std::move(database)) {}

Value AdapterObject::call_method(std::string_view name, const Arguments& arguments) const {
  auto text_argument = [&](size_t index, std::string_view key) {
    const Value* value = arguments.get(index, key);
    if (value == nullptr) {
      throw TemplateError(fmt::format("adapter.{}() needs the argument '{}'", name, key),
                          TemplateError::Reason::kInvalid);
    }
    return python_str(*value);
  };
  if (name == "quote" || name == "quote_as_configured") {
    return Value(dialect_->quote(text_argument(0, "identifier")));
  }
  if (name == "quote_seed_column") {
    std::string column = text_argument(0, "column");
    const Value* quote = arguments.get(1, "quote_config");
    bool quoted = quote == nullptr || quote->is_null() || quote->as_bool();
    return Value(quoted ? dialect_->quote(column) : column);
  }
  if (name == "type") return Value(type_);
  if (name == "dispatch") {
    std::string macro = text_argument(0, "macro_name");
    const Value* space = arguments.get(1, "macro_namespace");
    std::string macro_namespace = space && !space->is_null() ? python_str(*space) : "";
    return dispatcher_(type_, macro, macro_namespace);
  }
  if (database_) return database_(name, arguments);
  throw TemplateError(
      fmt::format("adapter.{}() needs a connection to the database, which is not open while "
                  "compiling (guard it with {{% if execute %}} and run it with dvt run)",
                  name),
      TemplateError::Reason::kUnknown);
}

}  // namespace dvt::jinja
