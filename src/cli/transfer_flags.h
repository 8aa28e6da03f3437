// The flags copy, extract and load share: what to read from the source
// (--query, --columns, --where, --limit, --keep-order), how to write the
// target (--mode, --unique-key, --full-refresh) and --method, and turning
// them into a job's scan and load requests.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/global_options.h"
#include "connectors/connector.h"

namespace dvt {

struct SourceFlags {
  std::string query;
  std::string columns;
  std::string where;
  std::optional<uint64_t> limit;
  bool keep_order = false;
};

struct TargetFlags {
  std::string mode = "overwrite";
  std::string unique_key;
  bool full_refresh = false;
};

void add_source_flags(CLI::App* command, SourceFlags& flags);
void add_target_flags(CLI::App* command, TargetFlags& flags);
void add_method_flag(CLI::App* command, std::string& method);

// "a, b,c" -> {"a", "b", "c"}; throws ConfigError naming `flag` for an empty name.
std::vector<std::string> split_names(const std::string& text, const char* flag);

// Throws ConfigError for contradicting flags.
ScanRequest make_scan(const SourceFlags& flags, Method method);
LoadRequest make_load(const TargetFlags& flags, Method method);

// --staging-dir, else <project>/.dvt/staging.
std::filesystem::path staging_dir(const GlobalOptions& global, const std::string& flag);

// A staging file name (--name, else the table's name). Throws ConfigError
// when it is empty (`what_needs_it` says why) or holds a '/'.
std::string staging_name(const std::string& flag, const std::string& table,
                         const std::string& what_needs_it);

}  // namespace dvt
