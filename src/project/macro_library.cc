#include "project/macro_library.h"

#include <cctype>

#include <fmt/format.h>

#include "core/error.h"
#include "project/builtin_macros.h"
#include "template/template_error.h"

namespace dvt {

namespace {

constexpr std::string_view kPrivatePrefix = "__dvt_macro__";

// A `{% macro name(...) %}` (or test) definition found in a file.
struct Definition {
  std::string name;  // as called (test_x for `{% test x %}`)
  size_t begin = 0;  // offset of its `{%`
  size_t end = 0;    // offset past its `{% endmacro %}`
  int line = 0;
};

struct Rewrite {
  std::string text;
  std::vector<Definition> definitions;
};

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

int line_at(const std::string& text, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
  }
  return line;
}

// The rewrite described in the header. Offsets in the definitions refer to
// the original text (for macro_sql).
Rewrite rewrite_macro_file(const std::string& text, const std::string& file) {
  Rewrite out;
  std::vector<size_t> open;  // definitions not yet closed
  size_t copied = 0;
  auto copy_to = [&](size_t at) {
    out.text.append(text, copied, at - copied);
    copied = at;
  };
  size_t i = 0;
  while (i + 1 < text.size()) {
    if (text.compare(i, 2, "{#") == 0) {
      size_t close = text.find("#}", i + 2);
      i = close == std::string::npos ? text.size() : close + 2;
      continue;
    }
    if (text.compare(i, 2, "{%") != 0) {
      ++i;
      continue;
    }
    size_t tag = i;
    size_t j = i + 2;
    if (j < text.size() && (text[j] == '-' || text[j] == '+')) ++j;
    while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    size_t word_begin = j;
    while (j < text.size() && is_name_char(text[j])) ++j;
    std::string word = text.substr(word_begin, j - word_begin);
    size_t tag_close = text.find("%}", j);
    size_t after_tag = tag_close == std::string::npos ? text.size() : tag_close + 2;
    if (word == "raw") {
      size_t end = text.find("endraw", after_tag);
      size_t close = end == std::string::npos ? std::string::npos : text.find("%}", end);
      i = close == std::string::npos ? text.size() : close + 2;
      continue;
    }
    if (word == "materialization" || word == "snapshot") {
      throw ConfigError(fmt::format(
          "{}:{}: {{% {} %}} blocks are not supported: dvt runs its own materializations", file,
          line_at(text, tag), word));
    }
    if (word == "macro" || word == "test") {
      size_t k = j;
      while (k < text.size() && std::isspace(static_cast<unsigned char>(text[k]))) ++k;
      size_t name_begin = k;
      while (k < text.size() && is_name_char(text[k])) ++k;
      std::string name = text.substr(name_begin, k - name_begin);
      if (!name.empty()) {
        Definition definition;
        definition.name = word == "test" ? "test_" + name : name;
        definition.begin = tag;
        definition.line = line_at(text, tag);
        copy_to(word_begin);
        out.text += "macro";
        copied = j;
        copy_to(name_begin);
        out.text += std::string(kPrivatePrefix) + definition.name;
        copied = k;
        open.push_back(out.definitions.size());
        out.definitions.push_back(std::move(definition));
      }
    } else if (word == "endmacro" || word == "endtest") {
      if (word == "endtest") {
        copy_to(word_begin);
        out.text += "endmacro";
        copied = j;
      }
      if (!open.empty()) {
        out.definitions[open.back()].end = after_tag;
        open.pop_back();
      }
    }
    i = after_tag;
  }
  copy_to(text.size());
  for (auto& definition : out.definitions) {
    if (definition.end == 0) definition.end = text.size();
  }
  return out;
}

// `dbt.name` and `<project>.name`: the macros of one package.
class MacroNamespace : public jinja::HostObject {
 public:
  MacroNamespace(const MacroLibrary* library, std::string package)
      : library_(library), package_(std::move(package)) {}
  std::optional<jinja::Value> attribute(std::string_view name) const override {
    const MacroInfo* macro = library_->find(std::string(name), package_);
    if (macro == nullptr) return std::nullopt;
    return jinja::Value(std::shared_ptr<jinja::HostObject>(macro->callable));
  }
  std::string str() const override { return "<namespace " + package_ + ">"; }

