// A file written under a temporary name beside its final path and renamed
// into place only on commit(), so a failed or killed writer never leaves a
// file that looks complete. Destruction without commit removes the temp file.
#pragma once

#include <sys/types.h>

#include <filesystem>

namespace dvt {

// True when no process with this pid runs on this machine, so what it left
// behind (a temp file, a scratch folder) can be removed.
bool process_is_gone(pid_t pid);

class TempFile {
 public:
  // Temp name: "<final>.tmp-<pid>". Creates the parent folder if needed.
  explicit TempFile(std::filesystem::path final_path);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::filesystem::path& path() const { return temp_path_; }
  const std::filesystem::path& final_path() const { return final_path_; }

  // fsyncs the temp file and renames it over the final path (atomic on POSIX).
  void commit();

  // Removes "<final>.tmp-<pid>" files left by processes that no longer run.
  static void remove_stale(const std::filesystem::path& final_path);

 private:
  std::filesystem::path final_path_;
  std::filesystem::path temp_path_;
  bool committed_ = false;
};

}  // namespace dvt
