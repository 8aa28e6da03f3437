// A file written under a temporary name beside its final path and renamed
// into place only on commit(), so a failed or killed writer never leaves a
// file that looks complete. Destruction without commit removes the temp file.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace dvt {

// The pid in `name` when it is `prefix` followed by the decimal pid of
// another process that no longer runs on this machine, so what that process
// left behind (a temp file, a scratch folder, a staging table) can go; 0 for
// any other name.
pid_t dead_process_in(std::string_view name, std::string_view prefix);

// Eight hex digits naming this machine (FNV-1a of its host name), for names
// of things a process leaves on a server, which only the same machine may
// judge stale.
std::string host_tag();

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
