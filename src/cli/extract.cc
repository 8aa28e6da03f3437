// dvt extract FROM: a table or query to <staging>/<name>.parquet.
#include "cli/command.h"
#include "cli/transfer.h"
#include "cli/transfer_flags.h"
#include "core/error.h"

namespace dvt {

namespace {

class ExtractCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command =
        app.add_subcommand("extract", "Extract a table or query to <staging>/<name>.parquet");
    command->add_option("FROM", from_, "OUTPUT:SCHEMA.TABLE, OUTPUT:TABLE or OUTPUT (with --query)")
        ->required();
    command->add_option("--name", name_, "Staging name (default: the table name)");
    command->add_option("--staging-dir", staging_dir_,
                        "Staging folder (default: <project>/.dvt/staging)");
    add_source_flags(command, source_);
    add_method_flag(command, method_);
    return command;
  }

  int run(const GlobalOptions& global) override {
    Method method = parse_method(method_);
    Endpoint from = parse_endpoint(from_);
    ScanRequest scan = make_scan(source_, method);
    LoadRequest load = make_load(TargetFlags{}, method);
    if (from.is_file) {
      throw ConfigError("extract reads a database table; to copy a file use dvt copy");
    }
    std::string file = staging_name(name_, from.table.name, "extract with --query needs --name");
    Endpoint to =
        parse_endpoint((staging_dir(global, staging_dir_) / (file + ".parquet")).string());
    report(run_cli_transfer(global, "extract", from, scan, to, load));
    return 0;
  }

 private:
  std::string from_, name_, staging_dir_, method_ = "auto";
  SourceFlags source_;
};

}  // namespace

std::unique_ptr<Command> make_extract_command() {
  return std::make_unique<ExtractCommand>();
}

}  // namespace dvt
