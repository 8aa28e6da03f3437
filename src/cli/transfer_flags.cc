#include "cli/transfer_flags.h"

#include <fmt/format.h>

#include "connectors/load_plan.h"
#include "core/error.h"

namespace dvt {

std::vector<std::string> split_names(const std::string& text, const char* flag) {
  std::vector<std::string> names;
  size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string name = text.substr(start, comma - start);
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (name.empty()) throw ConfigError(fmt::format("{} holds an empty column name", flag));
    names.push_back(name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

void add_source_flags(CLI::App* command, SourceFlags& flags) {
  command
      ->add_option("--query", flags.query,
                   "SQL run in the source database instead of reading a table")
      ->group("Source");
  command->add_option("--columns", flags.columns, "Comma-separated columns to read (pushed down)")
      ->group("Source");
  command->add_option("--where", flags.where, "Predicate in the source's SQL dialect (pushed down)")
      ->group("Source");
  command->add_option("--limit", flags.limit, "Read at most N rows (pushed down)")->group("Source");
  command
      ->add_flag(
          "--keep-order", flags.keep_order,
          "Write a Parquet file's rows in the order the source sends them (one encoding thread; "
          "the default for a --query with ORDER BY and for a Parquet source)")
      ->group("Source");
}

void add_target_flags(CLI::App* command, TargetFlags& flags) {
  command
      ->add_option("--mode", flags.mode,
                   "overwrite (empty and refill), append, merge (update matching keys, insert the "
                   "rest) or delete+insert (delete matching keys, insert all)")
      ->check(CLI::IsMember({"overwrite", "append", "merge", "delete+insert"}))
      ->group("Target");
  command
      ->add_option("--unique-key", flags.unique_key,
                   "Columns merge and delete+insert match rows by (default: the target's primary "
                   "key)")
      ->group("Target");
  command
      ->add_flag("--full-refresh", flags.full_refresh,
                 "DROP and CREATE the target table, then INSERT")
      ->group("Target");
}

void add_method_flag(CLI::App* command, std::string& method) {
  command->add_option("--method", method, "auto, native, pipe or odbc")
      ->check(CLI::IsMember({"auto", "native", "pipe", "odbc"}));
}

ScanRequest make_scan(const SourceFlags& flags, Method method) {
  ScanRequest scan;
  scan.query = flags.query;
  scan.where = flags.where;
  scan.limit = flags.limit;
  scan.method = method;
  scan.keep_order = flags.keep_order;
  // With a query they apply on top of its result, still in the source database.
  scan.columns = split_names(flags.columns, "--columns");
  return scan;
}

LoadRequest make_load(const TargetFlags& flags, Method method) {
  LoadRequest load;
  load.mode = parse_load_mode(flags.mode);
  load.full_refresh = flags.full_refresh;
  load.unique_key = split_names(flags.unique_key, "--unique-key");
  load.method = method;
  if (load.full_refresh && load.mode == LoadMode::kAppend) {
    throw ConfigError("--full-refresh and --mode append contradict each other");
  }
  if (!load.unique_key.empty() && load.mode != LoadMode::kMerge &&
      load.mode != LoadMode::kDeleteInsert) {
    throw ConfigError("--unique-key applies to --mode merge and --mode delete+insert");
  }
  return load;
}

std::filesystem::path staging_dir(const GlobalOptions& global, const std::string& flag) {
  if (!flag.empty()) return flag;
  return (std::filesystem::path(global.project_dir) / ".dvt" / "staging").lexically_normal();
}

std::string staging_name(const std::string& flag, const std::string& table,
                         const std::string& what_needs_it) {
  std::string name = flag.empty() ? table : flag;
  if (name.empty()) throw ConfigError(what_needs_it);
  if (name.find('/') != std::string::npos) throw ConfigError("--name must be a plain file name");
  return name;
}

}  // namespace dvt
