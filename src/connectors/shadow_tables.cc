#include "connectors/shadow_tables.h"

#include <unistd.h>

#include <fmt/format.h>

#include "core/temp_file.h"

namespace dvt {
namespace {

// The longest role a shadow table has ("stage").
constexpr size_t kLongestRole = 5;

// `name` cut to at most `bytes` bytes without splitting a UTF-8 character.
std::string utf8_prefix(const std::string& name, size_t bytes) {
  if (name.size() <= bytes) return name;
  size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80) --end;
  return name.substr(0, end);
}

}  // namespace

std::string shadow_table_prefix(const std::string& table, size_t max_bytes) {
  // "__dvt_" role "_" host(8) "_" pid (at most 10 digits)
  const size_t suffix = 6 + kLongestRole + 1 + 8 + 1 + 10;
  std::string base = max_bytes == 0 ? table : utf8_prefix(table, max_bytes - suffix);
  return base + "__dvt_";
}

std::string shadow_table_name(const std::string& table, std::string_view role, size_t max_bytes) {
  return fmt::format("{}{}_{}_{}", shadow_table_prefix(table, max_bytes), role, host_tag(),
                     ::getpid());
}

std::optional<DeadShadow> dead_shadow(const std::string& name, const std::string& table,
                                      size_t max_bytes) {
  std::string prefix = shadow_table_prefix(table, max_bytes);
  if (!name.starts_with(prefix)) return std::nullopt;
  std::string rest = name.substr(prefix.size());
  size_t underscore = rest.find('_');
  if (underscore == std::string::npos) return std::nullopt;
  DeadShadow shadow;
  shadow.role = rest.substr(0, underscore);
  shadow.pid = dead_process_in(rest.substr(underscore + 1), host_tag() + "_");
  if (shadow.pid == 0) return std::nullopt;
  return shadow;
}

}  // namespace dvt
