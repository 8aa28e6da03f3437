// dbt's `config` as models and macros see it: `config(key=value, ...)` (or
// `config({...})`), `config.set(key, value)`, `config.get(key, default)`,
// `config.require(key)`, `config.meta_get(key, default)`.
//
// While a project is parsed a config records its calls (dbt reads a model's
// config() calls by rendering it once); afterwards it answers from the
// node's resolved config and its calls do nothing.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "template/host_object.h"

namespace dvt::jinja {

class ConfigObject : public HostObject {
 public:
  // Receives the keywords of one config() call, in order.
  using Recorder = std::function<void(const Value::Map& keywords)>;

  // Parse time: calls go to `record`; get() answers from `known` (the config
  // the node has so far) updated by the calls made since; require() of a key
  // not known answers '' (dbt does not check it before compile).
  static std::shared_ptr<ConfigObject> recording(Recorder record, Value::Map known);
  // Compile and run time: get() and require() read `resolved`; require() of
  // a missing key is a TemplateError naming it.
  static std::shared_ptr<ConfigObject> resolved(Value::Map resolved);

  Value call(const Arguments& arguments) const override;
  Value call_method(std::string_view name, const Arguments& arguments) const override;
  std::string str() const override { return "<config>"; }

 private:
  ConfigObject(Recorder record, Value::Map config, bool parsing)
      : record_(std::move(record)), config_(std::move(config)), parsing_(parsing) {}
  std::optional<Value> lookup(const std::string& key) const;
  void apply(const Value::Map& keywords) const;

  Recorder record_;
  mutable std::mutex mutex_;
  mutable Value::Map config_;
  bool parsing_;
};

}  // namespace dvt::jinja
