// One command of the CLI, in a file of its own (src/cli/<command>.cc): it adds
// its subcommand and flags to the application, and runs once they are
// parsed. main.cc only registers the commands (commands.cc lists them) and
// runs the one given; errors a command throws become one message and an exit
// code there.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <vector>

#include "cli/global_options.h"

namespace dvt {

class Command {
 public:
  virtual ~Command() = default;
  // Adds the subcommand and its flags to `app`; parsing fills this object.
  virtual CLI::App* add_to(CLI::App& app) = 0;
  // Runs the command. Returns the exit code; throws Error for a failure.
  virtual int run(const GlobalOptions& global) = 0;
};

// Every command, in the order `dvt --help` lists them.
std::vector<std::unique_ptr<Command>> all_commands();

// The factories, one per command file.
std::unique_ptr<Command> make_copy_command();
std::unique_ptr<Command> make_extract_command();
std::unique_ptr<Command> make_load_command();
std::unique_ptr<Command> make_hashes_command();
std::unique_ptr<Command> make_sync_command();
std::unique_ptr<Command> make_debug_command();
std::unique_ptr<Command> make_parse_command();
std::unique_ptr<Command> make_ls_command();
std::unique_ptr<Command> make_compile_command();
std::unique_ptr<Command> make_run_command();
std::unique_ptr<Command> make_build_command();
std::unique_ptr<Command> make_seed_command();
std::unique_ptr<Command> make_test_command();
std::unique_ptr<Command> make_show_command();
std::unique_ptr<Command> make_init_command();

}  // namespace dvt
