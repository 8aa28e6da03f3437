// The one table of every adapter family dvt knows: its type names, the fields
// an output of it must have, whether this build moves data through it, the
// native driver compiled in, the CLI tools of its pipe tier (and how to ask
// their version), whether it is a cloud warehouse reached through a bucket,
// and how to install what is missing on each platform.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/method.h"

namespace dvt {

// One CLI tool of a pipe tier. `command` is the argv prefix that runs it
// ({"psql"} or {"clickhouse", "client"}).
struct ToolInfo {
  std::vector<std::string_view> command;
  std::vector<std::string_view> version_args;  // appended to `command` to print the version
  std::string_view version_regex;              // first capture group is the version
  std::string display() const;                 // "clickhouse client"
};

// How to install something on each platform, and where it is documented.
struct InstallHints {
  std::string_view brew;  // macOS
  std::string_view apt;   // Debian, Ubuntu
  std::string_view dnf;   // RHEL, Fedora
  std::string_view apk;   // Alpine
  std::string_view docs;  // a documentation link
  // The hint for `platform` ("macos", "debian", "rhel", "alpine"), or "".
  std::string_view for_platform(std::string_view platform) const;
};

struct AdapterInfo {
  std::string_view type;                     // canonical type, e.g. "postgres"
  std::vector<std::string_view> aliases;     // other type names served by it
  std::vector<std::string> required_fields;  // "a|b": either a or b
  bool implemented;                          // this build has a connector for it
  std::string_view native_driver;            // "libpq", ... ("" when none)
  std::vector<ToolInfo> pipe_tools;          // alternatives, preferred first
  std::string_view odbc_driver_match;        // substring of its ODBC driver names
  bool bucket_tier = false;                  // cloud warehouse: bulk moves go through a bucket
  InstallHints pipe_install;                 // how to get the pipe tools
  // The tiers this build can move data through, in the order `--method auto`
  // tries them (fastest first); empty when not implemented.
  std::vector<Method> tiers = {};
};

// The entry whose type or alias is `type`, or nullptr.
const AdapterInfo* find_adapter(const std::string& type);

// All known type names, comma separated, for error messages.
std::string known_adapter_names();

const std::vector<AdapterInfo>& adapters();

// The install hint for the adapter's pipe tools on `platform` (or its
// documentation link when the platform has none).
std::string install_hint(const AdapterInfo& adapter, const std::string& platform);

// The platform this binary runs on, for install hints: "macos", "debian",
// "rhel", "alpine", or "unknown" (read from uname and /etc/os-release).
std::string detect_platform();

// Version string of the native driver compiled in (e.g. libpq "15.18").
std::string native_driver_version(const AdapterInfo& adapter);

}  // namespace dvt
