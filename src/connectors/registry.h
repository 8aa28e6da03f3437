// The one table of every adapter family dvt knows: its type names, which
// fields an output of it must have, and whether this build can move data
// through it. Tier details (CLI tools, install hints) hang off the same
// entries.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dvt {

struct AdapterInfo {
  std::string_view type;                 // canonical type, e.g. "postgres"
  std::vector<std::string_view> aliases;  // other type names served by it
  std::vector<std::string> required_fields;  // "a|b": either a or b
  bool implemented;                      // this build has a connector for it
};

// The entry whose type or alias is `type`, or nullptr.
const AdapterInfo* find_adapter(const std::string& type);

// All known type names, comma separated, for error messages.
std::string known_adapter_names();

const std::vector<AdapterInfo>& adapters();

}  // namespace dvt
