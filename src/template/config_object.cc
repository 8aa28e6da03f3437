#include "template/config_object.h"

#include <fmt/format.h>

#include "template/template_error.h"

namespace dvt::jinja {

std::shared_ptr<ConfigObject> ConfigObject::recording(Recorder record, Value::Map known) {
  return std::shared_ptr<ConfigObject>(new ConfigObject(std::move(record), std::move(known), true));
}

std::shared_ptr<ConfigObject> ConfigObject::resolved(Value::Map resolved) {
  return std::shared_ptr<ConfigObject>(new ConfigObject(nullptr, std::move(resolved), false));
}

std::optional<Value> ConfigObject::lookup(const std::string& key) const {
  std::lock_guard lock(mutex_);
  for (const auto& [name, value] : config_) {
    if (name == key) return value;
  }
  return std::nullopt;
}

void ConfigObject::apply(const Value::Map& keywords) const {
  if (!parsing_) return;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, value] : keywords) {
      bool replaced = false;
      for (auto& [name, known] : config_) {
        if (name == key) {
          known = value;
          replaced = true;
        }
      }
      if (!replaced) config_.emplace_back(key, value);
    }
  }
  record_(keywords);
}

Value ConfigObject::call(const Arguments& arguments) const {
  Value::Map keywords = arguments.keywords;
  for (const auto& positional : arguments.positional) {
    if (positional.kind() != Value::Kind::kMap) {
      throw TemplateError(
          fmt::format("config() takes keywords or one dict, not a {}", positional.kind_name()),
          TemplateError::Reason::kInvalid);
    }
    for (const auto& entry : positional.as_map()) keywords.push_back(entry);
  }
  apply(keywords);
  return Value("");
}

Value ConfigObject::call_method(std::string_view name, const Arguments& arguments) const {
  auto key_of = [&](std::string_view method) {
    const Value* key = arguments.get(0, "name");
    if (key == nullptr || !key->is_string()) {
      throw TemplateError(fmt::format("config.{}() needs a key name", method),
                          TemplateError::Reason::kInvalid);
    }
    return key->as_string();
  };
  if (name == "get") {
    std::optional<Value> value = lookup(key_of("get"));
    if (value && !value->is_null()) return *value;
    const Value* fallback = arguments.get(1, "default");
    return fallback ? *fallback : Value();
  }
  if (name == "require") {
    std::string key = key_of("require");
    std::optional<Value> value = lookup(key);
    if (value && !value->is_null()) return *value;
    if (parsing_) return Value("");
    throw TemplateError(fmt::format("required config '{}' was not found", key));
  }
  if (name == "set") {
    const Value* value = arguments.get(1, "value");
    apply({{key_of("set"), value ? *value : Value()}});
    return Value("");
  }
  if (name == "meta_get") {
    std::string key = key_of("meta_get");
    std::optional<Value> meta = lookup("meta");
    if (meta && meta->kind() == Value::Kind::kMap) {
      if (const Value* found = meta->find(key)) return *found;
    }
    const Value* fallback = arguments.get(1, "default");
    return fallback ? *fallback : Value();
  }
  if (name == "persist_relation_docs" || name == "persist_column_docs") return Value(false);
  return HostObject::call_method(name, arguments);
}

}  // namespace dvt::jinja
