#include "template/python_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "template/host_object.h"

namespace dvt::jinja {

namespace {

void repr_string(const std::string& text, std::string& out) {
  char quote =
      text.find('\'') != std::string::npos && text.find('"') == std::string::npos ? '"' : '\'';
  out += quote;
  for (unsigned char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c == static_cast<unsigned char>(quote)) {
          out += '\\';
          out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\x%02x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += quote;
}

void write(const Value& value, bool repr, std::string& out) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      out += "None";
      return;
    case Value::Kind::kBool:
      out += value.as_bool() ? "True" : "False";
      return;
    case Value::Kind::kInt:
      out += std::to_string(value.as_int());
      return;
    case Value::Kind::kDouble:
      out += python_float(value.as_double());
      return;
    case Value::Kind::kString:
      if (repr) {
        repr_string(value.as_string(), out);
      } else {
        out += value.as_string();
      }
      return;
    case Value::Kind::kList: {
      out += '[';
      bool first = true;
      for (const auto& item : value.as_list()) {
        if (!first) out += ", ";
        first = false;
        write(item, true, out);
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
        repr_string(key, out);
        out += ": ";
        write(item, true, out);
      }
      out += '}';
      return;
    }
    case Value::Kind::kHost:
      out += value.as_host()->str();
      return;
  }
}

}  // namespace

std::string python_str(const Value& value) {
  std::string out;
  write(value, false, out);
  return out;
}

std::string python_repr(const Value& value) {
  std::string out;
  write(value, true, out);
  return out;
}

std::string python_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  // The shortest digits that read back as `value`, then Python's layout:
  // positional for exponents -4..15, else d.ddde+XX.
  char buffer[64];
  auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string text(buffer, result.ptr);
  bool negative = text[0] == '-';
  if (negative) text.erase(0, 1);
  size_t e = text.find('e');
  int exponent = std::atoi(text.c_str() + e + 1);
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (text[i] != '.') digits += text[i];
  }
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0.";
      out.append(static_cast<size_t>(-exponent - 1), '0');
      out += digits;
    } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
      out += digits;
      out.append(exponent + 1 - digits.size(), '0');
      out += ".0";
    } else {
      out.append(digits, 0, exponent + 1);
      out += '.';
      out.append(digits, exponent + 1);
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) {
    out += '.';
    out.append(digits, 1);
  }
  char exp_text[16];
  std::snprintf(exp_text, sizeof(exp_text), "e%c%02d", exponent < 0 ? '-' : '+',
                std::abs(exponent));
  return out + exp_text;
}

}  // namespace dvt::jinja
