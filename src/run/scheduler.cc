#include "run/scheduler.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "core/error.h"
#include "core/interrupt.h"

namespace dvt {

const char* node_status_name(NodeStatus status) {
  switch (status) {
    case NodeStatus::kSuccess:
      return "success";
    case NodeStatus::kError:
      return "error";
    case NodeStatus::kSkipped:
      return "skipped";
    case NodeStatus::kWarn:
      return "warn";
    case NodeStatus::kFail:
      return "fail";
    case NodeStatus::kInterrupted:
      return "interrupted";
  }
  return "error";
}

namespace {

bool failed(NodeStatus status) {
  return status == NodeStatus::kError || status == NodeStatus::kFail ||
         status == NodeStatus::kSkipped || status == NodeStatus::kInterrupted;
}

}  // namespace

std::vector<NodeOutcome> run_schedule(const std::vector<ScheduledNode>& nodes,
                                      const ScheduleOptions& options,
                                      const ScheduleObserver& observer) {
  const size_t count = nodes.size();
  std::vector<NodeOutcome> outcomes(count);
  std::vector<size_t> waiting(count, 0);  // unfinished dependencies
  std::vector<std::vector<size_t>> children(count);
  std::vector<bool> done(count, false);
  for (size_t i = 0; i < count; ++i) {
    for (size_t parent : nodes[i].depends_on) {
      if (parent >= count) throw InternalError("a node depends on a node that does not exist");
      children[parent].push_back(i);
      ++waiting[i];
    }
  }
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<size_t> ready;
  for (size_t i = 0; i < count; ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  size_t finished = 0;
  size_t running = 0;
  bool stopping = false;  // fail-fast or Ctrl-C: start nothing new

  // REQUIRES: mutex held. Marks `node` finished and releases its children,
  // skipping them when it failed.
  std::function<void(size_t, const NodeOutcome&)> finish = [&](size_t node,
                                                               const NodeOutcome& outcome) {
    outcomes[node] = outcome;
    done[node] = true;
    ++finished;
    const bool blocks = failed(outcome.status) && nodes[node].blocks_descendants;
    for (size_t child : children[node]) {
      if (done[child]) continue;
      if (blocks) {
        NodeOutcome skipped{NodeStatus::kSkipped,
                            outcome.status == NodeStatus::kSkipped
                                ? outcome.message
                                : fmt::format("skipped: an upstream node ended with {}",
                                              node_status_name(outcome.status))};
        if (observer.finished) observer.finished(child, skipped, 0);
        finish(child, skipped);
      } else if (--waiting[child] == 0) {
        ready.push_back(child);
      }
    }
  };

  auto worker = [&] {
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait(lock, [&] { return finished == count || !ready.empty() || stopping; });
      if (interrupted() || stopping) {
        stopping = true;
        // Nothing new starts; what never started ends as interrupted or
        // skipped once the running nodes are done.
        if (running > 0) {
          wake.wait(lock, [&] { return running == 0; });
        }
        for (size_t i = 0; i < count; ++i) {
          if (done[i]) continue;
          NodeOutcome outcome{interrupted() ? NodeStatus::kInterrupted : NodeStatus::kSkipped,
                              interrupted() ? "interrupted before it started"
                                            : "skipped: the run stopped at the first failure"};
          if (observer.finished) observer.finished(i, outcome, 0);
          outcomes[i] = outcome;
          done[i] = true;
          ++finished;
        }
        wake.notify_all();
        return;
      }
      if (finished == count) return;
      if (ready.empty()) continue;
      size_t node = ready.front();
      ready.pop_front();
      ++running;
      if (observer.started) observer.started(node);
      lock.unlock();
      auto start = std::chrono::steady_clock::now();
      NodeOutcome outcome;
      try {
        outcome = nodes[node].run();
      } catch (const Interrupted&) {
        outcome = {NodeStatus::kInterrupted, "interrupted"};
      } catch (const std::exception& error) {
        outcome = {NodeStatus::kError, error.what()};
      }
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      lock.lock();
      --running;
      if (observer.finished) observer.finished(node, outcome, seconds);
      finish(node, outcome);
      if (options.fail_fast && failed(outcome.status)) stopping = true;
      if (outcome.status == NodeStatus::kInterrupted) stopping = true;
      wake.notify_all();
    }
  };

  // Ctrl-C is seen by a thread that waits, too.
  std::thread watcher([&] {
    std::unique_lock lock(mutex);
    while (finished < count) {
      if (wake.wait_for(lock, std::chrono::milliseconds(100), [&] { return finished == count; }))
        break;
      if (interrupted() && !stopping) {
        stopping = true;
        wake.notify_all();
      }
    }
  });
  std::vector<std::thread> workers;
  const int threads = std::max(1, options.threads);
  for (int i = 0; i < threads; ++i) workers.emplace_back(worker);
  for (auto& thread : workers) thread.join();
  {
    std::lock_guard lock(mutex);
    finished = count;
  }
  wake.notify_all();
  watcher.join();
  return outcomes;
}

}  // namespace dvt
