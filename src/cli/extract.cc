// dvt extract FROM: a table or query to <staging>/<name>.parquet.
#include "state/extract.h"
#include "cli/command.h"
#include "cli/progress_line.h"
#include "cli/transfer.h"
#include "cli/transfer_flags.h"
#include "core/error.h"
#include "project/profiles.h"

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
    command
        ->add_flag("--full-refresh", full_refresh_,
                   "Extract every row, even when the state says the source is unchanged")
        ->group("State");
    command
        ->add_flag("--delta", delta_,
                   "Read only new and changed rows (found by comparing row hashes with the ones "
                   "kept last time; a table with a primary or unique key)")
        ->group("State");
    command
        ->add_option("--incremental-key", incremental_key_,
                     "Read only rows whose COL is at least the largest value extracted before, "
                     "merged into the staging file by key (appended without one)")
        ->group("State");
    return command;
  }

  int run(const GlobalOptions& global) override {
    Method method = parse_method(method_);
    Endpoint from = parse_endpoint(from_);
    ScanRequest scan = make_scan(source_, method);
    if (from.is_file) {
      throw ConfigError("extract reads a database table; to copy a file use dvt copy");
    }
    std::string file = staging_name(name_, from.table.name, "extract with --query needs --name");
    ProfileContext profiles = global.profiles();
    ExtractJob job;
    job.from = resolve_end(profiles, from, &scan);
    job.scan = scan;
    job.staging_dir = staging_dir(global, staging_dir_);
    job.name = file;
    job.full_refresh = full_refresh_;
    job.delta = delta_;
    job.incremental_key = incremental_key_;
    ProgressLine line;
    report(run_extract(global.job(), job, &line));
    return 0;
  }

 private:
  std::string from_, name_, staging_dir_, method_ = "auto", incremental_key_;
  bool full_refresh_ = false, delta_ = false;
  SourceFlags source_;
};

}  // namespace

std::unique_ptr<Command> make_extract_command() {
  return std::make_unique<ExtractCommand>();
}

}  // namespace dvt
