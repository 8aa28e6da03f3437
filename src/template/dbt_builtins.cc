#include "template/dbt_builtins.h"

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "core/digest.h"
#include "core/log.h"
#include "template/python_text.h"
#include "template/value_convert.h"

namespace dvt::jinja {

namespace {

const Value& required(const Arguments& arguments, size_t index, std::string_view name,
                      std::string_view function) {
  const Value* value = arguments.get(index, name);
  if (value == nullptr) {
    throw TemplateError(fmt::format("{}() needs the argument '{}'", function, name),
                        TemplateError::Reason::kInvalid);
  }
  return *value;
}

std::string text_of(const Value& value) {
  return python_str(value);
}

// Python's json.dumps: ", " and ": " separators, ASCII only, keys unsorted.
void write_python_json(const Value& value, std::string& out) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      out += "null";
      return;
    case Value::Kind::kBool:
      out += value.as_bool() ? "true" : "false";
      return;
    case Value::Kind::kInt:
      out += std::to_string(value.as_int());
      return;
    case Value::Kind::kDouble:
      out += python_float(value.as_double());
      return;
    case Value::Kind::kList: {
      out += '[';
      bool first = true;
      for (const auto& item : value.as_list()) {
        if (!first) out += ", ";
        first = false;
        write_python_json(item, out);
      }
      out += ']';
      return;
    }
    case Value::Kind::kMap: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.as_map()) {
        if (!first) out += ", ";
        first = false;
        write_python_json(Value(key), out);
        out += ": ";
        write_python_json(item, out);
      }
      out += '}';
      return;
    }
    case Value::Kind::kString:
    case Value::Kind::kHost: {
      std::string text = value.kind() == Value::Kind::kString ? value.as_string() : text_of(value);
      std::string ascii = Json(text).dump(-1, ' ', true);
      out += ascii;
      return;
    }
  }
}

// dbt's datetime objects (run_started_at): print as Python's str() of an
// aware UTC datetime; strftime, isoformat, timestamp and the fields.
class DateTime : public HostObject {
 public:
  explicit DateTime(std::chrono::system_clock::time_point at) {
    auto since = at.time_since_epoch();
    seconds_ = std::chrono::duration_cast<std::chrono::seconds>(since).count();
    micros_ = static_cast<int>(
        std::chrono::duration_cast<std::chrono::microseconds>(since).count() % 1000000);
    std::time_t t = static_cast<std::time_t>(seconds_);
    gmtime_r(&t, &tm_);
  }

  std::optional<Value> attribute(std::string_view name) const override {
    if (name == "year") return Value(tm_.tm_year + 1900);
    if (name == "month") return Value(tm_.tm_mon + 1);
    if (name == "day") return Value(tm_.tm_mday);
    if (name == "hour") return Value(tm_.tm_hour);
    if (name == "minute") return Value(tm_.tm_min);
    if (name == "second") return Value(tm_.tm_sec);
    if (name == "microsecond") return Value(micros_);
    return std::nullopt;
  }

  Value call_method(std::string_view name, const Arguments& arguments) const override {
    if (name == "strftime")
      return Value(strftime(required(arguments, 0, "format", "strftime").as_string()));
    if (name == "isoformat") return Value(strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"));
    if (name == "timestamp") return Value(static_cast<double>(seconds_) + micros_ / 1e6);
    if (name == "date") return Value(strftime("%Y-%m-%d"));
    return HostObject::call_method(name, arguments);
  }

  std::string str() const override { return strftime("%Y-%m-%d %H:%M:%S.%f+00:00"); }

 private:
  // C's strftime plus Python's %f (microseconds).
  std::string strftime(const std::string& format) const {
    std::string expanded;
    for (size_t i = 0; i < format.size(); ++i) {
      if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == 'f') {
        expanded += fmt::format("{:06d}", micros_);
        ++i;
      } else if (format[i] == '%' && i + 1 < format.size() && format[i + 1] == '%') {
        expanded += "%%";
        ++i;
      } else {
        expanded += format[i];
      }
    }
    char buffer[512];
    size_t length = std::strftime(buffer, sizeof(buffer), expanded.c_str(), &tm_);
    return std::string(buffer, length);
  }

  int64_t seconds_ = 0;
  int micros_ = 0;
  std::tm tm_{};
};

// dbt's `exceptions`.
class Exceptions : public HostObject {
 public:
  Value call_method(std::string_view name, const Arguments& arguments) const override {
    const Value* message = arguments.get(0, "msg");
    std::string text = message ? text_of(*message) : std::string();
    if (name == "raise_compiler_error") throw TemplateError(text, TemplateError::Reason::kRaised);
    if (name == "raise_not_implemented") {
      throw TemplateError("not implemented: " + text, TemplateError::Reason::kRaised);
    }
    if (name == "warn") {
      log_warn("template.warn", text);
      return Value("");
    }
    return HostObject::call_method(name, arguments);
  }
  std::string str() const override { return "<exceptions>"; }
};

Value as_bool(const Value& value) {
  if (value.kind() == Value::Kind::kBool) return value;
  if (value.is_string()) {
    const std::string& text = value.as_string();
    if (text == "true" || text == "True") return Value(true);
    if (text == "false" || text == "False") return Value(false);
  }
  throw TemplateError(fmt::format("as_bool: {} is not a boolean", python_repr(value)),
                      TemplateError::Reason::kInvalid);
}

