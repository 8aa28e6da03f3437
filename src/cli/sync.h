// dvt sync: which native drivers, CLI tools and ODBC drivers the outputs of
// the active profile can use here, their versions, and how to install what is
// missing. Reports only; installs nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/transfer.h"

namespace dvt {

struct SyncOptions {
  bool json = false;
  bool all_platforms = false;
  std::string platform;  // forced platform for hints; empty: detect
};

// The state of one CLI tool on this machine.
struct ToolProbe {
  std::string tool;     // display name, e.g. "psql"
  std::string status;   // "found", "missing" or "broken"
  std::string path;     // where it was found
  std::string version;  // parsed version, when found
  std::string detail;   // why it is broken (exit code, output)
};

struct ToolInfo;
// Looks the tool up in PATH and asks its version (5 s at most).
ToolProbe probe_tool(const ToolInfo& tool);

// ODBC drivers registered with unixODBC (odbcinst -q -d); nullopt when
// odbcinst is not installed.
std::optional<std::vector<std::string>> list_odbc_drivers();

// Builds the sync report for the active profile (what --json prints).
nlohmann::json sync_report(const GlobalOptions& options, const SyncOptions& sync);

// Prints the report (text table or JSON). Returns the exit code (0).
int run_sync(const GlobalOptions& options, const SyncOptions& sync);

}  // namespace dvt
