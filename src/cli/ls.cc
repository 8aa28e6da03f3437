// dvt ls: the selected nodes, one a line, sorted by unique_id as dbt lists
// them: as selectors (default), names, paths or JSON objects.
#include <cstdio>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/project_flags.h"
#include "project/manifest.h"

namespace dvt {

namespace {

// Python's json.dumps (", " and ": ", non-ASCII escaped), as dbt ls prints.
void write_python_json(const Json& value, std::string& out) {
  if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      if (!first) out += ", ";
      first = false;
      out += Json(key).dump(-1, ' ', true);
      out += ": ";
      write_python_json(item, out);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& item : value) {
      if (!first) out += ", ";
      first = false;
      write_python_json(item, out);
    }
    out += ']';
  } else {
    out += value.dump(-1, ' ', true, Json::error_handler_t::replace);
  }
}

class LsCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command =
        app.add_subcommand("ls", "List the selected nodes of the project")->alias("list");
    add_vars_flag(command, flags_);
    add_selection_flags(command, flags_);
    command->add_option("--output,-o", output_, "selector, name, path or json")
        ->check(CLI::IsMember({"selector", "name", "path", "json"}));
    command->add_option("--output-keys", output_keys_, "With --output json: the keys to print")
        ->expected(1, -1);
    return command;
  }

  int run(const GlobalOptions& global) override {
    std::unique_ptr<Project> project = load_project(global, flags_, "list");
    std::set<std::string> ids = select_ids(*project, selection_of(flags_));
    static const std::vector<std::string> kAllowed = {
        "alias",  "name",          "package_name", "depends_on",         "tags",
        "config", "resource_type", "source_name",  "original_file_path", "unique_id"};
    std::vector<std::string> keys = output_keys_.empty() ? kAllowed : output_keys_;
    for (const auto& id : ids) {
      const Node& node = *project->find(id);
      std::string line;
      if (output_ == "name") {
        line = node.resource_type == ResourceType::kSource ? node.source_name + "." + node.name
                                                           : node.name;
      } else if (output_ == "path") {
        line = node.original_file_path;
      } else if (output_ == "json") {
        Json full = node_to_json(*project, node);
        Json shown = Json::object();
        for (const auto& [key, value] : full.items()) {
          if (std::find(keys.begin(), keys.end(), key) != keys.end()) shown[key] = value;
        }
        write_python_json(shown, line);
      } else if (node.resource_type == ResourceType::kSource) {
        line = fmt::format("source:{}.{}.{}", node.package_name, node.source_name, node.name);
      } else {
        line = fmt::format("{}", fmt::join(node.fqn, "."));
      }
      std::printf("%s\n", line.c_str());
    }
    std::fflush(stdout);
    return 0;
  }

 private:
  ProjectFlags flags_;
  std::string output_ = "selector";
  std::vector<std::string> output_keys_;
};

}  // namespace

std::unique_ptr<Command> make_ls_command() {
  return std::make_unique<LsCommand>();
}

}  // namespace dvt
