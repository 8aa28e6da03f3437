#include "support/run_dvt.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace dvt::test {

namespace {

std::string slurp_fd(int fd) {
  std::string out;
  char buffer[65536];
  for (;;) {
    ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    out.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  return out;
}

// The child's argv and environment, built before fork(): between fork() and
// exec() a child of a threaded process may only make async-signal-safe calls.
struct ChildCommand {
  ChildCommand(const std::vector<std::string>& args,
               const std::vector<std::pair<std::string, std::string>>& environment) {
    strings.push_back(DVT_BINARY);
    strings.insert(strings.end(), args.begin(), args.end());
    for (auto& arg : strings) argv.push_back(arg.data());
    argv.push_back(nullptr);
    for (char** entry = environ; *entry; ++entry) {
      std::string_view text(*entry);
      bool replaced = false;
      for (const auto& [name, value] : environment) {
        replaced |= text.starts_with(name + "=");
      }
      if (!replaced) variables.emplace_back(text);
    }
    for (const auto& [name, value] : environment) variables.push_back(name + "=" + value);
    for (auto& variable : variables) envp.push_back(variable.data());
    envp.push_back(nullptr);
  }
  [[noreturn]] void exec() {
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }

  std::vector<std::string> strings, variables;
  std::vector<char*> argv, envp;
};

}  // namespace

DvtRun run_dvt(const std::vector<std::string>& args, const DvtRunOptions& options) {
  ChildCommand command(args, options.environment);

  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, STDIN_FILENO);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ::_exit(126);
    command.exec();
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  DvtRun run;
  std::thread err_reader([&] { run.err = slurp_fd(err_pipe[0]); });
  std::thread interrupter;
  if (options.interrupt_after_ms >= 0) {
    interrupter = std::thread([pid, delay = options.interrupt_after_ms] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      ::kill(pid, SIGINT);
    });
  }
  run.out = slurp_fd(out_pipe[0]);
  err_reader.join();
  if (interrupter.joinable()) interrupter.join();
  int status = 0;
  struct rusage usage = {};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.peak_rss_kb = usage.ru_maxrss;
  return run;
}

pid_t spawn_dvt(const std::vector<std::string>& args, const std::string& dir,
                const std::vector<std::pair<std::string, std::string>>& environment) {
  ChildCommand command(args, environment);
  const std::string out = dir + "/spawned.out";
  const std::string err = dir + "/spawned.err";
  pid_t pid = ::fork();
  if (pid == 0) {
    int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::dup2(null_fd, STDIN_FILENO);
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    command.exec();
  }
  if (pid < 0) throw std::runtime_error("fork failed");
  return pid;
}

int wait_dvt(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "dvt-test-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace dvt::test
