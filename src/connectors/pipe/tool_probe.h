// Finding a pipe tier's CLI tool on this machine and asking its version:
// used by `dvt sync` to report, and by `--method auto` before it trusts a
// tool with a job (a tool that cannot even print its version is broken).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace dvt {

struct ToolInfo;
struct AdapterInfo;

// A short-lived command's exit code and output.
struct Captured {
  int exit_code = 0;
  std::string output;  // stdout then stderr (64 KiB at most)
  bool timed_out = false;
};

// Runs `argv` (found in PATH) with LC_ALL=C and no input, captures its
// output, and kills it after `timeout` (some tools wait for input or print
// forever when confused). Throws ConnectionError when it cannot start.
Captured capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

struct ChildOptions;
// Runs a child to its end and returns its stdout (64 KiB at most). Throws
// ConnectionError "<what> failed (exit N): <stderr>" when it fails.
std::string run_tool(const ChildOptions& options, const std::string& what);

// The state of one CLI tool on this machine.
struct ToolProbe {
  std::string tool;     // display name, e.g. "psql" or "clickhouse client"
  std::string status;   // "found", "missing" or "broken"
  std::string path;     // where it was found
  std::string version;  // parsed version, when found
  std::string detail;   // why it is broken (exit code, output)
};

// Looks the tool up in PATH and asks its version (5 s at most).
ToolProbe probe_tool(const ToolInfo& tool);

// A pipe tool that answered its version, ready to run.
struct PipeTool {
  std::vector<std::string>
      command;          // argv prefix: {"/usr/bin/psql"}, {"/usr/bin/clickhouse", "client"}
  std::string display;  // "psql", "clickhouse client"
  std::string version;
};

// The first of the adapter's pipe tools that is in PATH and answers its
// version. Throws TierUnavailable naming the tools, what is wrong with each
// and the install hint for this platform.
PipeTool require_pipe_tool(const AdapterInfo& adapter, const std::string& output);

}  // namespace dvt
