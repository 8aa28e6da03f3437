// The options every command takes (before or after the command's name):
// where profiles.yml and the project are, which profile and output, logging,
// and the engine's threads and memory.
#pragma once

#include <optional>
#include <string>

#include "job/transfer.h"
#include "project/profiles.h"

namespace dvt {

struct GlobalOptions {
  std::optional<std::string> profiles_dir;
  std::string profile;
  std::string target;
  std::string project_dir = ".";
  std::string log_format = "text";
  bool quiet = false;
  int verbose = 0;
  int threads = 0;  // engine threads; 0: 1 for a reader source, 2 otherwise
  std::string memory_limit = "1GB";

  JobOptions job() const { return {threads, memory_limit}; }
  ProfileContext profiles() const { return ProfileContext(profiles_dir, profile, target); }
};

}  // namespace dvt
