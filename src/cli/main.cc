// dvt: moves tables between databases and Parquet in constant memory, and
// compiles and runs dbt projects. This file only dispatches: each command is
// a file of its own (cli/command.h).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/command.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "engine/engine.h"

namespace {

using namespace dvt;

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
      "bulk path, with exact types, and compiles dbt projects.",
      "dvt"};
  app.set_version_flag("--version", std::string("dvt ") + DVT_VERSION + " (duckdb " +
                                        duckdb_library_version() + ")");
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions global;
  app.add_option("--profiles-dir", global.profiles_dir,
                 "Folder holding profiles.yml (default: $DVT_PROFILES_DIR, then ./, then the "
                 "project folder, then ~/.dvt/)");
  app.add_option("--profile", global.profile,
                 "Profile in profiles.yml (default: dbt_project.yml's, $DVT_PROFILE or the only "
                 "one)");
  app.add_option("--target,-t", global.target,
                 "Output used where an endpoint or a model names none (default: the profile's "
                 "target)");
  app.add_option("--project-dir", global.project_dir,
                 "Project folder: dbt_project.yml, and staging in <project>/.dvt/staging");
  app.add_option("--log-format", global.log_format, "text or json (one JSON object per event)")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-q,--quiet", global.quiet, "Only warnings, errors and the result");
  app.add_flag("-v,--verbose", global.verbose, "More detail (repeat for more)");
  app.add_option("--threads", global.threads, "Engine threads")->check(CLI::Range(1, 256));
  app.add_option("--memory-limit", global.memory_limit, "Engine memory limit, e.g. 1GB");

  std::vector<std::unique_ptr<Command>> commands = all_commands();
  std::vector<std::pair<CLI::App*, Command*>> registered;
  for (const auto& command : commands) registered.emplace_back(command->add_to(app), command.get());

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }

  Logger::instance().configure(global.log_format == "json" ? LogFormat::kJson : LogFormat::kText,
                               global.quiet ? -1 : global.verbose);
  CLI::App* chosen = app.get_subcommands().front();
  std::string name = chosen->get_name();
  try {
    for (const auto& [subcommand, command] : registered) {
      if (subcommand == chosen) return command->run(global);
    }
    throw InternalError("no command runs '" + name + "'");
  } catch (const Error& error) {
    return fail(error, name);
  } catch (const std::exception& error) {
    return fail(InternalError(error.what()), name);
  }
}
