#include "template/environment.h"

#include <dvt_jinja.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

namespace dvt::jinja {

namespace {

using Json = nlohmann::ordered_json;

// The one key of the JSON object that stands for a host object (see
// dvt_jinja.h); a NUL cannot start a key of a dbt project's own data.
const std::string kHostKey("\0host", 5);

// The boxes (heap shared_ptr copies) made for host objects while a value is
// turned into JSON. Until the JSON is handed to the engine they are ours and
// freed here; after commit() the engine owns each and frees it through
// `release`.
class HostHandoff {
 public:
  HostHandoff() = default;
  HostHandoff(const HostHandoff&) = delete;
  HostHandoff& operator=(const HostHandoff&) = delete;
  ~HostHandoff() {
    for (auto* box : boxes_) delete box;
  }
  uint64_t hand_over(const std::shared_ptr<HostObject>& object) {
    boxes_.push_back(new std::shared_ptr<HostObject>(object));
    return reinterpret_cast<uintptr_t>(boxes_.back());
  }
  void commit() { boxes_.clear(); }

 private:
  std::vector<std::shared_ptr<HostObject>*> boxes_;
};

Json to_json(const Value& value, HostHandoff& handoff) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      return nullptr;
    case Value::Kind::kBool:
      return value.as_bool();
    case Value::Kind::kInt:
      return value.as_int();
    case Value::Kind::kDouble:
      return value.as_double();
    case Value::Kind::kString:
      return value.as_string();
    case Value::Kind::kList: {
      Json list = Json::array();
      for (const auto& item : value.as_list()) list.push_back(to_json(item, handoff));
      return list;
    }
    case Value::Kind::kMap: {
      Json map = Json::object();
      for (const auto& [key, item] : value.as_map()) map[key] = to_json(item, handoff);
      return map;
    }
    case Value::Kind::kHost: {
      Json marker = Json::object();
      marker[kHostKey] = handoff.hand_over(value.as_host());
      return marker;
    }
  }
  return nullptr;
}

std::string dump(const Json& json) {
  try {
    return json.dump();
  } catch (const Json::exception&) {
    throw DataError("a value passed to a template is not valid UTF-8");
  }
}

std::string to_json_text(const Value& value, HostHandoff& handoff) {
  return dump(to_json(value, handoff));
}

// Host objects in JSON from the engine: borrowed for a callback (this takes a
// reference of its own) or, in a call's result, references handed to us.
enum class HostRefs { kBorrowed, kOwned };

Value from_json(const Json& json, HostRefs refs) {
  switch (json.type()) {
    case Json::value_t::null:
      return Value();
    case Json::value_t::boolean:
      return Value(json.get<bool>());
    case Json::value_t::number_integer:
      return Value(json.get<int64_t>());
    case Json::value_t::number_unsigned: {
      uint64_t number = json.get<uint64_t>();
      if (number <= static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<int64_t>(number));
      return Value(static_cast<double>(number));
    }
    case Json::value_t::number_float:
      return Value(json.get<double>());
    case Json::value_t::string:
      return Value(json.get<std::string>());
    case Json::value_t::array: {
      Value::List list;
      list.reserve(json.size());
      for (const auto& item : json) list.push_back(from_json(item, refs));
      return Value(std::move(list));
    }
    case Json::value_t::object: {
      if (json.size() == 1) {
        auto marker = json.find(kHostKey);
        if (marker != json.end()) {
          auto* box = reinterpret_cast<std::shared_ptr<HostObject>*>(
              static_cast<uintptr_t>(marker->get<uint64_t>()));
          if (refs == HostRefs::kBorrowed) return Value(*box);
          Value owned(std::move(*box));
          delete box;
          return owned;
        }
      }
      Value::Map map;
      map.reserve(json.size());
      for (const auto& [key, item] : json.items()) map.emplace_back(key, from_json(item, refs));
      return Value(std::move(map));
    }
    default:
      throw InternalError("the template engine returned a JSON value of an unknown type");
  }
}

Arguments arguments_from_json(std::string_view text) {
  Json json = Json::parse(text);
  Arguments arguments;
  for (const auto& item : json.at("args")) {
    arguments.positional.push_back(from_json(item, HostRefs::kBorrowed));
  }
  for (const auto& [key, item] : json.at("kwargs").items()) {
    arguments.keywords.emplace_back(key, from_json(item, HostRefs::kBorrowed));
  }
  return arguments;
}

