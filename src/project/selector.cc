#include "project/selector.h"

#include <fnmatch.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"
#include "core/log.h"

namespace dvt {

namespace {

bool has_wildcard(const std::string& text) {
  return text.find_first_of("*?[]") != std::string::npos;
}

bool matches(const std::string& text, const std::string& pattern) {
  return ::fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.push_back("");
  return parts;
}

// dbt's is_selected_node for one fqn.
bool fqn_matches(const std::vector<std::string>& fqn, const std::string& selector) {
  if (fqn.empty()) return false;
  if (fqn.back() == selector) return true;
  std::vector<std::string> flat;
  for (const auto& segment : fqn) {
    for (const auto& part : split(segment, '.')) flat.push_back(part);
  }
  std::vector<std::string> parts = split(selector, '.');
  if (flat.size() < parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (has_wildcard(parts[i])) {
      std::string rest_node, rest_selector;
      for (size_t j = i; j < flat.size(); ++j) rest_node += (j > i ? "." : "") + flat[j];
      for (size_t j = i; j < parts.size(); ++j) rest_selector += (j > i ? "." : "") + parts[j];
      return matches(rest_node, rest_selector);
    }
    if (flat[i] != parts[i]) return false;
  }
  return true;
}

struct Atom {
  bool childrens_parents = false;
  bool parents = false;
  int parents_depth = -1;
  bool children = false;
  int children_depth = -1;
  std::string method;
  std::string value;
  std::string raw;
};

Atom parse_atom(const std::string& raw) {
  static const std::regex kAtom(R"(^(@)?((\d*)\+)?(([\w.]+):)?(.*?)(\+(\d*))?$)");
  std::smatch match;
  if (!std::regex_match(raw, match, kAtom) || match[6].str().empty()) {
    throw ConfigError(fmt::format("'{}' is not a node selector", raw));
  }
  Atom atom;
  atom.raw = raw;
  atom.childrens_parents = match[1].matched;
  atom.parents = match[2].matched;
  if (atom.parents && !match[3].str().empty()) atom.parents_depth = std::stoi(match[3].str());
  atom.children = match[7].matched;
  if (atom.children && !match[8].str().empty()) atom.children_depth = std::stoi(match[8].str());
  atom.value = match[6].str();
  atom.method = match[5].str();
  if (atom.method.empty()) {
    const std::string& value = atom.value;
    auto ends_with = [&](const char* suffix) {
      std::string s(suffix);
      return value.size() >= s.size() && value.compare(value.size() - s.size(), s.size(), s) == 0;
    };
    if (value.find('/') != std::string::npos) {
      atom.method = "path";
    } else if (ends_with(".sql") || ends_with(".csv") || ends_with(".py")) {
      atom.method = "file";
    } else {
      atom.method = "fqn";
    }
  }
  if (atom.childrens_parents && (atom.parents || atom.children)) {
    throw ConfigError(fmt::format("'{}': @ cannot be combined with +", raw));
  }
  return atom;
}

std::string normalized_path(std::string path) {
  while (path.size() > 2 && path.compare(0, 2, "./") == 0) path.erase(0, 2);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

bool path_matches(const Project& project, const Node& node, const std::string& selector) {
  std::string wanted = selector;
  std::filesystem::path as_path(selector);
  if (as_path.is_absolute()) {
    wanted = as_path.lexically_relative(std::filesystem::absolute(project.dir())).generic_string();
  }
  wanted = normalized_path(wanted);
  std::string file = node.original_file_path;
  if (file == wanted || matches(file, wanted)) return true;
  for (std::filesystem::path parent = std::filesystem::path(file).parent_path(); !parent.empty();
       parent = parent.parent_path()) {
    std::string folder = parent.generic_string();
    if (folder == wanted || matches(folder, wanted)) return true;
  }
  return false;
}

bool config_matches(const Json& value, const std::string& wanted) {
  if (value.is_array()) {
    for (const auto& item : value) {
      if (config_matches(item, wanted)) return true;
    }
    return false;
  }
  if (value.is_string()) return matches(value.get<std::string>(), wanted);
  if (value.is_boolean())
    return (value.get<bool>() ? "true" : "false") == wanted ||
           (value.get<bool>() ? "True" : "False") == wanted;
  if (value.is_number()) return value.dump() == wanted;
  return false;
}

bool atom_matches(const Project& project, const Node& node, const Atom& atom) {
  const std::string& value = atom.value;
  const std::string& method = atom.method;
  if (method == "fqn") {
    if (value == "*") return true;
    std::vector<std::string> unscoped(node.fqn.begin() + (node.fqn.empty() ? 0 : 1),
                                      node.fqn.end());
    return fqn_matches(node.fqn, value) || fqn_matches(unscoped, value);
  }
  if (method == "path") return path_matches(project, node, value);
  if (method == "file") {
    std::filesystem::path file(node.original_file_path);
    return matches(file.filename().string(), value) || matches(file.stem().string(), value);
  }
  if (method == "tag") {
    for (const auto& tag : node.tags) {
      if (matches(tag, value)) return true;
    }
    return false;
  }
  if (method == "source") {
    if (node.resource_type != ResourceType::kSource) return false;
    std::vector<std::string> parts = split(value, '.');
    if (parts.size() == 1) return matches(node.source_name, parts[0]);
    if (parts.size() == 2)
      return matches(node.source_name, parts[0]) && matches(node.name, parts[1]);
    if (parts.size() == 3) {
      return matches(node.package_name, parts[0]) && matches(node.source_name, parts[1]) &&
             matches(node.name, parts[2]);
    }
    throw ConfigError(
        fmt::format("'{}': a source selector is source, source.table or "
                    "package.source.table",
                    atom.raw));
  }
  if (method.rfind("config.", 0) == 0) {
    std::string key = method.substr(7);
    if (key == "materialized" && node.resource_type == ResourceType::kModel) {
      return matches(node.config.materialized(), value);
    }
    const Json* found = node.config.find(key);
    return found != nullptr && config_matches(*found, value);
  }
  if (method == "resource_type") return resource_type_name(node.resource_type) == value;
  if (method == "test_type") {
    if (node.resource_type != ResourceType::kTest) return false;
    bool generic = node.test.has_value();
    return value == (generic ? "generic" : "singular") || value == (generic ? "schema" : "data");
  }
  if (method == "test_name") return node.test && matches(node.test->name, value);
  if (method == "package") return matches(node.package_name, value);
  throw ConfigError(fmt::format(
      "'{}': unknown selector method '{}' (known: fqn, path, file, tag, source, config.<key>, "
      "resource_type, test_type, test_name, package)",
      atom.raw, method));
}

std::set<std::string> select_atom(const Project& project, const Atom& atom) {
  std::set<std::string> selected;
  for (const Node* node : project.nodes()) {
    if (atom_matches(project, *node, atom)) selected.insert(node->unique_id);
  }
  const Graph& graph = project.graph();
  std::set<std::string> extra;
  if (atom.childrens_parents) {
    std::set<std::string> down = graph.descendants(selected);
    down.insert(selected.begin(), selected.end());
    std::set<std::string> up = graph.ancestors(down);
    extra.insert(down.begin(), down.end());
    extra.insert(up.begin(), up.end());
  }
  if (atom.parents) {
    std::set<std::string> up = graph.ancestors(selected, atom.parents_depth);
    extra.insert(up.begin(), up.end());
  }
  if (atom.children) {
    std::set<std::string> down = graph.descendants(selected, atom.children_depth);
    extra.insert(down.begin(), down.end());
  }
  selected.insert(extra.begin(), extra.end());
  // Tests of what was selected (eager).
  std::set<std::string> tests;
  for (const auto& id : selected) {
    for (const auto& child : graph.children(id)) {
      const Node* node = project.find(child);
      if (node != nullptr && node->resource_type == ResourceType::kTest) tests.insert(child);
    }
  }
  selected.insert(tests.begin(), tests.end());
  return selected;
}

// The union of every word of every value of `selectors`.
std::set<std::string> evaluate(const Project& project, const std::vector<std::string>& selectors) {
  std::set<std::string> result;
  for (const auto& selector : selectors) {
    std::istringstream words(selector);
    std::string word;
    while (words >> word) {
      std::set<std::string> term;
      bool first = true;
      for (const auto& piece : split(word, ',')) {
        if (piece.empty()) throw ConfigError(fmt::format("'{}' holds an empty selector", word));
        std::set<std::string> atom = select_atom(project, parse_atom(piece));
        if (first) {
          term = std::move(atom);
          first = false;
        } else {
          std::set<std::string> both;
          std::set_intersection(term.begin(), term.end(), atom.begin(), atom.end(),
                                std::inserter(both, both.begin()));
          term = std::move(both);
        }
      }
      if (term.empty()) {
        log_warn("select.nothing",
                 fmt::format("the selection criterion '{}' does not match any enabled node", word));
      }
      result.insert(term.begin(), term.end());
    }
  }
  return result;
}

}  // namespace

std::set<std::string> select_ids(const Project& project, const Selection& selection) {
  std::set<std::string> selected;
  if (selection.select.empty()) {
    for (const Node* node : project.nodes()) selected.insert(node->unique_id);
  } else {
    selected = evaluate(project, selection.select);
  }
  if (!selection.exclude.empty()) {
    for (const auto& id : evaluate(project, selection.exclude)) selected.erase(id);
  }
  std::set<ResourceType> types;
  bool all_types = selection.resource_types.empty();
  for (const auto& name : selection.resource_types) {
    if (name == "all" || name == "default") {
      all_types = true;
      continue;
    }
    std::optional<ResourceType> type = parse_resource_type(name);
    if (!type) {
      throw ConfigError(fmt::format(
          "--resource-type {}: not a resource type (model, seed, test, source, all)", name));
    }
    types.insert(*type);
  }
  if (!all_types) {
    for (auto it = selected.begin(); it != selected.end();) {
      const Node* node = project.find(*it);
      it = node != nullptr && types.contains(node->resource_type) ? std::next(it)
                                                                  : selected.erase(it);
    }
  }
  return selected;
}

std::vector<const Node*> select_nodes(const Project& project, const Selection& selection) {
  std::vector<const Node*> nodes;
  for (const auto& id : project.graph().order_of(select_ids(project, selection))) {
    if (const Node* node = project.find(id)) nodes.push_back(node);
  }
  return nodes;
}

}  // namespace dvt
