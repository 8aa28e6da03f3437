// dvt load FILE TO: a Parquet file into a table.
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/transfer.h"
#include "cli/transfer_flags.h"
#include "core/error.h"

namespace dvt {

namespace {

class LoadCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command = app.add_subcommand("load", "Load a Parquet or CSV file into a table");
    command->add_option("FILE", from_, "FILE.parquet or FILE.csv")->required();
    command->add_option("TO", to_, "OUTPUT:SCHEMA.TABLE or OUTPUT:TABLE")->required();
    add_target_flags(command, target_);
    add_method_flag(command, method_);
    return command;
  }

  int run(const GlobalOptions& global) override {
    Method method = parse_method(method_);
    Endpoint from = parse_endpoint(from_);
    ScanRequest scan = make_scan(SourceFlags{}, method);
    LoadRequest load = make_load(target_, method);
    if (!from.is_file)
      throw ConfigError(fmt::format("load reads a .parquet or .csv file, got '{}'", from_));
    Endpoint to = parse_endpoint(to_);
    if (to.is_file) {
      throw ConfigError("load writes into a database table; to copy a file use dvt copy");
    }
    report(run_cli_transfer(global, "load", from, scan, to, load));
    return 0;
  }

 private:
  std::string from_, to_, method_ = "auto";
  TargetFlags target_;
};

}  // namespace

std::unique_ptr<Command> make_load_command() {
  return std::make_unique<LoadCommand>();
}

}  // namespace dvt