 private:
  const MacroLibrary* library_;
  std::string package_;
};

}  // namespace

std::string macro_template_name(const std::string& package, const std::string& path) {
  return package + "://" + path;
}

MacroLibrary::MacroLibrary(jinja::Environment& env, std::string root_package)
    : env_(env), root_package_(std::move(root_package)) {}

void MacroLibrary::add_builtins() {
  for (const auto& file : builtin_macro_files()) {
    add_file("dbt", std::string(file.path), std::string(file.text));
  }
}

void MacroLibrary::add_file(const std::string& package, const std::string& original_file_path,
                            const std::string& text) {
  Rewrite rewrite = rewrite_macro_file(text, original_file_path);
  std::string template_name = macro_template_name(package, original_file_path);
  env_.add_template(template_name, rewrite.text);
  for (const auto& definition : rewrite.definitions) {
    auto info = std::make_unique<MacroInfo>();
    info->name = definition.name;
    info->package = package;
    info->unique_id = fmt::format("macro.{}.{}", package, definition.name);
    info->path = original_file_path;
    info->original_file_path = original_file_path;
    info->macro_sql = text.substr(definition.begin, definition.end - definition.begin);
    info->line = definition.line;
    info->callable = std::make_shared<jinja::Macro>(
        &env_, template_name, std::string(kPrivatePrefix) + definition.name, info->unique_id);
    by_package_name_[{package, info->name}] = info.get();
    macros_.push_back(std::move(info));
  }
}

void MacroLibrary::publish() {
  std::map<std::string, const MacroInfo*> winners;
  for (const auto& macro : macros_) {
    auto [entry, added] = winners.emplace(macro->name, macro.get());
    if (!added && macro->package == root_package_) entry->second = macro.get();
  }
  for (const auto& [name, macro] : winners) {
    env_.add_global(name, jinja::Value(std::shared_ptr<jinja::HostObject>(macro->callable)));
  }
  env_.add_global("dbt", jinja::Value(std::make_shared<MacroNamespace>(this, "dbt")));
  if (root_package_ != "dbt") {
    env_.add_global(root_package_,
                    jinja::Value(std::make_shared<MacroNamespace>(this, root_package_)));
  }
}

const MacroInfo* MacroLibrary::find(const std::string& name, const std::string& package) const {
  if (!package.empty()) {
    auto found = by_package_name_.find({package, name});
    return found == by_package_name_.end() ? nullptr : found->second;
  }
  if (const MacroInfo* own = find(name, root_package_)) return own;
  return find(name, "dbt");
}

jinja::Value MacroLibrary::dispatch(const std::string& adapter_type, const std::string& name,
                                    const std::string& macro_namespace) const {
  std::vector<std::string> packages = {root_package_};
  std::string space = macro_namespace.empty() ? "dbt" : macro_namespace;
  if (space != root_package_) packages.push_back(space);
  std::vector<std::string> searched;
  for (const auto& package : packages) {
    for (const std::string& prefix : {adapter_type + "__", std::string("default__")}) {
      if (const MacroInfo* macro = find(prefix + name, package)) {
        return jinja::Value(std::shared_ptr<jinja::HostObject>(macro->callable));
      }
      searched.push_back(fmt::format("'{}.{}{}'", package, prefix, name));
    }
  }
  throw jinja::TemplateError(
      fmt::format("adapter.dispatch: no macro named '{}' found in namespace '{}' (searched: {})",
                  name, space, fmt::join(searched, ", ")),
      jinja::TemplateError::Reason::kUnknown);
}

}  // namespace dvt
