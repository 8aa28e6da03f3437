#include "project/node.h"

namespace dvt {

const char* resource_type_name(ResourceType type) {
  switch (type) {
    case ResourceType::kModel:
      return "model";
    case ResourceType::kSeed:
      return "seed";
    case ResourceType::kTest:
      return "test";
    case ResourceType::kSource:
      return "source";
  }
  return "model";
}

std::optional<ResourceType> parse_resource_type(std::string_view name) {
  if (name == "model" || name == "models") return ResourceType::kModel;
  if (name == "seed" || name == "seeds") return ResourceType::kSeed;
  if (name == "test" || name == "tests" || name == "data_test") return ResourceType::kTest;
  if (name == "source" || name == "sources") return ResourceType::kSource;
  return std::nullopt;
}

std::string Node::location() const {
  if (!yaml_file.empty() && (resource_type == ResourceType::kSource || test)) {
    return yaml_line > 0 ? yaml_file + ":" + std::to_string(yaml_line) : yaml_file;
  }
  return original_file_path;
}

}  // namespace dvt
