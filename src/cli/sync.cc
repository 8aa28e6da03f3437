#include "cli/sync.h"

#include "cli/command.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "connectors/odbc/odbc_drivers.h"
#include "connectors/pipe/child_process.h"
#include "connectors/registry.h"
#include "core/error.h"
#include "project/profiles.h"

namespace dvt {

namespace {

bool matches_driver(const std::string& driver, std::string_view patterns) {
  std::string lower_driver = driver;
  std::transform(lower_driver.begin(), lower_driver.end(), lower_driver.begin(), ::tolower);
  size_t start = 0;
  while (start <= patterns.size() && !patterns.empty()) {
    size_t bar = patterns.find('|', start);
    std::string pattern(patterns.substr(
        start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    std::transform(pattern.begin(), pattern.end(), pattern.begin(), ::tolower);
    if (!pattern.empty() && lower_driver.find(pattern) != std::string::npos) return true;
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return false;
}

nlohmann::json hints_json(const InstallHints& hints, const std::string& platform,
                          bool all_platforms) {
  nlohmann::json out = nlohmann::json::object();
  if (all_platforms) {
    for (const char* name : {"macos", "debian", "rhel", "alpine"}) {
      if (!hints.for_platform(name).empty()) out[name] = std::string(hints.for_platform(name));
    }
  } else if (!hints.for_platform(platform).empty()) {
    out[platform] = std::string(hints.for_platform(platform));
  }
  if (!hints.docs.empty()) out["docs"] = std::string(hints.docs);
  return out;
}

}  // namespace

namespace {

// The [section] names odbcinst prints for `flag` (-d drivers, -s data
// sources), or nullopt when odbcinst is not installed.
std::optional<std::vector<std::string>> odbcinst_sections(const char* flag) {
  if (!find_in_path("odbcinst")) return std::nullopt;
  Captured captured = capture({"odbcinst", "-q", flag}, std::chrono::seconds(5));
  std::vector<std::string> names;
  size_t start = 0;
  const std::string& text = captured.output;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line =
        text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.size() > 2 && line.front() == '[' && line.back() == ']')
      names.push_back(line.substr(1, line.size() - 2));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return names;
}

// The data sources of odbc.ini, or none.
std::vector<std::string> list_odbc_sources() {
  return odbcinst_sections("-s").value_or(std::vector<std::string>{});
}

}  // namespace

std::optional<std::vector<std::string>> list_odbc_drivers() {
  return odbcinst_sections("-d");
}

nlohmann::json sync_report(const GlobalOptions& options, const SyncOptions& sync) {
  Profiles profiles = Profiles::load(Profiles::resolve_dir(options.profiles_dir));
  const Profile& profile = profiles.profile(options.profile);
  std::string platform = sync.platform.empty() ? detect_platform() : sync.platform;

  // Outputs grouped by adapter family, in the registry's order.
  std::map<const AdapterInfo*, std::vector<std::string>> outputs_by_adapter;
  for (const auto& [name, output] : profile.outputs)
    outputs_by_adapter[find_adapter(output.type())].push_back(name);

  nlohmann::json report = {{"profile", profile.name},
                           {"profiles_file", profiles.file()},
                           {"platform", platform},
                           {"adapters", nlohmann::json::array()}};
  std::optional<std::vector<std::string>> odbc = list_odbc_drivers();
  for (const AdapterInfo& adapter : adapters()) {
    auto found = outputs_by_adapter.find(&adapter);
    if (found == outputs_by_adapter.end()) continue;
    nlohmann::json entry = {{"adapter", std::string(adapter.type)},
                            {"outputs", found->second},
                            {"implemented", adapter.implemented},
                            {"tiers", nlohmann::json::array()}};
    if (!adapter.native_driver.empty()) {
      entry["tiers"].push_back(
          {{"tier", "native"},
           {"tool", std::string(adapter.native_driver)},
           {"status", adapter.implemented ? "built-in" : "not in this build"},
           {"path", ""},
           {"version", adapter.implemented ? native_driver_version(adapter) : ""}});
    }
    if (adapter.bucket_tier) {
      entry["tiers"].push_back({{"tier", "bucket"},
                                {"tool", "cloud bucket (COPY INTO / UNLOAD)"},
                                {"status", "not in this build"},
                                {"path", ""},
                                {"version", ""}});
    }
    bool any_pipe_tool = false;
    for (const ToolInfo& tool : adapter.pipe_tools) {
      ToolProbe probe = probe_tool(tool);
      any_pipe_tool |= probe.status == "found";
      nlohmann::json tier = {{"tier", "pipe"},
                             {"tool", probe.tool},
                             {"status", probe.status},
                             {"path", probe.path},
                             {"version", probe.version}};
      if (!probe.detail.empty()) tier["detail"] = probe.detail;
      entry["tiers"].push_back(tier);
    }
    if (!adapter.pipe_tools.empty() && !any_pipe_tool) {
      entry["install"] = hints_json(adapter.pipe_install, platform, sync.all_platforms);
    }
    const bool odbc_tier =
        std::find(adapter.tiers.begin(), adapter.tiers.end(), Method::kOdbc) != adapter.tiers.end();
    if (odbc_tier && adapter.odbc_driver_match.empty()) {
      // `type: odbc`: each output names its own driver or data source.
      std::vector<std::string> sources = list_odbc_sources();
      for (const auto& name : found->second) {
        const OutputConfig& output = profile.outputs.at(name);
        std::string dsn = output.get_or("dsn", "");
        std::string driver = output.get_or("driver", "");
        const std::vector<std::string>& known =
            dsn.empty() ? odbc.value_or(std::vector<std::string>{}) : sources;
        const std::string& wanted = dsn.empty() ? driver : dsn;
        bool present = std::find(known.begin(), known.end(), wanted) != known.end() ||
                       (!driver.empty() && driver.front() == '/' && find_in_path(driver));
        entry["tiers"].push_back({{"tier", "odbc"},
                                  {"tool", dsn.empty() ? driver : "data source " + dsn},
                                  {"status", present ? "found" : "missing"},
                                  {"path", ""},
                                  {"version", ""},
                                  {"output", name}});
      }
    } else if (odbc_tier) {
      nlohmann::json drivers = nlohmann::json::array();
      for (const auto& driver : odbc.value_or(std::vector<std::string>{})) {
        if (matches_driver(driver, adapter.odbc_driver_match)) drivers.push_back(driver);
      }
      // The driver the odbc tier takes: a Unicode one first.
      std::stable_sort(drivers.begin(), drivers.end(), [](const auto& a, const auto& b) {
        return (a.template get<std::string>().find("Unicode") != std::string::npos) >
               (b.template get<std::string>().find("Unicode") != std::string::npos);
      });
      nlohmann::json tier = {
          {"tier", "odbc"},
          {"tool", drivers.empty() ? "ODBC driver" : drivers[0].get<std::string>()},
          {"status", drivers.empty() ? "missing" : "found"},
          {"path", ""},
          {"version", ""},
          {"drivers", drivers}};
      std::string_view package = odbc::driver_profile(adapter.type).apt_package;
      if (drivers.empty() && !package.empty() && (platform == "debian" || sync.all_platforms)) {
        entry["odbc_install"] = {{"debian", fmt::format("apt-get install {}", package)}};
      }
      entry["tiers"].push_back(tier);
    }
    report["adapters"].push_back(entry);
  }
  nlohmann::json odbc_json = {{"odbcinst", odbc.has_value()}, {"drivers", nlohmann::json::array()}};
  if (!odbc) {
    odbc_json["install"] =
        hints_json({"brew install unixodbc", "apt-get install unixodbc odbcinst",
                    "dnf install unixODBC", "apk add unixodbc", "https://www.unixodbc.org/"},
                   platform, sync.all_platforms);
  }
  for (const auto& driver : odbc.value_or(std::vector<std::string>{})) {
    nlohmann::json outputs = nlohmann::json::array();
    for (const auto& [name, output] : profile.outputs) {
      const AdapterInfo* adapter = find_adapter(output.type());
      bool named =
          output.get_or("driver", "") == driver || output.get_or("odbc_driver", "") == driver;
      bool usable = adapter && !adapter->odbc_driver_match.empty() &&
                    std::find(adapter->tiers.begin(), adapter->tiers.end(), Method::kOdbc) !=
                        adapter->tiers.end() &&
                    matches_driver(driver, adapter->odbc_driver_match);
      if (named || (usable && !output.has("odbc_driver"))) outputs.push_back(name);
    }
    odbc_json["drivers"].push_back({{"name", driver}, {"outputs", outputs}});
  }
  report["odbc"] = odbc_json;
  return report;
}

int run_sync(const GlobalOptions& options, const SyncOptions& sync) {
  nlohmann::json report = sync_report(options, sync);
  if (sync.json) {
    std::printf("%s\n", report.dump(2).c_str());
    return 0;
  }
  std::printf("profile %s (%s), platform %s\n\n", report["profile"].get<std::string>().c_str(),
              report["profiles_file"].get<std::string>().c_str(),
              report["platform"].get<std::string>().c_str());
  std::printf("%-12s %-8s %-28s %-18s %-12s %-26s %s\n", "ADAPTER", "TIER", "TOOL", "STATUS",
              "VERSION", "PATH", "OUTPUTS");
  auto hint_line = [](const std::string& what, const std::string& platform,
                      const std::string& hint) {
    return platform == "docs" ? fmt::format("{}: see {}", what, hint)
                              : fmt::format("{} ({}): {}", what, platform, hint);
  };
  std::vector<std::string> hints;
  for (const auto& adapter : report["adapters"]) {
    std::string name = adapter["adapter"];
    std::string outputs = fmt::format("{}", fmt::join(adapter["outputs"], ","));
    for (const auto& tier : adapter["tiers"]) {
      std::string status = tier["status"];
      if (tier.contains("detail")) status += " (" + tier["detail"].get<std::string>() + ")";
      std::string row_outputs =
          tier.contains("output") ? tier["output"].get<std::string>() : outputs;
      std::printf("%-12s %-8s %-28s %-18s %-12s %-26s %s\n", name.c_str(),
                  tier["tier"].get<std::string>().c_str(), tier["tool"].get<std::string>().c_str(),
                  status.c_str(), tier["version"].get<std::string>().c_str(),
                  tier["path"].get<std::string>().c_str(), row_outputs.c_str());
    }
    if (adapter.contains("install")) {
      for (const auto& [platform, hint] : adapter["install"].items()) {
        hints.push_back(hint_line(name + " pipe tier", platform, hint.get<std::string>()));
      }
    }
    if (adapter.contains("odbc_install")) {
      for (const auto& [platform, hint] : adapter["odbc_install"].items()) {
        hints.push_back(hint_line(name + " odbc tier", platform, hint.get<std::string>()));
      }
    }
  }
  const auto& odbc = report["odbc"];
  std::printf("\nODBC drivers: ");
  if (!odbc["odbcinst"].get<bool>()) {
    std::printf("unixODBC's odbcinst is not installed\n");
    for (const auto& [platform, hint] : odbc["install"].items()) {
      hints.push_back(hint_line("odbc", platform, hint.get<std::string>()));
    }
  } else if (odbc["drivers"].empty()) {
    std::printf("none registered\n");
  } else {
    std::printf("\n");
    for (const auto& driver : odbc["drivers"]) {
      std::string outputs = driver["outputs"].empty()
                                ? "no output of this profile"
                                : fmt::format("{}", fmt::join(driver["outputs"], ", "));
      std::printf("  %-40s usable by: %s\n", driver["name"].get<std::string>().c_str(),
                  outputs.c_str());
    }
  }
  if (!hints.empty()) {
    std::printf("\nTo install what is missing:\n");
    for (const auto& hint : hints) std::printf("  %s\n", hint.c_str());
  }
  return 0;
}

}  // namespace dvt

namespace dvt {

namespace {

class SyncCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command = app.add_subcommand("sync",
                                           "Report the drivers and CLI tools the profile's outputs "
                                           "can use, their versions, and how to install "
                                           "what is missing (installs nothing)");
    command->add_flag("--json", options_.json, "Print the report as JSON");
    command->add_flag("--all-platforms", options_.all_platforms,
                      "Install hints for every platform, not just this one");
    command
        ->add_option("--platform", options_.platform,
                     "Hints for this platform instead of the detected one")
        ->check(CLI::IsMember({"macos", "debian", "rhel", "alpine"}));
    return command;
  }

  int run(const GlobalOptions& global) override { return run_sync(global, options_); }

 private:
  SyncOptions options_;
};

}  // namespace

std::unique_ptr<Command> make_sync_command() {
  return std::make_unique<SyncCommand>();
}

}  // namespace dvt
