#include "core/sql_text.h"

#include <cctype>

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

std::string sql_identifier(std::string_view name) {
  return quote_doubling(name, '"');
}
std::string sql_literal(std::string_view value) {
  return quote_doubling(value, '\'');
}

bool mentions_order_by(std::string_view sql) {
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  auto word_at = [&](size_t at, std::string_view word) {
    if (at + word.size() > sql.size()) return false;
    if (at > 0 && word_char(sql[at - 1])) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(sql[at + i])) != word[i]) return false;
    }
    return at + word.size() == sql.size() || !word_char(sql[at + word.size()]);
  };
  for (size_t at = 0; at < sql.size(); ++at) {
    if (!word_at(at, "order")) continue;
    size_t next = at + 5;
    while (next < sql.size() && std::isspace(static_cast<unsigned char>(sql[next]))) ++next;
    if (next > at + 5 && word_at(next, "by")) return true;
  }
  return false;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace dvt
