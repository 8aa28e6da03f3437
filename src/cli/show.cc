// dvt show: the first rows of a model's SQL (or a seed's table), run in its
// target database, printed as a table as dbt show prints them.
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/project_flags.h"
#include "core/error.h"
#include "core/log.h"
#include "core/utf8.h"
#include "run/project_run.h"

namespace dvt {

namespace {

class ShowCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command =
        app.add_subcommand("show", "Preview the first rows of a model (its SQL run in its target)");
    add_vars_flag(command, flags_);
    add_selection_flags(command, flags_);
    command->add_option("--limit", limit_, "Rows to show (default 5)")
        ->check(CLI::Range(0, 1000000));
    return command;
  }

  int run(const GlobalOptions& global) override {
    if (flags_.select.empty())
      throw ConfigError("dvt show needs --select NAME (one model or seed)");
    std::unique_ptr<Project> project = load_project(global, flags_, "show");
    std::vector<const Node*> nodes;
    for (const Node* node : select_nodes(*project, selection_of(flags_))) {
      if (node->resource_type == ResourceType::kModel ||
          node->resource_type == ResourceType::kSeed) {
        nodes.push_back(node);
      }
    }
    if (nodes.size() != 1) {
      throw ConfigError(
          fmt::format("dvt show previews one model or seed; --select matched {}", nodes.size()));
    }
    Preview preview =
        preview_node(*project, *nodes[0], static_cast<uint64_t>(limit_), {0, global.memory_limit});
    Logger& logger = Logger::instance();
    if (logger.format() == LogFormat::kJson) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& row : preview.rows) {
        nlohmann::json object = nlohmann::json::object();
        for (size_t i = 0; i < row.size() && i < preview.columns.size(); ++i) {
          object[preview.columns[i]] = row[i] ? nlohmann::json(*row[i]) : nlohmann::json(nullptr);
        }
        rows.push_back(object);
      }
      logger.result({{"status", "success"},
                     {"command", "show"},
                     {"node", nodes[0]->name},
                     {"preview", rows}});
      return 0;
    }
    std::printf("Previewing node '%s':\n", nodes[0]->name.c_str());
    std::vector<size_t> widths;
    for (const auto& column : preview.columns)
      widths.push_back(std::max<size_t>(display_width(column), 1));
    auto cell = [](const std::optional<std::string>& value) { return value ? *value : "NULL"; };
    for (const auto& row : preview.rows) {
      for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
        widths[i] = std::max(widths[i], display_width(cell(row[i])));
    }
    auto print_row = [&](const std::vector<std::string>& values) {
      std::string line = "|";
      for (size_t i = 0; i < values.size(); ++i) {
        line += " " + values[i] + std::string(widths[i] - display_width(values[i]), ' ') + " |";
      }
      std::printf("%s\n", line.c_str());
    };
    print_row(preview.columns);
    std::vector<std::string> rule;
    for (size_t width : widths) rule.push_back(std::string(width, '-'));
    print_row(rule);
    for (const auto& row : preview.rows) {
      std::vector<std::string> values;
      for (const auto& value : row) values.push_back(cell(value));
      values.resize(widths.size());
      print_row(values);
    }
    std::fflush(stdout);
    return 0;
  }

 private:
  ProjectFlags flags_;
  int limit_ = 5;
};

}  // namespace

std::unique_ptr<Command> make_show_command() {
  return std::make_unique<ShowCommand>();
}

}  // namespace dvt