Value as_number(const Value& value) {
  if (value.kind() == Value::Kind::kInt || value.kind() == Value::Kind::kDouble) return value;
  if (value.is_string()) {
    const std::string& text = value.as_string();
    char* end = nullptr;
    long long integer = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0') return Value(static_cast<int64_t>(integer));
    double real = std::strtod(text.c_str(), &end);
    if (!text.empty() && *end == '\0') return Value(real);
  }
  throw TemplateError(fmt::format("as_number: {} is not a number", python_repr(value)),
                      TemplateError::Reason::kInvalid);
}

// Python's ast.literal_eval for the literals YAML and JSON share, else the
// text itself (dbt's native rendering).
Value as_native(const Value& value) {
  if (!value.is_string()) return value;
  const std::string& text = value.as_string();
  if (text == "True") return Value(true);
  if (text == "False") return Value(false);
  if (text == "None") return Value();
  try {
    Json json = Json::parse(text);
    if (!json.is_string()) return value_from_json(json);
  } catch (const Json::exception&) {
  }
  return value;
}

}  // namespace

std::string new_invocation_id() {
  std::random_device device;
  std::mt19937_64 random(device());
  uint64_t high = random(), low = random();
  high = (high & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  low = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;    // variant 10
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff,
                     high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

void add_dbt_builtins(Environment& env, const BuiltinsOptions& options) {
  env.add_function("env_var", [](const Arguments& arguments) {
    const std::string& name = required(arguments, 0, "var", "env_var").as_string();
    if (const char* value = std::getenv(name.c_str())) return Value(value);
    if (const Value* fallback = arguments.get(1, "default")) return *fallback;
    throw TemplateError(
        fmt::format("environment variable {} is not set and env_var() gives no default", name));
  });
  env.add_function("return", [](const Arguments& arguments) -> Value {
    const Value* value = arguments.get(0, "value");
    throw MacroReturn(value ? *value : Value());
  });
  env.add_function("log", [](const Arguments& arguments) {
    std::string message = text_of(required(arguments, 0, "msg", "log"));
    const Value* info = arguments.get(1, "info");
    if (info != nullptr && info->kind() == Value::Kind::kBool && info->as_bool()) {
      log_info("template.log", message);
    } else {
      log_debug("template.log", message);
    }
    return Value("");
  });
  env.add_function("print", [](const Arguments& arguments) {
    log_info("template.print", text_of(required(arguments, 0, "msg", "print")));
    return Value("");
  });
  env.add_global("exceptions", Value(std::make_shared<Exceptions>()));
  env.add_global("run_started_at", Value(std::make_shared<DateTime>(options.run_started_at)));
  env.add_global("invocation_id", Value(options.invocation_id));
  env.add_global("flags", Value(options.flags));
  env.add_function("fromjson", [](const Arguments& arguments) {
    const Value& text = required(arguments, 0, "string", "fromjson");
    try {
      return value_from_json(Json::parse(text.as_string()));
    } catch (const Json::exception& error) {
      if (const Value* fallback = arguments.get(1, "default")) return *fallback;
      throw TemplateError(fmt::format("fromjson: not JSON: {}", error.what()),
                          TemplateError::Reason::kInvalid);
    }
  });
  env.add_function("tojson", [](const Arguments& arguments) {
    std::string out;
    write_python_json(required(arguments, 0, "value", "tojson"), out);
    return Value(out);
  });
  env.add_function("fromyaml", [](const Arguments& arguments) {
    const Value& text = required(arguments, 0, "value", "fromyaml");
    try {
      return value_from_yaml(YAML::Load(text.as_string()));
    } catch (const YAML::Exception& error) {
      if (const Value* fallback = arguments.get(1, "default")) return *fallback;
      throw TemplateError(fmt::format("fromyaml: not YAML: {}", error.what()),
                          TemplateError::Reason::kInvalid);
    }
  });
  env.add_function("toyaml", [](const Arguments& arguments) {
    return Value(value_to_yaml(required(arguments, 0, "value", "toyaml")));
  });
  auto unique = [](const Arguments& arguments) {
    const Value& items = required(arguments, 0, "value", "set");
    Value::List out;
    for (const auto& item : items.as_list()) {
      bool seen = false;
      for (const auto& kept : out) seen = seen || kept == item;
      if (!seen) out.push_back(item);
    }
    return Value(std::move(out));
  };
  env.add_function("set", unique);
  env.add_function("set_strict", unique);
  auto zip = [](const Arguments& arguments) {
    Value::List out;
    size_t length = SIZE_MAX;
    for (const auto& list : arguments.positional) length = std::min(length, list.as_list().size());
    if (arguments.positional.empty()) length = 0;
    for (size_t i = 0; i < length; ++i) {
      Value::List row;
      for (const auto& list : arguments.positional) row.push_back(list.as_list()[i]);
      out.push_back(Value(std::move(row)));
    }
    return Value(std::move(out));
  };
  env.add_function("zip", zip);
  env.add_function("zip_strict", zip);
  env.add_function("local_md5", [](const Arguments& arguments) {
    return Value(md5_hex(text_of(required(arguments, 0, "value", "local_md5"))));
  });
  env.add_filter("as_text", [](const Arguments& arguments) {
    return Value(text_of(required(arguments, 0, "value", "as_text")));
  });
  env.add_filter("as_bool", [](const Arguments& arguments) {
    return as_bool(required(arguments, 0, "value", "as_bool"));
  });
  env.add_filter("as_number", [](const Arguments& arguments) {
    return as_number(required(arguments, 0, "value", "as_number"));
  });
  env.add_filter("as_native", [](const Arguments& arguments) {
    return as_native(required(arguments, 0, "value", "as_native"));
  });
}

}  // namespace dvt::jinja
