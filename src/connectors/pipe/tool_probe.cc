#include "connectors/pipe/tool_probe.h"

#include <signal.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "connectors/pipe/child_process.h"
#include "connectors/registry.h"
#include "core/error.h"

namespace dvt {

namespace {

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 120) line = line.substr(0, 117) + "...";
  return line;
}

}  // namespace

Captured capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  ChildOptions options;
  options.argv = argv;
  options.environment = {{"LC_ALL", "C"}};
  ChildProcess child(options);
  std::mutex mutex;
  std::condition_variable done_signal;
  bool done = false;
  bool timed_out = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (!done_signal.wait_for(lock, timeout, [&] { return done; })) {
      timed_out = true;
      ::kill(child.pid(), SIGKILL);
    }
  });
  Captured captured;
  char buffer[4096];
  try {
    while (size_t got = child.read(buffer, sizeof(buffer))) {
      if (captured.output.size() < 65536) captured.output.append(buffer, got);
    }
  } catch (const Error&) {
    // A read error ends the capture like EOF would.
  }
  captured.exit_code = child.wait();
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  done_signal.notify_all();
  watchdog.join();
  captured.timed_out = timed_out;
  captured.output += child.stderr_text();
  return captured;
}

std::string run_tool(const ChildOptions& options, const std::string& what) {
  ChildProcess child(options);
  std::string output;
  char buffer[4096];
  while (size_t got = child.read(buffer, sizeof(buffer))) {
    if (output.size() < 65536) output.append(buffer, got);
  }
  child.check_success(what);
  return output;
}

ToolProbe probe_tool(const ToolInfo& tool) {
  ToolProbe probe;
  probe.tool = tool.display();
  std::optional<std::string> path = find_in_path(std::string(tool.command.front()));
  if (!path) {
    probe.status = "missing";
    return probe;
  }
  probe.path = *path;
  std::vector<std::string> argv;
  for (const auto& part : tool.command) argv.emplace_back(part);
  for (const auto& arg : tool.version_args) argv.emplace_back(arg);
  Captured captured;
  try {
    captured = capture(argv, std::chrono::seconds(5));
  } catch (const Error& error) {
    probe.status = "broken";
    probe.detail = error.what();
    return probe;
  }
  std::smatch match;
  std::regex pattern{std::string(tool.version_regex)};
  bool parsed = std::regex_search(captured.output, match, pattern);
  if (captured.timed_out) {
    probe.status = "broken";
    probe.detail = "did not answer its version within 5 s";
  } else if (captured.exit_code != 0 && !parsed) {
    probe.status = "broken";
    probe.detail = fmt::format("exit {} asking its version: {}", captured.exit_code,
                               first_line(captured.output));
  } else if (!parsed) {
    probe.status = "broken";
    probe.detail = "unrecognized version output: " + first_line(captured.output);
  } else {
    probe.status = "found";
    probe.version = match[1].str();
  }
  return probe;
}

PipeTool require_pipe_tool(const AdapterInfo& adapter, const std::string& output) {
  std::vector<std::string> names;
  std::vector<std::string> problems;  // "is not in PATH", "is broken (...)"
  for (const ToolInfo& tool : adapter.pipe_tools) {
    ToolProbe probe = probe_tool(tool);
    if (probe.status == "found") {
      PipeTool found;
      found.command.push_back(probe.path);
      for (size_t i = 1; i < tool.command.size(); ++i) found.command.emplace_back(tool.command[i]);
      found.display = probe.tool;
      found.version = probe.version;
      return found;
    }
    names.push_back(probe.tool);
    problems.push_back(probe.status == "missing"
                           ? std::string("is not in PATH")
                           : fmt::format("is broken ({}: {})", probe.path, probe.detail));
  }
  std::string what;
  if (names.size() == 1) {
    what = fmt::format("{}, which {}", names[0], problems[0]);
  } else {
    std::vector<std::string> each;
    for (size_t i = 0; i < names.size(); ++i) each.push_back(names[i] + " " + problems[i]);
    what = fmt::format("{}: {}", fmt::join(names, " or "), fmt::join(each, "; "));
  }
  std::string hint = install_hint(adapter, detect_platform());
  throw TierUnavailable(fmt::format("output '{}': the pipe tier needs {}{}", output, what,
                                    hint.empty() ? "" : "; " + hint));
}

}  // namespace dvt
