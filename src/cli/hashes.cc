// dvt hashes FROM: one MD5 per row, keyed by the primary key, computed inside
// the source, to <staging>/_state/<name>.hashes.parquet.
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/progress_line.h"
#include "cli/transfer.h"
#include "cli/transfer_flags.h"
#include "core/error.h"

namespace dvt {

namespace {

class HashesCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command = app.add_subcommand("hashes",
                                           "Write one MD5 per row, keyed by the primary key, to "
                                           "<staging>/_state/<name>.hashes.parquet");
    command->add_option("FROM", from_, "OUTPUT:SCHEMA.TABLE or OUTPUT:TABLE")->required();
    command->add_option("--name", name_, "State name (default: the table name)");
    command->add_option("--staging-dir", staging_dir_,
                        "Staging folder (default: <project>/.dvt/staging)");
    return command;
  }

  int run(const GlobalOptions& global) override {
    Endpoint from = parse_endpoint(from_);
    if (from.is_file || from.table.name.empty()) {
      throw ConfigError(fmt::format(
          "hashes reads a database table: use OUTPUT:SCHEMA.TABLE, got '{}'", from.text));
    }
    std::string file = staging_name(name_, from.table.name, "hashes needs a table");
    ProfileContext profiles = global.profiles();
    TransferEnd source = resolve_end(profiles, from, nullptr);
    if (from.output.empty()) {
      source.display = fmt::format("{}:{}", source.output->name(), from.table.display());
    }
    ProgressLine line;
    std::filesystem::path dir = staging_dir(global, staging_dir_);
    report(
        run_row_hashes(global.job(), source, dir / "_state" / (file + ".hashes.parquet"), &line));
    return 0;
  }

 private:
  std::string from_, name_, staging_dir_;
};

}  // namespace

std::unique_ptr<Command> make_hashes_command() {
  return std::make_unique<HashesCommand>();
}

}  // namespace dvt
