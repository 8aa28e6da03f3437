// Node selection as dbt does it (--select, --exclude, --resource-type).
//
// A selector is words separated by spaces (a union), each word atoms
// separated by commas (an intersection). An atom is
// `[@][N+]method:value[+N]`, the method defaulting to fqn (or path when the
// value holds a '/', file when it ends in .sql/.csv):
//   name, folder.sub, project.*   fqn: a node's name, or a prefix of its fqn
//   path:models/staging           files under a folder, or one file
//   file:orders.sql               a file's name or stem
//   tag:nightly                   a tag
//   source:raw, source:raw.orders the tables of a source, one table
//   config.materialized:table     a config value (or an item of a list)
//   resource_type:model           model, seed, test, source
//   test_type:generic|singular, test_name:unique, package:name
// Values take shell wildcards (*, ?, [...]). `+atom` adds every ancestor,
// `N+atom` those up to N edges up; `atom+` / `atom+N` the descendants; `@atom`
// the descendants and all their ancestors. Each atom then takes the tests of
// the nodes it selected (dbt's eager indirect selection). The result is the
// selection minus the exclusion, keeping the resource types asked for.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "project/project.h"

namespace dvt {

struct Selection {
  std::vector<std::string> select;   // empty: every node
  std::vector<std::string> exclude;  // empty: none
  // model, seed, test, source, or all/default (every type); empty: every type.
  std::vector<std::string> resource_types;
};

// The unique_ids selected. Throws ConfigError for an unknown method,
// resource type or a malformed atom.
std::set<std::string> select_ids(const Project& project, const Selection& selection);

// The selected nodes in dependency order (each after its parents).
std::vector<const Node*> select_nodes(const Project& project, const Selection& selection);

}  // namespace dvt
