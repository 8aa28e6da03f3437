#include "template/value.h"

#include "template/host_object.h"
#include "template/template_error.h"

namespace dvt::jinja {

namespace {

[[noreturn]] void wrong_kind(const Value& value, const char* wanted) {
  throw TemplateError(std::string("expected a ") + wanted + ", got a " + value.kind_name(),
                      TemplateError::Reason::kInvalid);
}

}  // namespace

bool Value::as_bool() const {
  if (kind() != Kind::kBool) wrong_kind(*this, "bool");
  return std::get<bool>(data_);
}

int64_t Value::as_int() const {
  if (kind() != Kind::kInt) wrong_kind(*this, "integer");
  return std::get<int64_t>(data_);
}

double Value::as_double() const {
  if (kind() == Kind::kInt) return static_cast<double>(std::get<int64_t>(data_));
  if (kind() != Kind::kDouble) wrong_kind(*this, "number");
  return std::get<double>(data_);
}

const std::string& Value::as_string() const {
  if (kind() != Kind::kString) wrong_kind(*this, "string");
  return std::get<std::string>(data_);
}

const Value::List& Value::as_list() const {
  if (kind() != Kind::kList) wrong_kind(*this, "list");
  return std::get<List>(data_);
}

const Value::Map& Value::as_map() const {
  if (kind() != Kind::kMap) wrong_kind(*this, "map");
  return std::get<Map>(data_);
}

const std::shared_ptr<HostObject>& Value::as_host() const {
  if (kind() != Kind::kHost) wrong_kind(*this, "host object");
  return std::get<std::shared_ptr<HostObject>>(data_);
}

const Value* Value::find(std::string_view key) const {
  if (kind() != Kind::kMap) return nullptr;
  for (const auto& [name, value] : std::get<Map>(data_)) {
    if (name == key) return &value;
  }
  return nullptr;
}

const char* Value::kind_name() const {
  switch (kind()) {
    case Kind::kNull:
      return "none";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "integer";
    case Kind::kDouble:
      return "float";
    case Kind::kString:
      return "string";
    case Kind::kList:
      return "list";
    case Kind::kMap:
      return "map";
    case Kind::kHost:
      return "host object";
  }
  return "value";
}

const Value* Arguments::keyword(std::string_view name) const {
  for (const auto& [key, value] : keywords) {
    if (key == name) return &value;
  }
  return nullptr;
}

const Value* Arguments::get(size_t index, std::string_view name) const {
  if (index < positional.size()) return &positional[index];
  return keyword(name);
}

Value HostObject::call_method(std::string_view name, const Arguments&) const {
  throw TemplateError(str() + " has no method named " + std::string(name),
                      TemplateError::Reason::kUnknown);
}

Value HostObject::call(const Arguments&) const {
  throw TemplateError(str() + " is not callable", TemplateError::Reason::kInvalid);
}

}  // namespace dvt::jinja
