#include "core/temp_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "core/error.h"

namespace dvt {

namespace fs = std::filesystem;

pid_t dead_process_in(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix)) return 0;
  std::string_view digits = name.substr(prefix.size());
  pid_t pid = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (error != std::errc() || end != digits.data() + digits.size() || pid <= 0 ||
      pid == ::getpid()) {
    return 0;
  }
  return ::kill(pid, 0) != 0 && errno == ESRCH ? pid : 0;
}

std::string host_tag() {
  char name[256] = {};
  ::gethostname(name, sizeof(name) - 1);
  uint32_t hash = 2166136261u;
  for (const char* p = name; *p; ++p) {
    hash ^= static_cast<uint8_t>(*p);
    hash *= 16777619u;
  }
  return fmt::format("{:08x}", hash);
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
    if (dead_process_in(entry.path().filename().string(), prefix) > 0) {
      fs::remove(entry.path(), error);
    }
  }
}

}  // namespace dvt
