#include "state/key_text.h"

#include <charconv>

#include <fmt/format.h>

#include "core/error.h"

namespace dvt {

std::vector<std::optional<std::string>> decode_key_text(std::string_view text, size_t parts) {
  if (parts == 1) return {std::string(text)};
  std::vector<std::optional<std::string>> values;
  size_t at = 0;
  auto malformed = [&] {
    return DataError(fmt::format("row key '{}' is not an encoding of {} values", text, parts));
  };
  while (at < text.size()) {
    if (text[at] == 'N') {
      values.emplace_back(std::nullopt);
      ++at;
      continue;
    }
    if (text[at] != 'V') throw malformed();
    size_t colon = text.find(':', at);
    if (colon == std::string_view::npos) throw malformed();
    size_t length = 0;
    auto [end, error] = std::from_chars(text.data() + at + 1, text.data() + colon, length);
    if (error != std::errc() || end != text.data() + colon || colon + 1 + length > text.size())
      throw malformed();
    values.emplace_back(std::string(text.substr(colon + 1, length)));
    at = colon + 1 + length;
  }
  if (values.size() != parts) throw malformed();
  return values;
}

std::string key_predicate(const Dialect& dialect, const std::vector<Column>& key,
                          const std::vector<std::string>& texts) {
  if (texts.empty()) return dialect.false_predicate();
  std::string sql;
  if (key.size() == 1) {
    for (const auto& text : texts) {
      sql += sql.empty() ? "" : ", ";
      sql += dialect.value_from_text(key[0], text);
    }
    return fmt::format("{} IN ({})", dialect.quote(key[0].name), sql);
  }
  for (const auto& text : texts) {
    std::vector<std::optional<std::string>> values = decode_key_text(text, key.size());
    std::string match;
    for (size_t i = 0; i < key.size(); ++i) {
      match += i ? " AND " : "";
      match += values[i] ? fmt::format("{} = {}", dialect.quote(key[i].name),
                                       dialect.value_from_text(key[i], *values[i]))
                         : fmt::format("{} IS NULL", dialect.quote(key[i].name));
    }
    sql += sql.empty() ? "" : " OR ";
    sql += "(" + match + ")";
  }
  return "(" + sql + ")";
}

}  // namespace dvt
