#include "connectors/pipe/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"

extern char** environ;

namespace dvt {
namespace {

constexpr size_t kStderrKeep = 64 * 1024;

// Waits until `fd` is ready for `events` (POLLIN, POLLOUT) or 200 ms have
// passed, after checking for Ctrl-C: our ends of a child's pipes are
// non-blocking, so a silent child or one that stopped reading never holds us.
void wait_ready(int fd, short events) {
  check_interrupted();
  pollfd ready{fd, events, 0};
  ::poll(&ready, 1, 200);
}

// Closes an fd it owns.
void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

// Reads the child's stderr on a thread so a chatty child never blocks on a
// full pipe while we block on its stdout; keeps the tail for error messages.
struct ChildProcess::StderrDrain {
  explicit StderrDrain(int fd) : fd_(fd), thread_([this] { run(); }) {}
  ~StderrDrain() {
    if (thread_.joinable()) thread_.join();
    close_fd(fd_);
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::string text() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  void run() {
    char buffer[4096];
    for (;;) {
      ssize_t got = ::read(fd_, buffer, sizeof(buffer));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      std::lock_guard lock(mutex_);
      text_.append(buffer, static_cast<size_t>(got));
      if (text_.size() > kStderrKeep) text_.erase(0, text_.size() - kStderrKeep);
    }
  }

  int fd_;
  mutable std::mutex mutex_;
  std::string text_;
  std::thread thread_;
};

std::optional<std::string> find_in_path(const std::string& tool) {
  if (tool.find('/') != std::string::npos) {
    if (::access(tool.c_str(), X_OK) == 0) return tool;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    std::string_view dir = std::string_view(dirs).substr(
        start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate(dir.empty() ? std::string_view(".") : dir);
    candidate.append("/").append(tool);
    struct stat info;
    if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

ChildProcess::ChildProcess(const ChildOptions& options) {
  if (options.argv.empty()) throw InternalError("ChildProcess without argv");
  name_ = options.argv[0];
  std::optional<std::string> executable = find_in_path(options.argv[0]);
  if (!executable) throw ConnectionError(fmt::format("{} not found in PATH", options.argv[0]));

  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry; ++entry) {
    std::string_view item(*entry);
    std::string_view key = item.substr(0, item.find('='));
    bool replaced = false;
    for (const auto& [name, value] : options.environment) replaced |= (key == name);
    if (!replaced) env_strings.emplace_back(item);
  }
  for (const auto& [name, value] : options.environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& item : env_strings) envp.push_back(item.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  auto close_all = [&] {
    for (int* pair : {in_pipe, out_pipe, err_pipe}) {
      close_fd(pair[0]);
      close_fd(pair[1]);
    }
  };
  if ((options.pipe_stdin && ::pipe2(in_pipe, O_CLOEXEC) != 0) ||
      (options.pipe_stdout && ::pipe2(out_pipe, O_CLOEXEC) != 0) ||
      ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    close_all();
    throw ConnectionError(
        fmt::format("cannot create pipes for {}: {}", name_, std::strerror(errno)));
  }
  int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  const long max_fd = ::sysconf(_SC_OPEN_MAX);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    close_all();
    close_fd(devnull);
    throw ConnectionError(fmt::format("cannot start {}: {}", name_, std::strerror(errno)));
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    ::dup2(options.pipe_stdin ? in_pipe[0] : devnull, STDIN_FILENO);
    ::dup2(options.pipe_stdout ? out_pipe[1] : devnull, STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    // Nothing else of ours: client libraries open their sockets without
    // O_CLOEXEC, and a child holding one would keep that connection (and its
    // open transaction) alive after dvt is gone.
    if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
      for (long fd = 3; fd < max_fd; ++fd) ::close(static_cast<int>(fd));
    }
    ::execve(executable->c_str(), argv.data(), envp.data());
    const char message[] = "exec failed\n";
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, message, sizeof(message) - 1);
    ::_exit(127);
  }
  pid_ = pid;
  close_fd(devnull);
  close_fd(in_pipe[0]);
  close_fd(out_pipe[1]);
  close_fd(err_pipe[1]);
  stdin_fd_ = in_pipe[1];
  // Only our ends are non-blocking: reads and writes wait in wait_ready().
  stdout_fd_ = out_pipe[0];
  for (int fd : {stdin_fd_, stdout_fd_}) {
    if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  stderr_ = std::make_unique<StderrDrain>(err_pipe[0]);
  log_debug("pipe.spawn", fmt::format("started {} (pid {})", name_, pid_),
            {{"tool", name_}, {"pid", pid_}});
}

ChildProcess::~ChildProcess() {
  close_fd(stdin_fd_);
  close_fd(stdout_fd_);
  if (!exit_code_ && pid_ > 0) {
    // Still running: ask it to stop, then insist.
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = 0;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exit_code_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  stderr_.reset();
}

size_t ChildProcess::read(char* buffer, size_t size) {
  for (;;) {
    ssize_t got = ::read(stdout_fd_, buffer, size);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno == EAGAIN || errno == EINTR) {
      // Nothing yet (a child waiting on its server may print nothing for long).
      wait_ready(stdout_fd_, POLLIN);
      continue;
    }
    throw ConnectionError(fmt::format("reading from {}: {}", name_, std::strerror(errno)));
  }
}

void ChildProcess::write_all(const char* data, size_t size) {
  while (size > 0) {
    ssize_t put = ::write(stdin_fd_, data, size);
    if (put < 0 && (errno == EAGAIN || errno == EINTR)) {
      // The pipe is full until the child reads.
      wait_ready(stdin_fd_, POLLOUT);
      continue;
    }
    if (put < 0) {
      int error = errno;
      wait();
      throw ConnectionError(fmt::format("{} stopped reading its input ({}): {}", name_,
                                        std::strerror(error),
                                        Logger::instance().redact(stderr_text())));
    }
    data += put;
    size -= static_cast<size_t>(put);
  }
}

void ChildProcess::close_stdin() {
  close_fd(stdin_fd_);
}

int ChildProcess::wait() {
  if (exit_code_) return *exit_code_;
  close_fd(stdin_fd_);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      exit_code_ = 127;
      return *exit_code_;
    }
  }
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (stderr_) stderr_->join();
  return *exit_code_;
}

std::string ChildProcess::stderr_text() const {
  return stderr_ ? stderr_->text() : "";
}

void ChildProcess::check_success(const std::string& what) {
  int code = wait();
  if (code != 0) {
    std::string text = stderr_text();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    throw ConnectionError(fmt::format("{}: {} failed (exit {}): {}", what, name_, code,
                                      Logger::instance().redact(text)));
  }
}

}  // namespace dvt
