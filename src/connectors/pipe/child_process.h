// A CLI tool run as a child with pipes to its stdin and stdout, for the pipe
// tier (psql, mysql, clickhouse-client, ...). The child gets secrets through
// its own environment only (never argv, never our environment), runs in its
// own process group (a terminal Ctrl-C reaches dvt, which then stops the child
// itself), dies with dvt (PR_SET_PDEATHSIG), and is always reaped: the
// destructor terminates a child still running and waits for it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dvt {

struct ChildOptions {
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up in PATH
  // Added to (or replacing in) the inherited environment, in the child only.
  std::vector<std::pair<std::string, std::string>> environment;
  bool pipe_stdin = false;  // else stdin is /dev/null
  bool pipe_stdout = true;  // else stdout is /dev/null
};

class ChildProcess {
 public:
  // Starts the child. Throws ConnectionError when it cannot be started.
  explicit ChildProcess(const ChildOptions& options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }

  // Reads up to `size` bytes of the child's stdout; 0 at end of output.
  size_t read(char* buffer, size_t size);
  // Writes all of `data` to the child's stdin. Throws ConnectionError (with
  // the child's stderr) when the child has gone away.
  void write_all(const char* data, size_t size);
  // Closes the child's stdin (end of input).
  void close_stdin();

  // Waits for the child to exit; returns its exit code (128+signal when it
  // was killed). Idempotent.
  int wait();
  // The last 64 KiB the child wrote to stderr (complete once wait() returned).
  std::string stderr_text() const;

  // Throws ConnectionError "<tool> failed (exit N): <stderr>" unless the
  // child exited with 0. Waits first.
  void check_success(const std::string& what);

 private:
  struct StderrDrain;
  std::string name_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::optional<int> exit_code_;
  std::unique_ptr<StderrDrain> stderr_;
};

// The absolute path of `tool` found in PATH, or nullopt.
std::optional<std::string> find_in_path(const std::string& tool);

}  // namespace dvt
