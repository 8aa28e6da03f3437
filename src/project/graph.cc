#include "project/graph.h"

#include <algorithm>
#include <functional>
#include <queue>

#include <fmt/format.h>

#include "core/error.h"

namespace dvt {

namespace {

const std::vector<std::string> kNone;

// A cycle among the nodes Kahn's algorithm could not order, as a path that
// returns to its start.
std::vector<std::string> find_cycle(const std::map<std::string, std::vector<std::string>>& children,
                                    const std::set<std::string>& stuck) {
  std::map<std::string, int> state;  // 1: on the path, 2: done
  std::vector<std::string> path;
  std::vector<std::string> cycle;
  std::function<bool(const std::string&)> visit = [&](const std::string& id) {
    state[id] = 1;
    path.push_back(id);
    for (const auto& child : children.at(id)) {
      if (!stuck.contains(child)) continue;
      if (state[child] == 1) {
        auto start = std::find(path.begin(), path.end(), child);
        cycle.assign(start, path.end());
        cycle.push_back(child);
        return true;
      }
      if (state[child] == 0 && visit(child)) return true;
    }
    path.pop_back();
    state[id] = 2;
    return false;
  };
  for (const auto& id : stuck) {
    if (state[id] == 0 && visit(id)) break;
  }
  return cycle;
}

std::set<std::string> walk(const std::map<std::string, std::vector<std::string>>& edges,
                           const std::set<std::string>& from, int depth) {
  std::set<std::string> reached;
  std::vector<std::string> frontier(from.begin(), from.end());
  for (int level = 0; !frontier.empty() && (depth < 0 || level < depth); ++level) {
    std::vector<std::string> next;
    for (const auto& id : frontier) {
      auto found = edges.find(id);
      if (found == edges.end()) continue;
      for (const auto& other : found->second) {
        if (reached.insert(other).second) next.push_back(other);
      }
    }
    frontier = std::move(next);
  }
  return reached;
}

}  // namespace

Graph::Graph(const std::vector<const Node*>& nodes) {
  for (const Node* node : nodes) {
    parents_[node->unique_id];
    children_[node->unique_id];
  }
  for (const Node* node : nodes) {
    auto& parents = parents_[node->unique_id];
    for (const auto& parent : node->depends_on.nodes) {
      if (!parents_.contains(parent)) continue;
      if (std::find(parents.begin(), parents.end(), parent) != parents.end()) continue;
      parents.push_back(parent);
      children_[parent].push_back(node->unique_id);
    }
  }
  for (auto& [id, list] : parents_) std::sort(list.begin(), list.end());
  for (auto& [id, list] : children_) std::sort(list.begin(), list.end());

  std::map<std::string, size_t> waiting;
  std::priority_queue<std::string, std::vector<std::string>, std::greater<>> ready;
  for (const auto& [id, parents] : parents_) {
    waiting[id] = parents.size();
    if (parents.empty()) ready.push(id);
  }
  while (!ready.empty()) {
    std::string id = ready.top();
    ready.pop();
    position_[id] = order_.size();
    order_.push_back(id);
    for (const auto& child : children_[id]) {
      if (--waiting[child] == 0) ready.push(child);
    }
  }
  if (order_.size() != parents_.size()) {
    std::set<std::string> stuck;
    for (const auto& [id, count] : waiting) {
      if (count > 0) stuck.insert(id);
    }
    std::vector<std::string> cycle = find_cycle(children_, stuck);
    throw ConfigError(fmt::format("found a cycle: {}", fmt::join(cycle, " --> ")));
  }
}

const std::vector<std::string>& Graph::parents(const std::string& unique_id) const {
  auto found = parents_.find(unique_id);
  return found == parents_.end() ? kNone : found->second;
}

const std::vector<std::string>& Graph::children(const std::string& unique_id) const {
  auto found = children_.find(unique_id);
  return found == children_.end() ? kNone : found->second;
}

std::set<std::string> Graph::ancestors(const std::set<std::string>& from, int depth) const {
  return walk(parents_, from, depth);
}

std::set<std::string> Graph::descendants(const std::set<std::string>& from, int depth) const {
  return walk(children_, from, depth);
}

std::vector<std::string> Graph::order_of(const std::set<std::string>& subset) const {
  std::vector<std::string> ordered(subset.begin(), subset.end());
  std::sort(ordered.begin(), ordered.end(), [&](const std::string& a, const std::string& b) {
    auto pa = position_.find(a), pb = position_.find(b);
    size_t ia = pa == position_.end() ? SIZE_MAX : pa->second;
    size_t ib = pb == position_.end() ? SIZE_MAX : pb->second;
    return ia != ib ? ia < ib : a < b;
  });
  return ordered;
}

}  // namespace dvt
