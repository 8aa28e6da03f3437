#include "core/schema.h"

namespace dvt {

std::vector<Type> TableSchema::types() const {
  std::vector<Type> out;
  out.reserve(columns.size());
  for (const auto& column : columns) out.push_back(column.type);
  return out;
}

std::vector<std::string> TableSchema::names() const {
  std::vector<std::string> out;
  out.reserve(columns.size());
  for (const auto& column : columns) out.push_back(column.name);
  return out;
}

int TableSchema::find(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace dvt
