// dvt sync: which native drivers, CLI tools and ODBC drivers the outputs of
// the active profile can use here, their versions, and how to install what is
// missing. Reports only; installs nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/global_options.h"
#include "connectors/pipe/tool_probe.h"

namespace dvt {

struct SyncOptions {
  bool json = false;
  bool all_platforms = false;
  std::string platform;  // forced platform for hints; empty: detect
};

// ODBC drivers registered with unixODBC (odbcinst -q -d); nullopt when
// odbcinst is not installed.
std::optional<std::vector<std::string>> list_odbc_drivers();

// Builds the sync report for the active profile (what --json prints).
nlohmann::json sync_report(const GlobalOptions& options, const SyncOptions& sync);

// Prints the report (text table or JSON). Returns the exit code (0).
int run_sync(const GlobalOptions& options, const SyncOptions& sync);

}  // namespace dvt
