// The values templates and C++ exchange: what a context holds, what a function
// receives and returns. Maps keep insertion order, as Jinja's dicts do.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace dvt::jinja {

class HostObject;

class Value {
 public:
  using List = std::vector<Value>;
  using Map = std::vector<std::pair<std::string, Value>>;

  enum class Kind { kNull, kBool, kInt, kDouble, kString, kList, kMap, kHost };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool value) : data_(value) {}
  Value(int value) : data_(int64_t{value}) {}
  Value(int64_t value) : data_(value) {}
  Value(double value) : data_(value) {}
  Value(const char* value) : data_(std::string(value)) {}
  Value(std::string_view value) : data_(std::string(value)) {}
  Value(std::string value) : data_(std::move(value)) {}
  Value(List value) : data_(std::move(value)) {}
  Value(Map value) : data_(std::move(value)) {}
  Value(std::shared_ptr<HostObject> value) : data_(std::move(value)) {}

  static Value list(std::initializer_list<Value> items) { return Value(List(items)); }
  static Value map(std::initializer_list<std::pair<std::string, Value>> entries) {
    return Value(Map(entries));
  }

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_string() const { return kind() == Kind::kString; }

  // Each accessor REQUIRES the value to be of that kind; otherwise it throws
  // TemplateError naming the kind it found (a template passed the wrong type).
  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;  // an int converts
  const std::string& as_string() const;
  const List& as_list() const;
  const Map& as_map() const;
  const std::shared_ptr<HostObject>& as_host() const;

  // The entry `key` of a map, or nullptr when absent or not a map.
  const Value* find(std::string_view key) const;

  // Jinja's name for the kind ("string", "list", ...), for messages.
  const char* kind_name() const;

  // Host objects compare by identity.
  bool operator==(const Value& other) const { return data_ == other.data_; }

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, List, Map,
               std::shared_ptr<HostObject>>
      data_;
};

}  // namespace dvt::jinja
