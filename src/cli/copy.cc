// dvt copy FROM TO: rows from a table, query or Parquet file into a table or
// Parquet file.
#include "cli/command.h"
#include "cli/transfer.h"
#include "cli/transfer_flags.h"

namespace dvt {

namespace {

class CopyCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command = app.add_subcommand(
        "copy", "Copy rows from a table, query or Parquet file into a table or Parquet file");
    command
        ->add_option("FROM", from_,
                     "OUTPUT:SCHEMA.TABLE, OUTPUT:TABLE, OUTPUT (with --query) or FILE.parquet")
        ->required();
    command->add_option("TO", to_, "OUTPUT:SCHEMA.TABLE, OUTPUT:TABLE or FILE.parquet")->required();
    add_source_flags(command, source_);
    add_target_flags(command, target_);
    add_method_flag(command, method_);
    return command;
  }

  int run(const GlobalOptions& global) override {
    Method method = parse_method(method_);
    Endpoint from = parse_endpoint(from_);
    ScanRequest scan = make_scan(source_, method);
    LoadRequest load = make_load(target_, method);
    report(run_cli_transfer(global, "copy", from, scan, parse_endpoint(to_), load));
    return 0;
  }

 private:
  std::string from_, to_, method_ = "auto";
  SourceFlags source_;
  TargetFlags target_;
};

}  // namespace

std::unique_ptr<Command> make_copy_command() {
  return std::make_unique<CopyCommand>();
}

}  // namespace dvt
