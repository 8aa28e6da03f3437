// dvt parse: reads the project (every file, every model rendered once for
// its refs and config), checks it (refs, sources, outputs, cycles) and
// writes target/manifest.json.
#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/project_flags.h"
#include "core/log.h"
#include "project/manifest.h"

namespace dvt {

namespace {

class ParseCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command =
        app.add_subcommand("parse", "Read and check the project and write target/manifest.json");
    add_vars_flag(command, flags_);
    return command;
  }

  int run(const GlobalOptions& global) override {
    auto start = std::chrono::steady_clock::now();
    std::unique_ptr<Project> project = load_project(global, flags_, "parse");
    write_manifest(*project, manifest_json(*project));
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string summary = project_summary(*project);
    Logger& logger = Logger::instance();
    if (logger.format() == LogFormat::kJson) {
      logger.result({{"status", "success"},
                     {"command", "parse"},
                     {"project", project->name()},
                     {"nodes", project->nodes().size()},
                     {"manifest", (project->target_dir() / "manifest.json").string()},
                     {"seconds", seconds}});
    } else if (logger.verbosity() >= 0) {
      std::printf("%s\nparse: %s in %.2f s; wrote %s\n", summary.c_str(), project->name().c_str(),
                  seconds, (project->target_dir() / "manifest.json").c_str());
    }
    return 0;
  }

 private:
  ProjectFlags flags_;
};

}  // namespace

std::unique_ptr<Command> make_parse_command() {
  return std::make_unique<ParseCommand>();
}

}  // namespace dvt
