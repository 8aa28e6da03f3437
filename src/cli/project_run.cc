// dvt run, build, seed and test: the selected nodes of one kind (or all, for
// build) executed in their databases by the run layer (run/project_run.h),
// printed as dbt prints them: one START line and one result line per node
// with its index, materialization, relation, status and seconds, then a
// summary; target/run_results.json and target/manifest.json written as dbt
// writes them. In these commands --threads is dbt's: nodes at once (default:
// the target's `threads` in profiles.yml).
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/project_flags.h"
#include "core/error.h"
#include "core/log.h"
#include "project/manifest.h"
#include "run/project_run.h"

namespace dvt {

namespace {

std::string clock_text() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return fmt::format("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// "schema.alias" as dbt's lines name a relation.
std::string short_relation(const Node& node) {
  return node.relation.schema.empty() ? node.relation.identifier
                                      : node.relation.schema + "." + node.relation.identifier;
}

std::string what(const NodeResult& result) {
  const Node& node = *result.node;
  switch (node.resource_type) {
    case ResourceType::kSeed:
      return "seed file " + short_relation(node);
    case ResourceType::kTest:
      return "test " + node.name;
    default:
      return fmt::format("sql {} model {}", result.materialized, short_relation(node));
  }
}

// dbt's line: the text, dots to column 80, then the bracketed status.
void print_line(const std::string& text, const std::string& status) {
  std::string line = clock_text() + "  " + text + " ";
  const size_t width = 80;
  if (line.size() < width) line.append(width - line.size(), '.');
  std::printf("%s [%s]\n", line.c_str(), status.c_str());
  std::fflush(stdout);
}

class LinePrinter : public RunObserver {
 public:
  explicit LinePrinter(bool text) : text_(text) {}

  void started(const NodeResult& result, size_t index, size_t total) override {
    log_debug("node.start", fmt::format("{} of {} START {}", index, total, what(result)),
              {{"unique_id", result.node->unique_id}, {"index", index}, {"total", total}});
    if (!text_) return;
    std::lock_guard lock(Logger::instance().terminal_mutex());
    print_line(fmt::format("{} of {} START {}", index, total, what(result)), "RUN");
  }

  void finished(const NodeResult& result, size_t index, size_t total) override {
    std::string label, status;
    const std::string seconds = fmt::format("in {:.2f}s", result.seconds);
    if (result.status == "success") {
      label = result.node->resource_type == ResourceType::kSeed ? "OK loaded " : "OK created ";
      status = fmt::format("{} {}", result.message.empty() ? "OK" : result.message, seconds);
    } else if (result.status == "pass") {
      label = "PASS ";
      status = "PASS " + seconds;
    } else if (result.status == "fail" || result.status == "warn") {
      std::string word = result.status == "fail" ? "FAIL" : "WARN";
      label = fmt::format("{} {} ", word, result.failures.value_or(0));
      status = fmt::format("{} {} {}", word, result.failures.value_or(0), seconds);
    } else if (result.status == "skipped") {
      label = "SKIP ";
      status = "SKIP";
    } else {
      label = "ERROR creating ";
      status = "ERROR " + seconds;
    }
    std::string subject = what(result);
    if (result.status == "pass" || result.status == "fail" || result.status == "warn" ||
        (result.status == "skipped" && result.node->resource_type == ResourceType::kTest)) {
      subject = result.node->name;
    } else if (result.status == "skipped") {
      subject = "relation " + short_relation(*result.node);
    }
    log_event("node.finished", fmt::format("{} of {} {}{}", index, total, label, subject),
              {{"unique_id", result.node->unique_id},
               {"status", result.status},
               {"index", index},
               {"total", total},
               {"execution_time", result.seconds},
               {"message", result.message}});
    if (!text_) return;
    std::lock_guard lock(Logger::instance().terminal_mutex());
    print_line(fmt::format("{} of {} {}{}", index, total, label, subject), status);
  }

 private:
  bool text_;
};

std::string plural(size_t count, const std::string& word) {
  return fmt::format("{} {}{}", count, word, count == 1 ? "" : "s");
}

// "2 seeds, 3 view models, 1 table model, 13 data tests".
std::string finished_kinds(const RunReport& report) {
  std::map<std::string, size_t> counts;
  std::vector<std::string> order;
  for (const auto& result : report.results) {
    std::string kind = result.materialized == "seed"   ? "seed"
                       : result.materialized == "test" ? "data test"
                                                       : result.materialized + " model";
    if (counts[kind]++ == 0) order.push_back(kind);
  }
  std::string text;
  for (const auto& kind : order) text += (text.empty() ? "" : ", ") + plural(counts[kind], kind);
  return text;
}

class ProjectRunCommand : public Command {
 public:
  ProjectRunCommand(std::string which, std::string help)
      : which_(std::move(which)), help_(std::move(help)) {}

  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command = app.add_subcommand(which_, help_);
    add_vars_flag(command, flags_);
    add_selection_flags(command, flags_);
    if (which_ != "test") {
      command->add_flag("--full-refresh,-f", full_refresh_,
                        "Drop and rebuild tables and incremental models (seeds: drop and "
                        "recreate)");
    }
    command->add_flag("--fail-fast,-x", fail_fast_, "Stop at the first failure");
    return command;
  }

  int run(const GlobalOptions& global) override {
    auto start = std::chrono::steady_clock::now();
    std::unique_ptr<Project> project = load_project(global, flags_, which_, full_refresh_);
    Selection selection = selection_of(flags_);
    if (selection.resource_types.empty()) {
      if (which_ == "run") selection.resource_types = {"model"};
      if (which_ == "seed") selection.resource_types = {"seed"};
      if (which_ == "test") selection.resource_types = {"test"};
    }
    std::vector<const Node*> selected = select_nodes(*project, selection);
    RunOptions options;
    options.which = which_;
    options.threads =
        global.threads > 0 ? global.threads : project->target(project->default_output()).threads;
    options.fail_fast = fail_fast_;
    options.full_refresh = full_refresh_;
    options.job = {0, global.memory_limit};
    Logger& logger = Logger::instance();
    const bool text = logger.format() == LogFormat::kText && logger.verbosity() >= 0;
    if (text) {
      std::printf("%s  Running with dvt=%s\n", clock_text().c_str(), DVT_VERSION);
      std::printf("%s  %s\n", clock_text().c_str(), project_summary(*project).c_str());
      std::printf("%s  Concurrency: %d threads (target='%s')\n", clock_text().c_str(),
                  options.threads, project->default_output().c_str());
      std::fflush(stdout);
    }
    std::vector<const Node*> executable = executable_nodes(*project, selected);
    if (executable.empty()) {
      if (text) {
        std::printf(
            "%s  Nothing to do. Try checking your model configs and model specification "
            "args\n",
            clock_text().c_str());
      }
      write_manifest(*project, manifest_json(*project));
      return 0;
    }
    LinePrinter printer(text);
    RunReport report = run_project(*project, selected, options, &printer);
    std::map<std::string, CompiledNode> compiled;
    for (const auto& result : report.results) {
      if (!result.compiled_code.empty())
        compiled[result.node->unique_id].code = result.compiled_code;
    }
    write_manifest(*project, manifest_json(*project, compiled));
    write_run_results(*project, report, options);
    size_t pass = 0, warn = 0, error = 0, skip = 0;
    for (const auto& result : report.results) {
      if (result.status == "success" || result.status == "pass") ++pass;
      if (result.status == "warn") ++warn;
      if (result.status == "error" || result.status == "fail") ++error;
      if (result.status == "skipped") ++skip;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (logger.format() == LogFormat::kJson) {
      logger.result({{"status", report.exit_code() == 0 ? "success" : "error"},
                     {"command", which_},
                     {"project", project->name()},
                     {"pass", pass},
                     {"warn", warn},
                     {"error", error},
                     {"skip", skip},
                     {"total", report.results.size()},
                     {"seconds", seconds}});
    } else if (text) {
      std::printf("\n%s  Finished running %s in %.2f seconds (%.2fs).\n", clock_text().c_str(),
                  finished_kinds(report).c_str(), report.seconds, seconds);
      if (error == 0 && !report.interrupted) {
        std::printf("\n%s  Completed successfully\n", clock_text().c_str());
      } else {
        std::printf("\n%s  Completed with %s and %s:\n", clock_text().c_str(),
                    plural(error, "error").c_str(), plural(warn, "warning").c_str());
        for (const auto& result : report.results) {
          if (result.status == "error") {
            std::printf("\n%s  Error in %s %s (%s)\n%s    %s\n", clock_text().c_str(),
                        resource_type_name(result.node->resource_type), result.node->name.c_str(),
                        result.node->original_file_path.c_str(), clock_text().c_str(),
                        result.message.c_str());
          } else if (result.status == "fail") {
            std::printf("\n%s  Failure in test %s (%s)\n%s    %s\n", clock_text().c_str(),
                        result.node->name.c_str(), result.node->original_file_path.c_str(),
                        clock_text().c_str(), result.message.c_str());
          }
        }
      }
      std::printf("\n%s  Done. PASS=%zu WARN=%zu ERROR=%zu SKIP=%zu TOTAL=%zu\n",
                  clock_text().c_str(), pass, warn, error, skip, report.results.size());
      std::fflush(stdout);
    }
    return report.exit_code();
  }

 private:
  std::string which_;
  std::string help_;
  ProjectFlags flags_;
  bool full_refresh_ = false;
  bool fail_fast_ = false;
};

}  // namespace

std::unique_ptr<Command> make_run_command() {
  return std::make_unique<ProjectRunCommand>(
      "run", "Run the selected models in their target databases, in DAG order");
}

std::unique_ptr<Command> make_build_command() {
  return std::make_unique<ProjectRunCommand>(
      "build", "Seed, run and test the selected nodes in DAG order (tests gate what follows)");
}

std::unique_ptr<Command> make_seed_command() {
  return std::make_unique<ProjectRunCommand>(
      "seed", "Load the selected seeds (CSV files) into their target tables");
}

std::unique_ptr<Command> make_test_command() {
  return std::make_unique<ProjectRunCommand>("test", "Run the selected data tests");
}

}  // namespace dvt
