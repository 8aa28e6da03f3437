// The folder a job's engine spills into: "dvt-<pid>" under the system's temp
// folder ($TMPDIR or /tmp), removed when the job ends. A job killed outright
// (SIGKILL, a crash) cannot remove its own, so each new job first removes the
// folders of jobs whose process no longer runs.
#pragma once

#include <filesystem>

namespace dvt {

class ScratchDirectory {
 public:
  ScratchDirectory();
  ~ScratchDirectory();
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace dvt
