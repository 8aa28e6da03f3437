// The flags of the commands that read a dbt project (parse, ls, compile, and
// run, build, seed, test, show): --vars and the selection (--select / -s,
// --exclude, --resource-type), and loading the project with the global
// options (--project-dir, --profiles-dir, --profile, --target).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "cli/global_options.h"
#include "project/project.h"
#include "project/selector.h"

namespace dvt {

struct ProjectFlags {
  std::string vars;  // YAML or JSON
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  std::vector<std::string> resource_types;
};

// --vars.
void add_vars_flag(CLI::App* command, ProjectFlags& flags);
// --select/-s (also --models/-m), --exclude, --resource-type.
void add_selection_flags(CLI::App* command, ProjectFlags& flags);

// Loads the project the global options and flags name; `which` is dbt's
// flags.WHICH ("compile", "run", ...).
std::unique_ptr<Project> load_project(const GlobalOptions& global, const ProjectFlags& flags,
                                      const std::string& which, bool full_refresh = false);

Selection selection_of(const ProjectFlags& flags);

// "Found 6 models, 13 data tests, 2 seeds, 2 sources, 45 macros" as dbt says it.
std::string project_summary(const Project& project);

}  // namespace dvt
