#include "cli/transfer.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

#include "cli/progress_line.h"
#include "connectors/load_plan.h"
#include "core/log.h"

namespace dvt {

TransferEnd resolve_end(ProfileContext& profiles, const Endpoint& endpoint,
                        const ScanRequest* scan) {
  TransferEnd end;
  if (endpoint.is_file) {
    end.file = endpoint.path;
    end.display = endpoint.path;
    return end;
  }
  end.output = &profiles.output(endpoint.output, fmt::format("endpoint '{}'", endpoint.text));
  end.table = endpoint.table;
  if (scan && !scan->query.empty()) {
    end.display = endpoint.output + " (query)";
  } else {
    end.display = fmt::format("{}:{}", endpoint.output, endpoint.table.display());
  }
  return end;
}

TransferResult run_cli_transfer(const GlobalOptions& options, const std::string& command,
                                const Endpoint& from, ScanRequest scan, const Endpoint& to,
                                LoadRequest load) {
  ProfileContext profiles = options.profiles();
  Transfer transfer;
  transfer.command = command;
  // Outputs are resolved before any work, so configuration errors come first.
  transfer.from = resolve_end(profiles, from, &scan);
  transfer.to = resolve_end(profiles, to, nullptr);
  transfer.scan = std::move(scan);
  transfer.load = std::move(load);
  ProgressLine line;
  return run_transfer(options.job(), transfer, &line);
}

void report(const TransferResult& result) {
  double rate = result.seconds > 0 ? result.rows / result.seconds : 0;
  nlohmann::json json = {
      {"status", result.status},
      {"command", result.command},
      {"source", result.source},
      {"target", result.target},
      {"rows", result.rows},
      {"bytes", result.bytes},
      {"seconds", std::round(result.seconds * 1000) / 1000},
      {"rows_per_second", static_cast<uint64_t>(rate)},
      {"method", {{"source", result.source_method}, {"target", result.target_method}}},
      {"fallbacks", result.fallbacks},
      {"warnings", result.warnings},
      {"source_bytes", result.source_bytes}};
  if (!result.note.empty()) json["note"] = result.note;
  if (result.inserted) json["inserted"] = *result.inserted;
  if (result.updated) json["updated"] = *result.updated;
  if (result.deleted) json["deleted"] = *result.deleted;
  Logger& logger = Logger::instance();
  if (logger.format() == LogFormat::kJson) {
    logger.result(json);
    return;
  }
  if (logger.verbosity() < 0) return;
  if (result.status == "skipped") {
    std::printf("%s\n", logger
                            .redact(fmt::format("{}: skipped: {}  {} -> {}", result.command,
                                                result.note, result.source, result.target))
                            .c_str());
    std::fflush(stdout);
    return;
  }
  std::string text =
      fmt::format("{}: {} rows  {} -> {}  in {:.2f} s ({} rows/s", result.command, result.rows,
                  result.source, result.target, result.seconds, static_cast<uint64_t>(rate));
  if (result.bytes) text += ", " + Progress::human_bytes(result.bytes);
  text += fmt::format("; method: {} -> {})", result.source_method, result.target_method);
  std::printf("%s\n", logger.redact(text).c_str());
  std::vector<std::string> changes;
  if (result.inserted) changes.push_back(fmt::format("{} inserted", *result.inserted));
  if (result.updated) changes.push_back(fmt::format("{} updated", *result.updated));
  if (result.deleted) changes.push_back(fmt::format("{} deleted", *result.deleted));
  if (!changes.empty())
    std::printf("  target: %s\n", fmt::format("{}", fmt::join(changes, ", ")).c_str());
  if (!result.note.empty()) std::printf("  %s\n", logger.redact(result.note).c_str());
  for (const auto& fallback : result.fallbacks)
    std::printf("  fallback: %s\n", logger.redact(fallback).c_str());
  for (const auto& warning : result.warnings)
    std::printf("  warning: %s\n", logger.redact(warning).c_str());
  std::fflush(stdout);
}

}  // namespace dvt
