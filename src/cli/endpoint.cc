#include "cli/endpoint.h"

#include <fmt/format.h>

#include <vector>

#include "core/error.h"

namespace dvt {
namespace {

// Splits `text` at unquoted '.', removing the double quotes ("" is a quote).
std::vector<std::string> split_identifiers(const std::string& text, const std::string& whole) {
  std::vector<std::string> parts(1);
  bool quoted = false;
  bool was_quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      if (quoted && i + 1 < text.size() && text[i + 1] == '"') {
        parts.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
        was_quoted = true;
      }
    } else if (c == '.' && !quoted) {
      parts.emplace_back();
      was_quoted = false;
    } else {
      parts.back() += c;
    }
  }
  if (quoted) throw ConfigError(fmt::format("endpoint '{}': unbalanced double quote", whole));
  for (const auto& part : parts) {
    if (part.empty() && !was_quoted)
      throw ConfigError(fmt::format("endpoint '{}': empty name", whole));
  }
  return parts;
}

}  // namespace

Endpoint parse_endpoint(const std::string& text) {
  Endpoint endpoint;
  endpoint.text = text;
  if (text.ends_with(".parquet") || text.ends_with(".csv")) {
    endpoint.is_file = true;
    endpoint.path = text;
    return endpoint;
  }
  size_t colon = text.find(':');
  if (colon == std::string::npos) {
    if (text.empty()) throw ConfigError("empty endpoint");
    if (text.find('.') != std::string::npos || text.find('/') != std::string::npos) {
      throw ConfigError(fmt::format(
          "endpoint '{}': expected OUTPUT:SCHEMA.TABLE, OUTPUT:TABLE, OUTPUT, a .parquet file or "
          "a .csv file",
          text));
    }
    endpoint.output = text;
    return endpoint;
  }
  endpoint.output = text.substr(0, colon);
  std::string rest = text.substr(colon + 1);
  if (rest.empty()) throw ConfigError(fmt::format("endpoint '{}': no table after ':'", text));
  std::vector<std::string> parts = split_identifiers(rest, text);
  if (parts.size() == 1) {
    endpoint.table.name = parts[0];
  } else if (parts.size() == 2) {
    endpoint.table.schema = parts[0];
    endpoint.table.name = parts[1];
  } else {
    throw ConfigError(fmt::format(
        "endpoint '{}': expected SCHEMA.TABLE or TABLE after ':' (quote names that hold dots)",
        text));
  }
  return endpoint;
}

}  // namespace dvt
