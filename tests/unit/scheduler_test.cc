// The DAG scheduler: dependency order, parallel nodes, failures skipping
// descendants only, fail-fast.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "run/scheduler.h"

namespace dvt {
namespace {

ScheduledNode node(std::vector<size_t> parents, std::function<NodeOutcome()> run) {
  ScheduledNode scheduled;
  scheduled.depends_on = std::move(parents);
  scheduled.run = std::move(run);
  return scheduled;
}

TEST(Scheduler, EveryNodeRunsAfterItsDependencies) {
  std::mutex mutex;
  std::vector<size_t> order;
  auto record = [&](size_t id) {
    return [&, id] {
      std::lock_guard lock(mutex);
      order.push_back(id);
      return NodeOutcome{};
    };
  };
  // 0 -> 1 -> 3, 0 -> 2 -> 3
  std::vector<ScheduledNode> nodes = {node({}, record(0)), node({0}, record(1)),
                                      node({0}, record(2)), node({1, 2}, record(3))};
  auto outcomes = run_schedule(nodes, {.threads = 3}, {});
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order.front(), 0u);
  EXPECT_EQ(order.back(), 3u);
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome.status, NodeStatus::kSuccess);
}

TEST(Scheduler, IndependentNodesRunAtTheSameTime) {
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  auto overlap = [&] {
    int now = ++inside;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    --inside;
    return NodeOutcome{};
  };
  std::vector<ScheduledNode> nodes = {node({}, overlap), node({}, overlap), node({}, overlap)};
  run_schedule(nodes, {.threads = 2}, {});
  EXPECT_EQ(most.load(), 2);
}

TEST(Scheduler, AFailureSkipsItsDescendantsAndTheRestGoesOn) {
  std::atomic<bool> sibling_ran{false};
  std::vector<ScheduledNode> nodes = {
      node({}, [] { return NodeOutcome{}; }),
      node({0}, []() -> NodeOutcome { throw std::runtime_error("relation does not exist"); }),
      node({1}, [] { return NodeOutcome{}; }),  // child of the failure
      node({2}, [] { return NodeOutcome{}; }),  // grandchild
      node({0},
           [&] {
             sibling_ran = true;
             return NodeOutcome{};
           }),
  };
  auto outcomes = run_schedule(nodes, {.threads = 1}, {});
  EXPECT_EQ(outcomes[1].status, NodeStatus::kError);
  EXPECT_EQ(outcomes[1].message, "relation does not exist");
  EXPECT_EQ(outcomes[2].status, NodeStatus::kSkipped);
  EXPECT_EQ(outcomes[3].status, NodeStatus::kSkipped);
  EXPECT_EQ(outcomes[4].status, NodeStatus::kSuccess);
  EXPECT_TRUE(sibling_ran);
}

TEST(Scheduler, AWarningDoesNotSkipItsDescendants) {
  std::vector<ScheduledNode> nodes = {node({},
                                           [] {
                                             return NodeOutcome{NodeStatus::kWarn, "2 rows"};
                                           }),
                                      node({0}, [] { return NodeOutcome{}; })};
  auto outcomes = run_schedule(nodes, {.threads = 2}, {});
  EXPECT_EQ(outcomes[0].status, NodeStatus::kWarn);
  EXPECT_EQ(outcomes[1].status, NodeStatus::kSuccess);
}

TEST(Scheduler, FailFastStartsNothingAfterTheFirstFailure) {
  std::atomic<int> ran{0};
  std::vector<ScheduledNode> independent = {node({},
                                                 [] {
                                                   return NodeOutcome{NodeStatus::kError, "boom"};
                                                 }),
                                            node({0}, [] { return NodeOutcome{}; }), node({}, [&] {
                                              ++ran;
                                              return NodeOutcome{};
                                            })};
  // With one thread the independent node comes after the failure: it never starts.
  auto outcomes = run_schedule(independent, {.threads = 1, .fail_fast = true}, {});
  EXPECT_EQ(outcomes[0].status, NodeStatus::kError);
  EXPECT_EQ(outcomes[1].status, NodeStatus::kSkipped);
  EXPECT_EQ(outcomes[2].status, NodeStatus::kSkipped);
  EXPECT_EQ(outcomes[2].message, "skipped: the run stopped at the first failure");
  EXPECT_EQ(ran.load(), 0);
}

TEST(Scheduler, TheObserverSeesEveryNodeEndOnce) {
  std::mutex mutex;
  std::vector<size_t> ended;
  ScheduleObserver observer;
  observer.finished = [&](size_t id, const NodeOutcome&, double) {
    std::lock_guard lock(mutex);
    ended.push_back(id);
  };
  std::vector<ScheduledNode> nodes = {node({},
                                           [] {
                                             return NodeOutcome{NodeStatus::kError, "x"};
                                           }),
                                      node({0}, [] { return NodeOutcome{}; }),
                                      node({}, [] { return NodeOutcome{}; })};
  run_schedule(nodes, {.threads = 2}, observer);
  std::sort(ended.begin(), ended.end());
  EXPECT_EQ(ended, (std::vector<size_t>{0, 1, 2}));
}

}  // namespace
}  // namespace dvt
