#include "cli/debug.h"

#include "cli/command.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "connectors/connector.h"
#include "connectors/registry.h"
#include "core/error.h"
#include "core/log.h"
#include "engine/engine.h"
#include "project/profiles.h"

namespace dvt {

namespace {

bool contains_any(const std::string& text, std::initializer_list<const char*> needles) {
  for (const char* needle : needles) {
    if (text.find(needle) != std::string::npos) return true;
  }
  return false;
}

// One output through one tier.
nlohmann::json check_tier(Connector& connector, Method tier, const OutputConfig& output) {
  Logger& logger = Logger::instance();
  nlohmann::json result = {{"tier", method_name(tier)}};
  auto start = std::chrono::steady_clock::now();
  try {
    std::string detail = connector.check(tier);
    result["status"] = "ok";
    result["detail"] = logger.redact(detail);
  } catch (const TierUnavailable& error) {
    result["status"] = "unavailable";
    result["error"] = logger.redact(error.what());
    std::string fix = likely_fix(error.what(), output.location());
    if (!fix.empty()) result["fix"] = fix;
  } catch (const Interrupted&) {
    throw;
  } catch (const Error& error) {
    result["status"] = "failed";
    result["kind"] = error.kind();
    result["error"] = logger.redact(error.what());
    std::string fix = likely_fix(error.what(), output.location());
    if (!fix.empty()) result["fix"] = fix;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result["seconds"] = std::round(seconds * 1000) / 1000;
  return result;
}

nlohmann::json check_output(const OutputConfig& output) {
  nlohmann::json entry = {{"output", output.name()},
                          {"type", output.type()},
                          {"location", output.location()},
                          {"tiers", nlohmann::json::array()}};
  const AdapterInfo* adapter = find_adapter(output.type());
  if (!adapter || !adapter->implemented || adapter->tiers.empty()) {
    entry["ok"] = false;
    entry["error"] = fmt::format("dvt has no connector for {} in this build", output.type());
    return entry;
  }
  entry["adapter"] = std::string(adapter->type);
  if (output.unrendered()) {
    entry["ok"] = false;
    entry["error"] = *output.unrendered();
    return entry;
  }
  bool any_ok = false;
  try {
    EngineOptions options;
    options.threads = 1;
    Engine engine(options);
    std::unique_ptr<Connector> connector = make_connector(output, engine);
    for (Method tier : adapter->tiers) {
      nlohmann::json result = check_tier(*connector, tier, output);
      any_ok |= result["status"] == "ok";
      entry["tiers"].push_back(std::move(result));
    }
  } catch (const Interrupted&) {
    throw;
  } catch (const Error& error) {
    // The output's settings themselves are wrong (a port that is no number).
    entry["error"] = Logger::instance().redact(error.what());
  }
  entry["ok"] = any_ok;
  return entry;
}

}  // namespace

std::string likely_fix(const std::string& message, const std::string& location) {
  if (contains_any(message,
                   {"password authentication failed", "Access denied", "Authentication failed",
                    "authentication failed", "Wrong password", "no password supplied"})) {
    return fmt::format(
        "check user and password of the output at {} (a password read with env_var needs that "
        "variable set)",
        location);
  }
  if (contains_any(message, {"could not translate host name", "Unknown MySQL server host",
                             "Unknown server host", "Could not resolve host",
                             "Name or service not known"})) {
    return fmt::format("check the host name of the output at {}", location);
  }
  if (contains_any(message, {"Connection refused", "Can't connect", "Couldn't connect",
                             "could not connect", "Failed to connect", "timeout expired",
                             "timed out", "Timeout was reached", "No route to host"})) {
    return fmt::format(
        "check host and port of the output at {}, and that the server is running and reachable "
        "from here",
        location);
  }
  if (contains_any(message, {"does not exist"}) && contains_any(message, {"SQLite", "DuckDB"})) {
    return fmt::format("check path at {} (a load creates the file; a read needs it)", location);
  }
  if (contains_any(message, {"Unknown database", "UNKNOWN_DATABASE"}) ||
      (message.find("database") != std::string::npos &&
       message.find("does not exist") != std::string::npos)) {
    return fmt::format("check the database name (dbname, database or schema) at {}", location);
  }
  if (contains_any(message, {"SSL", "TLS", "certificate"})) {
    return fmt::format("check the TLS settings (sslmode, ssl_mode, secure) at {}", location);
  }
  return "";
}

nlohmann::json debug_report(const GlobalOptions& options, const DebugOptions& debug) {
  Profiles profiles = Profiles::load(Profiles::resolve_dir(options.profiles_dir));
  const Profile& profile = profiles.profile(options.profile);
  if (!debug.output.empty() && !profile.outputs.contains(debug.output)) {
    std::vector<std::string> names;
    for (const auto& [name, output] : profile.outputs) names.push_back(name);
    throw ConfigError(fmt::format("{}: profile '{}' has no output named '{}' (outputs: {})",
                                  profiles.file(), profile.name, debug.output,
                                  fmt::join(names, ", ")));
  }
  nlohmann::json report = {{"profile", profile.name},
                           {"profiles_file", profiles.file()},
                           {"outputs", nlohmann::json::array()}};
  bool all_ok = true;
  for (const auto& [name, output] : profile.outputs) {
    if (!debug.output.empty() && name != debug.output) continue;
    log_event("debug.output", fmt::format("checking output '{}' ({})", name, output.type()),
              {{"output", name}});
    nlohmann::json entry = check_output(output);
    all_ok &= entry["ok"].get<bool>();
    report["outputs"].push_back(std::move(entry));
  }
  report["ok"] = all_ok;
  return report;
}

int run_debug(const GlobalOptions& options, const DebugOptions& debug) {
  nlohmann::json report = debug_report(options, debug);
  int exit_code = report["ok"].get<bool>() ? 0 : 1;
  Logger& logger = Logger::instance();
  if (debug.json || logger.format() == LogFormat::kJson) {
    std::printf("%s\n", report.dump(2).c_str());
    return exit_code;
  }
  std::printf("profile %s (%s)\n\n", report["profile"].get<std::string>().c_str(),
              report["profiles_file"].get<std::string>().c_str());
  std::printf("%-16s %-12s %-8s %-12s %s\n", "OUTPUT", "TYPE", "TIER", "STATUS", "DETAIL");
  for (const auto& entry : report["outputs"]) {
    std::string output = entry["output"];
    std::string type = entry["type"];
    if (entry.contains("error")) {
      std::printf("%-16s %-12s %-8s %-12s %s\n", output.c_str(), type.c_str(), "-", "failed",
                  entry["error"].get<std::string>().c_str());
    }
    for (const auto& tier : entry["tiers"]) {
      std::string status = tier["status"];
      std::string detail = tier.contains("detail") ? tier["detail"].get<std::string>()
                                                   : tier["error"].get<std::string>();
      if (status == "ok")
        detail += fmt::format(" ({:.0f} ms)", tier["seconds"].get<double>() * 1000);
      std::printf("%-16s %-12s %-8s %-12s %s\n", output.c_str(), type.c_str(),
                  tier["tier"].get<std::string>().c_str(), status.c_str(), detail.c_str());
      if (tier.contains("fix")) {
        std::printf("%-16s %-12s %-8s %-12s fix: %s\n", "", "", "", "",
                    tier["fix"].get<std::string>().c_str());
      }
    }
  }
  std::printf("\n%s\n", exit_code == 0 ? "every output has a working tier"
                                       : "some outputs have no working tier");
  return exit_code;
}

}  // namespace dvt

namespace dvt {

namespace {

class DebugCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override {
    CLI::App* command = app.add_subcommand(
        "debug",
        "Connect to each output of the profile through every tier and run a trivial query");
    command->add_option("--output", options_.output, "Check only this output");
    command->add_flag("--json", options_.json, "Print the report as JSON");
    return command;
  }

  int run(const GlobalOptions& global) override { return run_debug(global, options_); }

 private:
  DebugOptions options_;
};

}  // namespace

std::unique_ptr<Command> make_debug_command() {
  return std::make_unique<DebugCommand>();
}

}  // namespace dvt
