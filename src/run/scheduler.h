// Runs the nodes of a DAG on up to N threads at once, each as soon as every
// node it depends on has succeeded. A node that fails (or is skipped) skips
// its descendants and the others go on, unless fail-fast is asked for; once
// Ctrl-C arrives nothing new starts and the running nodes are left to stop
// at their next check (their loads roll back). The scheduler knows nothing
// of models: a node is an index with dependencies and a function.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace dvt {

enum class NodeStatus { kSuccess, kError, kSkipped, kWarn, kFail, kInterrupted };
const char* node_status_name(NodeStatus status);

struct NodeOutcome {
  NodeStatus status = NodeStatus::kSuccess;
  std::string message;  // what happened, for the summary (an error, "skipped: ...")
};

struct ScheduledNode {
  std::vector<size_t> depends_on;  // indexes of other nodes
  // Runs the node; an exception is an error outcome with its message.
  std::function<NodeOutcome()> run;
  // Whether a failure of this node stops its descendants (a warning never
  // does; a test's failure does in dvt build, as dbt's does).
  bool blocks_descendants = true;
};

struct ScheduleOptions {
  int threads = 1;
  bool fail_fast = false;
};

// Called (from the worker's thread, under a lock) when a node starts and when
// it ends, so the caller can print progress lines in the order they happen.
struct ScheduleObserver {
  std::function<void(size_t node)> started;
  std::function<void(size_t node, const NodeOutcome& outcome, double seconds)> finished;
};

// Runs every node once (or skips it) and returns each one's outcome, in the
// nodes' order. REQUIRES: the dependencies form no cycle and name existing
// nodes (InternalError otherwise).
std::vector<NodeOutcome> run_schedule(const std::vector<ScheduledNode>& nodes,
                                      const ScheduleOptions& options,
                                      const ScheduleObserver& observer);

}  // namespace dvt
