#include "cli/command.h"

namespace dvt {

std::vector<std::unique_ptr<Command>> all_commands() {
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(make_copy_command());
  commands.push_back(make_extract_command());
  commands.push_back(make_load_command());
  commands.push_back(make_hashes_command());
  commands.push_back(make_sync_command());
  commands.push_back(make_debug_command());
  commands.push_back(make_parse_command());
  commands.push_back(make_ls_command());
  commands.push_back(make_compile_command());
  commands.push_back(make_run_command());
  commands.push_back(make_build_command());
  commands.push_back(make_seed_command());
  commands.push_back(make_test_command());
  commands.push_back(make_show_command());
  commands.push_back(make_init_command());
  return commands;
}

}  // namespace dvt
