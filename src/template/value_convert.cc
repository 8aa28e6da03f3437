#include "template/value_convert.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <regex>

#include "template/host_object.h"

namespace dvt::jinja {

namespace {

bool equals_any(const std::string& text, std::initializer_list<const char*> words) {
  for (const char* word : words) {
    if (text == word) return true;
  }
  return false;
}

// A plain scalar as PyYAML's resolver types it.
Json plain_scalar(const std::string& text) {
  if (text.empty() || equals_any(text, {"~", "null", "Null", "NULL"})) return nullptr;
  if (equals_any(text, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) {
    return true;
  }
  if (equals_any(text, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) {
    return false;
  }
  static const std::regex kInt(R"([-+]?(0|[1-9][0-9_]*))");
  static const std::regex kHex(R"([-+]?0x[0-9a-fA-F_]+)");
  static const std::regex kFloat(
      R"([-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  std::string digits;
  for (char c : text) {
    if (c != '_') digits += c;
  }
  if (std::regex_match(text, kInt)) {
    int64_t number = 0;
    const char* begin = digits.c_str() + (digits[0] == '+' ? 1 : 0);
    auto result = std::from_chars(begin, digits.c_str() + digits.size(), number);
    if (result.ec == std::errc()) return number;
    return std::strtod(digits.c_str(), nullptr);
  }
  if (std::regex_match(text, kHex))
    return static_cast<int64_t>(std::strtoll(digits.c_str(), nullptr, 16));
  if (text != "." && std::regex_match(text, kFloat)) {
    if (text.find("nan") != std::string::npos || text.find("NaN") != std::string::npos ||
        text.find("NAN") != std::string::npos) {
      return std::nan("");
    }
    return std::strtod(digits.c_str(), nullptr);
  }
  return text;
}

void write_yaml(YAML::Emitter& out, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      out << YAML::Null;
      return;
    case Value::Kind::kBool:
      out << value.as_bool();
      return;
    case Value::Kind::kInt:
      out << value.as_int();
      return;
    case Value::Kind::kDouble:
      out << value.as_double();
      return;
    case Value::Kind::kString:
      out << value.as_string();
      return;
    case Value::Kind::kList:
      out << YAML::BeginSeq;
      for (const auto& item : value.as_list()) write_yaml(out, item);
      out << YAML::EndSeq;
      return;
    case Value::Kind::kMap:
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.as_map()) {
        out << YAML::Key << key << YAML::Value;
        write_yaml(out, item);
      }
      out << YAML::EndMap;
      return;
    case Value::Kind::kHost:
      out << value.as_host()->str();
      return;
  }
}

}  // namespace

Value value_from_json(const Json& json) {
  switch (json.type()) {
    case Json::value_t::null:
      return Value();
    case Json::value_t::boolean:
      return Value(json.get<bool>());
    case Json::value_t::number_integer:
      return Value(json.get<int64_t>());
    case Json::value_t::number_unsigned:
      return Value(static_cast<int64_t>(json.get<uint64_t>()));
    case Json::value_t::number_float:
      return Value(json.get<double>());
    case Json::value_t::string:
      return Value(json.get<std::string>());
    case Json::value_t::array: {
      Value::List list;
      list.reserve(json.size());
      for (const auto& item : json) list.push_back(value_from_json(item));
      return Value(std::move(list));
    }
    case Json::value_t::object: {
      Value::Map map;
      map.reserve(json.size());
      for (const auto& [key, item] : json.items()) map.emplace_back(key, value_from_json(item));
      return Value(std::move(map));
    }
    default:
      return Value();
  }
}

Json value_to_json(const Value& value) {
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
      for (const auto& item : value.as_list()) list.push_back(value_to_json(item));
      return list;
    }
    case Value::Kind::kMap: {
      Json map = Json::object();
      for (const auto& [key, item] : value.as_map()) map[key] = value_to_json(item);
      return map;
    }
    case Value::Kind::kHost:
      return value.as_host()->str();
  }
  return nullptr;
}

Json json_from_yaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return node.Scalar();
      return plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json list = Json::array();
      for (const auto& item : node) list.push_back(json_from_yaml(item));
      return list;
    }
    case YAML::NodeType::Map: {
      Json map = Json::object();
      for (const auto& entry : node) {
        map[entry.first.as<std::string>()] = json_from_yaml(entry.second);
      }
      return map;
    }
  }
  return nullptr;
}

Value value_from_yaml(const YAML::Node& node) {
  return value_from_json(json_from_yaml(node));
}

std::string value_to_yaml(const Value& value) {
  YAML::Emitter out;
  write_yaml(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace dvt::jinja
