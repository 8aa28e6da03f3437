// Errors of templates: the user's input is wrong (exit code 2, like every
// ConfigError), so each says where: the template's name and line.
#pragma once

#include <string>
#include <utility>

#include "core/error.h"
#include "template/value.h"

namespace dvt::jinja {

class TemplateError : public ConfigError {
 public:
  enum class Reason {
    kSyntax,     // the template does not parse
    kUndefined,  // an undefined name or attribute was used
    kUnknown,    // unknown filter, test, function, method, macro or template
    kInvalid,    // an operation failed: wrong types or arguments, a bad value
    kRaised,     // C++ raised it (a function, a host object)
  };

  // An error C++ raises from a function or host object; the template's name
  // and line are added where the call happened.
  explicit TemplateError(std::string reason, Reason kind = Reason::kRaised)
      : TemplateError(std::move(reason), kind, "", 0) {}
  TemplateError(std::string reason, Reason kind, std::string template_name, int line)
      : ConfigError(format(reason, template_name, line)),
        reason_(std::move(reason)),
        kind_(kind),
        template_name_(std::move(template_name)),
        line_(line) {}

  const char* kind() const override { return "template"; }
  // The message without its location.
  const std::string& reason() const { return reason_; }
  Reason reason_kind() const { return kind_; }
  // Empty and 0 when unknown.
  const std::string& template_name() const { return template_name_; }
  int line() const { return line_; }
  bool has_location() const { return !template_name_.empty(); }

 private:
  static std::string format(const std::string& reason, const std::string& name, int line) {
    if (name.empty()) return reason;
    return name + ":" + std::to_string(line) + ": " + reason;
  }

  std::string reason_;
  Reason kind_;
  std::string template_name_;
  int line_;
};

// Thrown by a function (dbt's `return()`) to end the macro call that
// Environment::call_macro is running, which then evaluates to `value`. Thrown
// outside such a call it is a TemplateError.
class MacroReturn {
 public:
  explicit MacroReturn(Value value) : value_(std::move(value)) {}
  const Value& value() const { return value_; }

 private:
  Value value_;
};

}  // namespace dvt::jinja
