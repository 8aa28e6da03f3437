// dvt: moves tables between databases and Parquet in constant memory.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "cli/debug.h"
#include "cli/progress_line.h"
#include "cli/sync.h"
#include "cli/transfer.h"
#include "connectors/load_plan.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"

namespace {

using namespace dvt;

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

// "a, b,c" -> {"a", "b", "c"}; throws ConfigError naming `flag` for an empty name.
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

int fail(const Error& error, const std::string& command) {
  Logger& logger = Logger::instance();
  std::string message = logger.redact(error.what());
  if (logger.format() == LogFormat::kJson) {
    logger.result({{"status", "error"},
                   {"command", command},
                   {"kind", error.kind()},
                   {"error", message},
                   {"exit_code", error.exit_code()}});
  } else {
    std::fprintf(stderr, "dvt: %s\n", message.c_str());
  }
  return error.exit_code();
}

}  // namespace

int main(int argc, char** argv) {
  install_interrupt_handlers();

  CLI::App app{
      "dvt moves tables between databases and Parquet in constant memory, through each database's "
      "bulk path, with exact types.",
      "dvt"};
  app.set_version_flag("--version", std::string("dvt ") + DVT_VERSION + " (duckdb " +
                                        duckdb_library_version() + ")");
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions global;
  std::string method_text = "auto";
  std::string project_dir = ".";
  app.add_option("--profiles-dir", global.profiles_dir,
                 "Folder holding profiles.yml (default: $DVT_PROFILES_DIR, then ./, then ~/.dvt/)");
  app.add_option("--profile", global.profile,
                 "Profile in profiles.yml (default: $DVT_PROFILE or the only one)");
  app.add_option("--target", global.target,
                 "Output used where an endpoint names none (default: the profile's target)");
  app.add_option("--project-dir", project_dir,
                 "Project folder (staging lives in <project>/.dvt/staging)");
  app.add_option("--log-format", global.log_format, "text or json (one JSON object per event)")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-q,--quiet", global.quiet, "Only warnings, errors and the result");
  app.add_flag("-v,--verbose", global.verbose, "More detail (repeat for more)");
  app.add_option("--threads", global.threads, "Engine threads")->check(CLI::Range(1, 256));
  app.add_option("--memory-limit", global.memory_limit, "Engine memory limit, e.g. 1GB");

  SourceFlags source_flags;
  TargetFlags target_flags;
  std::string from_text, to_text, name, staging_dir;

  CLI::App* copy = app.add_subcommand(
      "copy", "Copy rows from a table, query or Parquet file into a table or Parquet file");
  copy->add_option("FROM", from_text,
                   "OUTPUT:SCHEMA.TABLE, OUTPUT:TABLE, OUTPUT (with --query) or FILE.parquet")
      ->required();
  copy->add_option("TO", to_text, "OUTPUT:SCHEMA.TABLE, OUTPUT:TABLE or FILE.parquet")->required();
  add_source_flags(copy, source_flags);
  add_target_flags(copy, target_flags);
  copy->add_option("--method", method_text, "auto, native, pipe or odbc")
      ->check(CLI::IsMember({"auto", "native", "pipe", "odbc"}));

  CLI::App* extract =
      app.add_subcommand("extract", "Extract a table or query to <staging>/<name>.parquet");
  extract
      ->add_option("FROM", from_text, "OUTPUT:SCHEMA.TABLE, OUTPUT:TABLE or OUTPUT (with --query)")
      ->required();
  extract->add_option("--name", name, "Staging name (default: the table name)");
  extract->add_option("--staging-dir", staging_dir,
                      "Staging folder (default: <project>/.dvt/staging)");
  add_source_flags(extract, source_flags);
  extract->add_option("--method", method_text, "auto, native, pipe or odbc")
      ->check(CLI::IsMember({"auto", "native", "pipe", "odbc"}));

  CLI::App* load = app.add_subcommand("load", "Load a Parquet file into a table");
  load->add_option("FILE", from_text, "FILE.parquet or FILE.csv")->required();
  load->add_option("TO", to_text, "OUTPUT:SCHEMA.TABLE or OUTPUT:TABLE")->required();
  add_target_flags(load, target_flags);
  load->add_option("--method", method_text, "auto, native, pipe or odbc")
      ->check(CLI::IsMember({"auto", "native", "pipe", "odbc"}));

  CLI::App* hashes = app.add_subcommand(
      "hashes",
      "Write one MD5 per row, keyed by the primary key, to <staging>/_state/<name>.hashes.parquet");
  hashes->add_option("FROM", from_text, "OUTPUT:SCHEMA.TABLE or OUTPUT:TABLE")->required();
  hashes->add_option("--name", name, "State name (default: the table name)");
  hashes->add_option("--staging-dir", staging_dir,
                     "Staging folder (default: <project>/.dvt/staging)");

  SyncOptions sync_options;
  CLI::App* sync = app.add_subcommand("sync",
                                      "Report the drivers and CLI tools the profile's outputs can "
                                      "use, their versions, and how to install "
                                      "what is missing (installs nothing)");
  sync->add_flag("--json", sync_options.json, "Print the report as JSON");
  sync->add_flag("--all-platforms", sync_options.all_platforms,
                 "Install hints for every platform, not just this one");
  sync->add_option("--platform", sync_options.platform,
                   "Hints for this platform instead of the detected one")
      ->check(CLI::IsMember({"macos", "debian", "rhel", "alpine"}));

  DebugOptions debug_options;
  CLI::App* debug = app.add_subcommand(
      "debug", "Connect to each output of the profile through every tier and run a trivial query");
  debug->add_option("--output", debug_options.output, "Check only this output");
  debug->add_flag("--json", debug_options.json, "Print the report as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }

  Logger::instance().configure(global.log_format == "json" ? LogFormat::kJson : LogFormat::kText,
                               global.quiet ? -1 : global.verbose);
  std::string command = app.get_subcommands().front()->get_name();
  try {
    if (command == "sync") return run_sync(global, sync_options);
    if (command == "debug") return run_debug(global, debug_options);
    Method method = parse_method(method_text);
    Endpoint from = parse_endpoint(from_text);
    Endpoint to;
    ScanRequest scan = make_scan(source_flags, method);
    LoadRequest load_request = make_load(target_flags, method);
    if (command == "hashes") {
      std::filesystem::path dir =
          staging_dir.empty()
              ? (std::filesystem::path(project_dir) / ".dvt" / "staging").lexically_normal()
              : std::filesystem::path(staging_dir);
      if (from.is_file || from.table.name.empty()) {
        throw ConfigError(fmt::format(
            "hashes reads a database table: use OUTPUT:SCHEMA.TABLE, got '{}'", from.text));
      }
      std::string file_name = name.empty() ? from.table.name : name;
      if (file_name.find('/') != std::string::npos)
        throw ConfigError("--name must be a plain file name");
      ProfileContext profiles = global.profiles();
      TransferEnd source = resolve_end(profiles, from, nullptr);
      if (from.output.empty()) {
        source.display = fmt::format("{}:{}", source.output->name(), from.table.display());
      }
      ProgressLine line;
      report(run_row_hashes(global.job(), source, dir / "_state" / (file_name + ".hashes.parquet"),
                            &line));
      return 0;
    }
    if (command == "copy") {
      to = parse_endpoint(to_text);
    } else if (command == "extract") {
      if (from.is_file)
        throw ConfigError("extract reads a database table; to copy a file use dvt copy");
      std::string file_name = name.empty() ? from.table.name : name;
      if (file_name.empty()) throw ConfigError("extract with --query needs --name");
      if (file_name.find('/') != std::string::npos)
        throw ConfigError("--name must be a plain file name");
      std::filesystem::path dir =
          staging_dir.empty()
              ? (std::filesystem::path(project_dir) / ".dvt" / "staging").lexically_normal()
              : std::filesystem::path(staging_dir);
      to = parse_endpoint((dir / (file_name + ".parquet")).string());
    } else {
      if (!from.is_file)
        throw ConfigError(fmt::format("load reads a .parquet or .csv file, got '{}'", from_text));
      to = parse_endpoint(to_text);
      if (to.is_file)
        throw ConfigError("load writes into a database table; to copy a file use dvt copy");
    }
    report(run_cli_transfer(global, command, from, scan, to, load_request));
    return 0;
  } catch (const Error& error) {
    return fail(error, command);
  } catch (const std::exception& error) {
    return fail(InternalError(error.what()), command);
  }
}
