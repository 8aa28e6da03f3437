#include "core/sql_text.h"

namespace dvt {

namespace {

std::string quote_doubling(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  for (char c : text) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace

std::string sql_identifier(std::string_view name) { return quote_doubling(name, '"'); }
std::string sql_literal(std::string_view value) { return quote_doubling(value, '\''); }

}  // namespace dvt
