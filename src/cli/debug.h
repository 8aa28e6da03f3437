// dvt debug: tests each output of the profile through every tier this build
// has for it (connect, run a trivial query), and reports success with what
// the server says of itself, or the exact error and its likely fix.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/global_options.h"

namespace dvt {

struct DebugOptions {
  std::string output;  // empty: every output of the profile
  bool json = false;
};

// The likely fix for a failed check's error message, or "" when none is
// known. `location` is the output's "file:line" in profiles.yml.
std::string likely_fix(const std::string& message, const std::string& location);

// Runs the checks (what --json prints). Throws ConfigError for a bad profile
// or an unknown --output.
nlohmann::json debug_report(const GlobalOptions& options, const DebugOptions& debug);

// Prints the report. Returns 0 when every output checked has a working tier,
// 1 otherwise.
int run_debug(const GlobalOptions& options, const DebugOptions& debug);

}  // namespace dvt
