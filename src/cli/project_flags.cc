#include "cli/project_flags.h"

#include <fmt/format.h>

namespace dvt {

void add_vars_flag(CLI::App* command, ProjectFlags& flags) {
  command->add_option("--vars", flags.vars,
                      "Variables for var() as a YAML or JSON mapping, e.g. '{key: value}' (they "
                      "win over dbt_project.yml's vars)");
}

void add_selection_flags(CLI::App* command, ProjectFlags& flags) {
  command
      ->add_option("-s,--select,-m,--models", flags.select,
                   "Nodes to include: names, path:, tag:, source:, config.KEY:, resource_type:, "
                   "with +, n+, @ and commas (intersection); several separated by spaces")
      ->expected(1, -1);
  command->add_option("--exclude", flags.exclude, "Nodes to leave out (same syntax as --select)")
      ->expected(1, -1);
  command
      ->add_option("--resource-type,--resource-types", flags.resource_types,
                   "Only these types: model, seed, test, source, all")
      ->expected(1, -1);
}

std::unique_ptr<Project> load_project(const GlobalOptions& global, const ProjectFlags& flags,
                                      const std::string& which, bool full_refresh) {
  ProjectOptions options;
  options.project_dir = global.project_dir;
  options.profiles_dir = global.profiles_dir;
  options.profile = global.profile;
  options.target = global.target;
  options.vars = flags.vars;
  options.which = which;
  options.full_refresh = full_refresh;
  return Project::load(options);
}

Selection selection_of(const ProjectFlags& flags) {
  return Selection{flags.select, flags.exclude, flags.resource_types};
}

std::string project_summary(const Project& project) {
  size_t models = 0, tests = 0, seeds = 0, sources = 0;
  for (const Node* node : project.nodes()) {
    switch (node->resource_type) {
      case ResourceType::kModel:
        ++models;
        break;
      case ResourceType::kTest:
        ++tests;
        break;
      case ResourceType::kSeed:
        ++seeds;
        break;
      case ResourceType::kSource:
        ++sources;
        break;
    }
  }
  auto count = [](size_t n, const char* one, const char* many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
  };
  return fmt::format("Found {}, {}, {}, {}, {}", count(models, "model", "models"),
                     count(tests, "data test", "data tests"), count(seeds, "seed", "seeds"),
                     count(sources, "source", "sources"),
                     count(project.macros().macros().size(), "macro", "macros"));
}

}  // namespace dvt