// The exception a callback threw on this thread, kept for the API call that
// is running (they nest: a function may call a macro).
thread_local std::exception_ptr callback_failure;

class CallbackScope {
 public:
  CallbackScope() : outer_(std::exchange(callback_failure, nullptr)) {}
  ~CallbackScope() { callback_failure = std::move(outer_); }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;
  const std::exception_ptr& failure() const { return callback_failure; }

 private:
  std::exception_ptr outer_;
};

void answer_value(DvtJinjaOut* out, const Value& value) {
  HostHandoff handoff;
  std::string json = to_json_text(value, handoff);
  handoff.commit();
  dvt_jinja_out_value(out, json.data(), json.size());
}

// Runs a callback's body; no exception leaves it. A MacroReturn becomes the
// engine's return signal; any other exception is kept for the C++ caller of
// the API and its message goes to the engine as the error.
template <typename Body>
void answer(DvtJinjaOut* out, Body&& body) noexcept {
  try {
    try {
      body();
    } catch (const MacroReturn& signal) {
      HostHandoff handoff;
      std::string json = to_json_text(signal.value(), handoff);
      handoff.commit();
      dvt_jinja_out_return(out, json.data(), json.size());
    }
  } catch (...) {
    callback_failure = std::current_exception();
    try {
      std::rethrow_exception(callback_failure);
    } catch (const std::exception& error) {
      dvt_jinja_out_error(out, error.what(), std::strlen(error.what()));
    } catch (...) {
      static const char kUnknown[] = "a host callback threw an unknown exception";
      dvt_jinja_out_error(out, kUnknown, sizeof(kUnknown) - 1);
    }
  }
}

const HostObject& host_of(void* object) {
  return **static_cast<std::shared_ptr<HostObject>*>(object);
}

extern "C" void host_get_attr(void* object, const char* name, size_t name_len, DvtJinjaOut* out) {
  answer(out, [&] {
    std::optional<Value> value = host_of(object).attribute(std::string_view(name, name_len));
    if (value) answer_value(out, *value);
  });
}

extern "C" void host_call(void* object, const char* method, size_t method_len, const char* args,
                          size_t args_len, DvtJinjaOut* out) {
  answer(out, [&] {
    Arguments arguments = arguments_from_json(std::string_view(args, args_len));
    const HostObject& host = host_of(object);
    answer_value(out, method == nullptr
                          ? host.call(arguments)
                          : host.call_method(std::string_view(method, method_len), arguments));
  });
}

extern "C" void host_render(void* object, DvtJinjaOut* out) {
  answer(out, [&] {
    std::string text = host_of(object).str();
    dvt_jinja_out_text(out, text.data(), text.size());
  });
}

extern "C" void host_release(void* object) {
  delete static_cast<std::shared_ptr<HostObject>*>(object);
}

extern "C" void* host_retain(void* object) {
  return new std::shared_ptr<HostObject>(*static_cast<std::shared_ptr<HostObject>*>(object));
}

const DvtJinjaHostVtable kHostVtable{host_get_attr, host_call, host_render, host_release,
                                     host_retain};

