// Which tiers a job tries, in which order, and the one way every connector
// falls back from one to the next. The order comes from the adapter
// registry (fastest first); an output may set its own with `methods:`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "connectors/method.h"
#include "core/error.h"

namespace dvt {

class OutputConfig;
struct AdapterInfo;

// The tiers a job on `output` tries. A forced method gives that tier alone
// (ConfigError when the adapter has no such tier in this build). kAuto gives
// the output's `methods:` list when set (a YAML list or "pipe, native"),
// else the registry's order.
std::vector<Method> plan_tiers(const OutputConfig& output, Method requested);

// Records why `from` could not serve and `to` is tried next: one warning
// line, and "from -> to: why" appended to `fallbacks` for the summary.
void note_fallback(std::vector<std::string>& fallbacks, Method from, Method to,
                   const std::string& why);

// Throws TierUnavailable when DVT_TEST_BREAK_TIER names `tier` (one name, or
// a comma-separated list such as "native,pipe"): lets tests
// exercise a fallback against a real server whose every tier works.
void check_test_break(Method tier);

// Calls `open(tier)` for each of `tiers` in order and returns the first
// result. A TierUnavailable moves on to the next tier (noted in
// `fallbacks`); from the last tier, and any other error, propagates.
template <typename Open>
auto open_first_tier(const std::vector<Method>& tiers, std::vector<std::string>& fallbacks,
                     Open&& open) -> decltype(open(Method::kNative)) {
  for (size_t i = 0;; ++i) {
    try {
      check_test_break(tiers[i]);
      return open(tiers[i]);
    } catch (const TierUnavailable& error) {
      if (i + 1 >= tiers.size()) throw;
      note_fallback(fallbacks, tiers[i], tiers[i + 1], error.what());
    }
  }
}

}  // namespace dvt
