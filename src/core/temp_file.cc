#include "core/temp_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "core/error.h"

namespace dvt {

namespace fs = std::filesystem;

bool process_is_gone(pid_t pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

TempFile::TempFile(fs::path final_path) : final_path_(std::move(final_path)) {
  if (final_path_.has_parent_path()) {
    std::error_code error;
    fs::create_directories(final_path_.parent_path(), error);
    if (error) {
      throw ConfigError(fmt::format("cannot create folder {}: {}",
                                    final_path_.parent_path().string(), error.message()));
    }
  }
  temp_path_ = final_path_;
  temp_path_ += fmt::format(".tmp-{}", getpid());
  fs::remove(temp_path_);
}

TempFile::~TempFile() {
  if (!committed_) {
    std::error_code ignored;
    fs::remove(temp_path_, ignored);
  }
}

void TempFile::commit() {
  int fd = ::open(temp_path_.c_str(), O_RDONLY);
  if (fd < 0) {
    throw Error(fmt::format("cannot open {}: {}", temp_path_.string(), std::strerror(errno)));
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    throw Error(fmt::format("cannot rename {} to {}: {}", temp_path_.string(), final_path_.string(),
                            std::strerror(errno)));
  }
  committed_ = true;
}

void TempFile::remove_stale(const fs::path& final_path) {
  fs::path folder = final_path.has_parent_path() ? final_path.parent_path() : fs::path(".");
  std::string prefix = final_path.filename().string() + ".tmp-";
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix)) continue;
    pid_t pid = 0;
    try {
      pid = static_cast<pid_t>(std::stol(name.substr(prefix.size())));
    } catch (...) {
      continue;
    }
    if (pid > 0 && pid != getpid() && process_is_gone(pid)) {
      fs::remove(entry.path(), error);
    }
  }
}

}  // namespace dvt
