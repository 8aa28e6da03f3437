#include "core/scratch_directory.h"

#include <unistd.h>

#include <string>

#include <fmt/format.h>

#include "core/error.h"
#include "core/temp_file.h"

namespace dvt {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPrefix = "dvt-";

// The pid in "dvt-<pid>", or 0 for any other name.
pid_t pid_of(const std::string& name) {
  if (!name.starts_with(kPrefix) || name.size() == 4 || name.size() > 14) return 0;
  long pid = 0;
  for (char c : name.substr(4)) {
    if (c < '0' || c > '9') return 0;
    pid = pid * 10 + (c - '0');
  }
  return static_cast<pid_t>(pid);
}

}  // namespace

ScratchDirectory::ScratchDirectory() {
  std::error_code error;
  fs::path parent = fs::temp_directory_path(error);
  if (error) throw ConfigError(fmt::format("no temp folder: {}", error.message()));
  for (const auto& entry : fs::directory_iterator(parent, error)) {
    pid_t pid = pid_of(entry.path().filename().string());
    std::error_code ignored;
    if (pid > 0 && pid != ::getpid() && entry.is_directory(ignored) && process_is_gone(pid)) {
      fs::remove_all(entry.path(), ignored);
    }
  }
  path_ = parent / fmt::format("{}{}", kPrefix, ::getpid());
  fs::create_directories(path_, error);
  if (error) {
    throw ConfigError(fmt::format("cannot create folder {}: {}", path_.string(), error.message()));
  }
}

ScratchDirectory::~ScratchDirectory() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

}  // namespace dvt
