// The DAG of a project's nodes: an edge from each node to every node that
// depends on it (a model on the models, seeds and sources it refs, a test on
// what it tests). Cycles are refused when the graph is built.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "project/node.h"

namespace dvt {

class Graph {
 public:
  Graph() = default;
  // Builds the graph of `nodes` (each depends_on.nodes must name one of
  // them). Throws ConfigError "found a cycle: a --> b --> a" naming the
  // unique_ids of a cycle.
  explicit Graph(const std::vector<const Node*>& nodes);

  // Direct parents / children of `unique_id`, sorted (empty when unknown).
  const std::vector<std::string>& parents(const std::string& unique_id) const;
  const std::vector<std::string>& children(const std::string& unique_id) const;

  // Every ancestor / descendant of the nodes in `from` up to `depth` edges
  // away (-1: any), not counting `from` itself unless reached again.
  std::set<std::string> ancestors(const std::set<std::string>& from, int depth = -1) const;
  std::set<std::string> descendants(const std::set<std::string>& from, int depth = -1) const;

  // Every unique_id in dependency order: each after all its parents; among
  // nodes ready at once, in unique_id order.
  const std::vector<std::string>& order() const { return order_; }
  // The nodes of `subset` in dependency order.
  std::vector<std::string> order_of(const std::set<std::string>& subset) const;

  // parent_map / child_map as dbt's manifest has them (every node a key).
  const std::map<std::string, std::vector<std::string>>& parent_map() const { return parents_; }
  const std::map<std::string, std::vector<std::string>>& child_map() const { return children_; }

 private:
  std::map<std::string, std::vector<std::string>> parents_;
  std::map<std::string, std::vector<std::string>> children_;
  std::vector<std::string> order_;
  std::map<std::string, size_t> position_;
};

}  // namespace dvt
