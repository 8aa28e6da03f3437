#include "connectors/tiers.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "connectors/registry.h"
#include "core/log.h"
#include "core/output_config.h"

namespace dvt {

namespace {

std::string tier_list(const std::vector<Method>& tiers) {
  std::vector<std::string_view> names;
  for (Method tier : tiers) names.emplace_back(method_name(tier));
  return fmt::format("{}", fmt::join(names, ", "));
}

// The `methods:` field: a YAML list ([pipe, native]) or "pipe, native".
std::vector<std::string> method_names(const std::string& text) {
  std::vector<std::string> names;
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception&) {
    node = YAML::Node(text);
  }
  auto add_words = [&](const std::string& words) {
    size_t start = 0;
    while (start <= words.size()) {
      size_t comma = words.find(',', start);
      std::string word = words.substr(start, comma == std::string::npos ? comma : comma - start);
      word.erase(0, word.find_first_not_of(" \t"));
      word.erase(word.find_last_not_of(" \t") + 1);
      if (!word.empty()) names.push_back(word);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  };
  if (node.IsSequence()) {
    for (const auto& item : node) add_words(item.as<std::string>());
  } else {
    add_words(text);
  }
  return names;
}

}  // namespace

std::vector<Method> plan_tiers(const OutputConfig& output, Method requested) {
  const AdapterInfo* adapter = find_adapter(output.type());
  if (!adapter || adapter->tiers.empty()) {
    throw ConfigError(fmt::format("{}: output '{}': dvt cannot move data through {} in this build",
                                  output.location(), output.name(), output.type()));
  }
  const std::vector<Method>& available = adapter->tiers;
  auto has = [&](Method tier) {
    return std::find(available.begin(), available.end(), tier) != available.end();
  };
  if (requested != Method::kAuto) {
    if (!has(requested)) {
      throw ConfigError(fmt::format(
          "output '{}': {} has no {} tier in this build (its tiers: {}); use --method auto or one "
          "of those",
          output.name(), output.type(), method_name(requested), tier_list(available)));
    }
    return {requested};
  }
  std::optional<std::string> preferred = output.get("methods");
  if (!preferred) return available;
  std::vector<Method> tiers;
  for (const auto& name : method_names(*preferred)) {
    Method tier;
    try {
      tier = parse_method(name);
    } catch (const ConfigError&) {
      tier = Method::kAuto;
    }
    if (tier == Method::kAuto || !has(tier)) {
      throw ConfigError(
          fmt::format("{}: output '{}': methods lists '{}', which is not a tier of {} "
                      "in this build (its tiers: {})",
                      output.location(), output.name(), name, output.type(), tier_list(available)));
    }
    if (std::find(tiers.begin(), tiers.end(), tier) == tiers.end()) tiers.push_back(tier);
  }
  if (tiers.empty()) {
    throw ConfigError(fmt::format("{}: output '{}': methods is empty (its tiers: {})",
                                  output.location(), output.name(), tier_list(available)));
  }
  return tiers;
}

void note_fallback(std::vector<std::string>& fallbacks, Method from, Method to,
                   const std::string& why) {
  log_warn(
      "tier.fallback",
      fmt::format("{} tier unavailable, using {}: {}", method_name(from), method_name(to), why),
      {{"from", method_name(from)}, {"to", method_name(to)}, {"reason", why}});
  fallbacks.push_back(fmt::format("{} -> {}: {}", method_name(from), method_name(to), why));
}

void check_test_break(Method tier) {
  const char* broken = std::getenv("DVT_TEST_BREAK_TIER");
  if (!broken) return;
  // One tier, or several separated by commas ("native,pipe").
  std::string_view list(broken);
  bool named = false;
  while (!list.empty() && !named) {
    size_t comma = list.find(',');
    named = list.substr(0, comma) == method_name(tier);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  if (named) {
    throw TierUnavailable(
        fmt::format("the {} tier is disabled by DVT_TEST_BREAK_TIER", method_name(tier)));
  }
}

}  // namespace dvt