// One owner of an API call's result strings.
class Result {
 public:
  Result() = default;
  ~Result() { dvt_jinja_result_free(&raw_); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  DvtJinjaResult* get() { return &raw_; }
  int32_t status() const { return raw_.status; }
  std::string_view text() const { return {raw_.text, raw_.text_len}; }
  std::string template_name() const { return {raw_.template_name, raw_.template_name_len}; }
  int line() const { return static_cast<int>(raw_.line); }

 private:
  DvtJinjaResult raw_{};
};

TemplateError::Reason reason_of(int32_t status) {
  switch (status) {
    case DVT_JINJA_SYNTAX:
      return TemplateError::Reason::kSyntax;
    case DVT_JINJA_UNDEFINED:
      return TemplateError::Reason::kUndefined;
    case DVT_JINJA_UNKNOWN:
      return TemplateError::Reason::kUnknown;
    case DVT_JINJA_HOST:
      return TemplateError::Reason::kRaised;
    default:
      return TemplateError::Reason::kInvalid;
  }
}

// Turns a failed result into the exception: the callback's own when one
// failed, with the location added to a TemplateError that had none.
void check(Result& result, const CallbackScope& scope) {
  if (result.status() == DVT_JINJA_OK) return;
  if (scope.failure()) {
    try {
      std::rethrow_exception(scope.failure());
    } catch (const TemplateError& error) {
      if (error.has_location() || result.template_name().empty()) throw;
      throw TemplateError(error.reason(), error.reason_kind(), result.template_name(),
                          result.line());
    }
  }
  if (result.status() == DVT_JINJA_INTERNAL) {
    throw InternalError("template engine: " + std::string(result.text()));
  }
  std::string reason(result.text());
  if (result.status() == DVT_JINJA_RETURN_OUTSIDE_MACRO) {
    reason = "return() used outside of a macro call";
  }
  throw TemplateError(reason, reason_of(result.status()), result.template_name(), result.line());
}

std::string map_json(const Value::Map& map, HostHandoff& handoff) {
  Json json = Json::object();
  for (const auto& [key, item] : map) json[key] = to_json(item, handoff);
  return dump(json);
}

}  // namespace

void Environment::Deleter::operator()(DvtJinjaEnv* env) const {
  dvt_jinja_env_free(env);
}

Environment::Environment(const Whitespace& whitespace, Undefined undefined)
    : env_(dvt_jinja_env_new(&kHostVtable)) {
  if (!env_) throw InternalError("the template engine could not create an environment");
  dvt_jinja_env_set_whitespace(env_.get(), whitespace.trim_blocks, whitespace.lstrip_blocks,
                               whitespace.keep_trailing_newline);
  dvt_jinja_env_set_semi_strict(env_.get(), undefined == Undefined::kSemiStrict);
}

Environment::~Environment() = default;

void Environment::add_template(std::string_view name, std::string_view source) {
  CallbackScope scope;
  Result result;
  dvt_jinja_env_add_template(env_.get(), name.data(), name.size(), source.data(), source.size(),
                             result.get());
  check(result, scope);
}

void Environment::add_global(std::string_view name, const Value& value) {
  HostHandoff handoff;
  std::string json = to_json_text(value, handoff);
  CallbackScope scope;
  Result result;
  handoff.commit();
  dvt_jinja_env_add_global(env_.get(), name.data(), name.size(), json.data(), json.size(),
                           result.get());
  check(result, scope);
}

void Environment::add_function(std::string_view name, Function function) {
  add_global(name, Value(std::make_shared<FunctionObject>(std::string(name), std::move(function))));
}

void Environment::add_filter(std::string_view name, Function function) {
  Value callee(std::make_shared<FunctionObject>(std::string(name), std::move(function)));
  HostHandoff handoff;
  std::string json = to_json_text(callee, handoff);
  CallbackScope scope;
  Result result;
  handoff.commit();
  dvt_jinja_env_add_filter(env_.get(), name.data(), name.size(), json.data(), json.size(),
                           result.get());
  check(result, scope);
}

std::string Environment::render(std::string_view name, const Value::Map& context) const {
  HostHandoff handoff;
  std::string json = map_json(context, handoff);
  CallbackScope scope;
  Result result;
  handoff.commit();
  dvt_jinja_env_render(env_.get(), name.data(), name.size(), json.data(), json.size(),
                       result.get());
  check(result, scope);
  return std::string(result.text());
}

Value Environment::call_macro(std::string_view template_name, std::string_view macro,
                              const std::vector<Value>& arguments, const Value::Map& keywords,
                              const Value::Map& context) const {
  HostHandoff handoff;
  std::string args_json = to_json_text(Value(Value::List(arguments)), handoff);
  std::string kwargs_json = map_json(keywords, handoff);
  std::string context_json = map_json(context, handoff);
  CallbackScope scope;
  Result result;
  handoff.commit();
  dvt_jinja_env_call_macro(env_.get(), template_name.data(), template_name.size(), macro.data(),
                           macro.size(), args_json.data(), args_json.size(), kwargs_json.data(),
                           kwargs_json.size(), context_json.data(), context_json.size(),
                           result.get());
  check(result, scope);
  return from_json(Json::parse(result.text()), HostRefs::kOwned);
}

}  // namespace dvt::jinja
