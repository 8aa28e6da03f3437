// Runs the selected nodes of a project in their databases: seeds (a CSV file
// into its table through the bulk path), models (their SQL materialized as a
// view, a table or an incremental table inside their target, without a row
// leaving it) and tests (dbt's summary query over the failing rows), in
// dependency order on up to `threads` nodes at once (scheduler.h). This is
// what dvt run, build, seed and test execute; the CLI only prints.
//
//   RunOptions options{.which = "build", .threads = 4};
//   RunReport report = run_project(*project, select_nodes(*project, selection),
//                                  options, &observer);
//   write_run_results(*project, report, options);
//
// A node whose inputs live in another output than its own is federated
// (docs/federation.md); a node runs here only when all its inputs are in its
// target.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "job/transfer.h"
#include "project/project.h"
#include "run/scheduler.h"

namespace dvt {

struct RunOptions {
  std::string which = "run";  // run, build, seed, test (dbt's flags.WHICH)
  int threads = 1;            // nodes at once
  bool fail_fast = false;
  bool full_refresh = false;
  JobOptions job;  // each node's engine
};

// What happened to one node, in dbt's terms.
struct NodeResult {
  const Node* node = nullptr;
  // dbt's status: success / error / skipped for seeds and models; pass /
  // fail / warn / error / skipped for tests.
  std::string status;
  NodeStatus outcome = NodeStatus::kSuccess;
  std::string message;  // the adapter's message ("INSERT 3", "CREATE VIEW") or the error
  std::optional<uint64_t> rows_affected;
  std::optional<uint64_t> failures;  // tests: the failing rows counted
  std::string materialized;          // view, table, incremental, seed, test
  std::string compiled_code;
  std::string relation;  // as the database prints it, "" for tests
  std::chrono::system_clock::time_point started_at, completed_at;
  double seconds = 0;
  int thread = 0;
};

struct RunReport {
  std::vector<NodeResult> results;  // the nodes that ran (or were skipped), in run order
  double seconds = 0;
  bool interrupted = false;
  std::chrono::system_clock::time_point started_at;

  // dbt's exit code: 0 when nothing failed, 1 when a node errored or a test
  // failed, 130 after Ctrl-C.
  int exit_code() const;
};

// Told when each node starts and ends (from the worker's thread, one call at
// a time), so the caller prints dbt's lines in the order they happen.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void started(const NodeResult& node, size_t index, size_t total) = 0;
  virtual void finished(const NodeResult& node, size_t index, size_t total) = 0;
};

// The nodes of `selected` that execute (seeds, models other than ephemeral,
// tests) in a dependency order, as run_project numbers them.
std::vector<const Node*> executable_nodes(const Project& project,
                                          const std::vector<const Node*>& selected);

// Runs them. Throws ConfigError before anything runs for a problem of the
// whole run (an output that cannot be reached is a node's error instead).
RunReport run_project(const Project& project, const std::vector<const Node*>& selected,
                      const RunOptions& options, RunObserver* observer);

// target/run_results.json in dbt's shape (schema v6): metadata, one result
// per node (status, timing, thread_id, execution_time, adapter_response,
// message, failures, unique_id, compiled_code, relation_name), elapsed_time,
// args.
void write_run_results(const Project& project, const RunReport& report, const RunOptions& options);

// The first `limit` rows of a model's SQL (or of `inline_sql`) run in its
// target, for dvt show: column names, then the rows as text.
struct Preview {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};
Preview preview_node(const Project& project, const Node& node, uint64_t limit,
                     const JobOptions& job);

}  // namespace dvt
