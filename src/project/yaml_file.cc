#include "project/yaml_file.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "template/value_convert.h"

namespace dvt {

YAML::Node load_yaml_file(const std::filesystem::path& path, const std::string& display) {
  try {
    return YAML::LoadFile(path.string());
  } catch (const YAML::ParserException& error) {
    throw ConfigError(fmt::format("{}:{}:{}: invalid YAML: {}", display, error.mark.line + 1,
                                  error.mark.column + 1, error.msg));
  } catch (const YAML::Exception& error) {
    throw ConfigError(fmt::format("{}: cannot read: {}", display, error.what()));
  }
}

int yaml_line(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

std::string yaml_where(const std::string& display, const YAML::Node& node) {
  int line = yaml_line(node);
  return line > 0 ? fmt::format("{}:{}", display, line) : display;
}

bool has_jinja(const std::string& text) {
  return text.find("{{") != std::string::npos || text.find("{%") != std::string::npos;
}

Json yaml_to_json(const YAML::Node& node, const std::string& display, const YamlRenderer* renderer,
                  const std::vector<std::string>& unrendered) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: {
      Json value = jinja::json_from_yaml(node);
      if (renderer != nullptr && value.is_string() && has_jinja(value.get<std::string>())) {
        return (*renderer)(value.get<std::string>(), yaml_where(display, node));
      }
      return value;
    }
    case YAML::NodeType::Sequence: {
      Json list = Json::array();
      for (const auto& item : node) {
        list.push_back(yaml_to_json(item, display, renderer, unrendered));
      }
      return list;
    }
    case YAML::NodeType::Map: {
      Json map = Json::object();
      for (const auto& entry : node) {
        std::string key = entry.first.as<std::string>();
        bool skip = std::find(unrendered.begin(), unrendered.end(), key) != unrendered.end();
        map[key] = yaml_to_json(entry.second, display, skip ? nullptr : renderer, unrendered);
      }
      return map;
    }
    default:
      return nullptr;
  }
}

}  // namespace dvt
