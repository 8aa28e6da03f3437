#include "core/scratch_directory.h"

#include <unistd.h>

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/error.h"
#include "core/temp_file.h"

namespace dvt {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "dvt-";

}  // namespace

ScratchDirectory::ScratchDirectory() {
  std::error_code error;
  fs::path parent = fs::temp_directory_path(error);
  if (error) throw ConfigError(fmt::format("no temp folder: {}", error.message()));
  for (const auto& entry : fs::directory_iterator(parent, error)) {
    std::error_code ignored;
    if (entry.is_directory(ignored) &&
        dead_process_in(entry.path().filename().string(), kPrefix) > 0) {
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
