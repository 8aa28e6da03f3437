#include "project/node_config.h"

#include <algorithm>
#include <cctype>

namespace dvt {

namespace {

std::string normalized_key(const std::string& key) {
  if (key == "pre_hook") return "pre-hook";
  if (key == "post_hook") return "post-hook";
  return key;
}

enum class Merge { kClobber, kAppend, kUpdate };

Merge merge_of(const std::string& key) {
  if (key == "tags" || key == "pre-hook" || key == "post-hook") return Merge::kAppend;
  if (key == "meta" || key == "docs" || key == "persist_docs" || key == "grants") {
    return Merge::kUpdate;
  }
  return Merge::kClobber;
}

Json as_list(const Json& value) {
  if (value.is_null()) return Json::array();
  if (value.is_array()) return value;
  return Json::array({value});
}

}  // namespace

void NodeConfig::merge(const Json& update) {
  if (!update.is_object()) return;
  for (const auto& [raw_key, value] : update.items()) {
    std::string key = normalized_key(raw_key);
    switch (merge_of(key)) {
      case Merge::kClobber:
        json_[key] = value;
        break;
      case Merge::kAppend: {
        Json merged = as_list(json_.contains(key) ? json_[key] : Json());
        for (const auto& item : as_list(value)) {
          if (key == "tags" && std::find(merged.begin(), merged.end(), item) != merged.end()) {
            continue;
          }
          merged.push_back(item);
        }
        json_[key] = merged;
        break;
      }
      case Merge::kUpdate: {
        if (!value.is_object() || !json_.contains(key) || !json_[key].is_object()) {
          json_[key] = value;
          break;
        }
        for (const auto& [inner, item] : value.items()) json_[key][inner] = item;
        break;
      }
    }
  }
}

const Json* NodeConfig::find(const std::string& key) const {
  auto found = json_.find(key);
  if (found == json_.end() || found->is_null()) return nullptr;
  return &*found;
}

std::string NodeConfig::text(const std::string& key, const std::string& fallback) const {
  const Json* value = find(key);
  if (value == nullptr || !value->is_string()) return fallback;
  return value->get<std::string>();
}

std::optional<bool> NodeConfig::flag(const std::string& key) const {
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_string()) {
    std::string text = value->get<std::string>();
    std::transform(text.begin(), text.end(), text.begin(), ::tolower);
    if (text == "true") return true;
    if (text == "false") return false;
  }
  return std::nullopt;
}

bool NodeConfig::enabled() const {
  return flag("enabled").value_or(true);
}

std::vector<std::string> NodeConfig::tags() const {
  std::vector<std::string> tags;
  const Json* value = find("tags");
  if (value == nullptr) return tags;
  for (const auto& item : as_list(*value)) {
    if (item.is_string()) tags.push_back(item.get<std::string>());
  }
  return tags;
}

std::optional<std::string> NodeConfig::schema() const {
  const Json* value = find("schema");
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

std::optional<std::string> NodeConfig::alias() const {
  const Json* value = find("alias");
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

std::optional<std::string> NodeConfig::database() const {
  const Json* value = find("database");
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

std::vector<std::string> NodeConfig::unique_key() const {
  std::vector<std::string> columns;
  const Json* value = find("unique_key");
  if (value == nullptr) return columns;
  for (const auto& item : as_list(*value)) {
    if (item.is_string()) columns.push_back(item.get<std::string>());
  }
  return columns;
}

std::optional<bool> NodeConfig::full_refresh() const {
  return flag("full_refresh");
}

std::string NodeConfig::severity() const {
  std::string severity = text("severity", "ERROR");
  std::transform(severity.begin(), severity.end(), severity.begin(), ::toupper);
  return severity;
}

std::optional<int64_t> NodeConfig::limit() const {
  const Json* value = find("limit");
  if (value == nullptr || !value->is_number_integer()) return std::nullopt;
  return value->get<int64_t>();
}

std::optional<bool> NodeConfig::store_failures() const {
  return flag("store_failures");
}

std::vector<std::pair<std::string, std::string>> NodeConfig::column_types() const {
  std::vector<std::pair<std::string, std::string>> types;
  const Json* value = find("column_types");
  if (value == nullptr || !value->is_object()) return types;
  for (const auto& [column, type] : value->items()) {
    if (type.is_string()) types.emplace_back(column, type.get<std::string>());
  }
  return types;
}

std::optional<bool> NodeConfig::quote_columns() const {
  return flag("quote_columns");
}

}  // namespace dvt
