// Runs the real dvt binary in a test and reports what it did.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace dvt::test {

struct DvtRun {
  int exit_code = -1;
  std::string out;       // stdout
  std::string err;       // stderr
  long peak_rss_kb = 0;  // the child's peak resident set (getrusage of the child)
};

struct DvtRunOptions {
  std::string cwd{};                                               // empty: the current folder
  std::vector<std::pair<std::string, std::string>> environment{};  // added for the child
  int interrupt_after_ms = -1;  // >= 0: send SIGINT to the child after this long
};

// Runs DVT_BINARY with `args`. Never throws on a non-zero exit.
DvtRun run_dvt(const std::vector<std::string>& args, const DvtRunOptions& options = {});

// Starts DVT_BINARY with `args` in the background, in folder `dir`, its
// stdout and stderr going to dir/spawned.out and dir/spawned.err, with
// `environment` added; returns its pid. wait_dvt() reaps it.
pid_t spawn_dvt(const std::vector<std::string>& args, const std::string& dir,
                const std::vector<std::pair<std::string, std::string>>& environment = {});
// Waits for a spawned dvt; returns its exit code (128+signal when killed).
int wait_dvt(pid_t pid);

// A fresh empty folder under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `content` to `path` (creating or truncating it).
void write_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);

}  // namespace dvt::test
