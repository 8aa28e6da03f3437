// dvt compile: renders the selected models and tests (execute true, as dbt
// compile) into target/compiled/<project>/<path> and writes
// target/manifest.json with their compiled code. With one model selected it
// also prints that model's SQL.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/project_flags.h"
#include "core/error.h"
#include "core/log.h"
#include "project/manifest.h"

namespace dvt {

namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw DataError(fmt::format("{}: cannot write the compiled SQL", path.string()));
}

class CompileCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command =
        app.add_subcommand("compile", "Render the selected models and tests into target/compiled/");
    add_vars_flag(command, flags_);
    add_selection_flags(command, flags_);
    return command;
  }

  int run(const GlobalOptions& global) override {
    auto start = std::chrono::steady_clock::now();
    std::unique_ptr<Project> project = load_project(global, flags_, "compile");
    std::vector<const Node*> nodes;
    for (const Node* node : select_nodes(*project, selection_of(flags_))) {
      if (node->resource_type == ResourceType::kModel ||
          node->resource_type == ResourceType::kTest) {
        nodes.push_back(node);
      }
    }
    std::vector<CompiledNode> compiled(nodes.size());
    render_all(*project, nodes, compiled, global.threads);
    std::map<std::string, CompiledNode> by_id;
    for (size_t i = 0; i < nodes.size(); ++i) {
      write_text(compiled_file(*project, *nodes[i]), compiled[i].code);
      by_id[nodes[i]->unique_id] = compiled[i];
    }
    write_manifest(*project, manifest_json(*project, by_id));
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    Logger& logger = Logger::instance();
    if (logger.format() == LogFormat::kJson) {
      logger.result({{"status", "success"},
                     {"command", "compile"},
                     {"project", project->name()},
                     {"compiled", nodes.size()},
                     {"seconds", seconds}});
      return 0;
    }
    if (logger.verbosity() < 0) return 0;
    std::printf("%s\n", project_summary(*project).c_str());
    std::vector<const Node*> models;
    for (const Node* node : nodes) {
      if (node->resource_type == ResourceType::kModel) models.push_back(node);
    }
    if (!flags_.select.empty() && models.size() == 1) {
      std::printf("Compiled node '%s' is:\n%s\n", models[0]->name.c_str(),
                  by_id[models[0]->unique_id].code.c_str());
    }
    std::printf("compile: %zu nodes of %s in %.2f s into %s\n", nodes.size(),
                project->name().c_str(), seconds, (project->target_dir() / "compiled").c_str());
    std::fflush(stdout);
    return 0;
  }

 private:
  // Renders every node, on `threads` threads (0: two).
  static void render_all(const Project& project, const std::vector<const Node*>& nodes,
                         std::vector<CompiledNode>& out, int threads) {
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&] {
      for (size_t i = next++; i < nodes.size(); i = next++) {
        try {
          out[i] = project.compile(*nodes[i]);
        } catch (...) {
          std::lock_guard lock(failure_mutex);
          if (!failure) failure = std::current_exception();
          next = nodes.size();
        }
      }
    };
    size_t count = std::min<size_t>(threads > 0 ? threads : 2, std::max<size_t>(nodes.size(), 1));
    std::vector<std::thread> pool;
    for (size_t i = 1; i < count; ++i) pool.emplace_back(work);
    work();
    for (auto& thread : pool) thread.join();
    if (failure) std::rethrow_exception(failure);
  }

  ProjectFlags flags_;
};

}  // namespace

std::unique_ptr<Command> make_compile_command() {
  return std::make_unique<CompileCommand>();
}

}  // namespace dvt
