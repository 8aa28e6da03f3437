#include "cli/transfer.h"

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "connectors/parquet/parquet_endpoint.h"
#include "core/error.h"
#include "core/log.h"
#include "core/sql_text.h"

namespace dvt {

namespace fs = std::filesystem;

namespace {

std::string describe_endpoint(const Endpoint& endpoint, const ScanRequest* scan) {
  if (endpoint.is_file) return endpoint.path;
  if (scan && !scan->query.empty()) return endpoint.output + " (query)";
  return fmt::format("{}:{}", endpoint.output, endpoint.table.display());
}

}  // namespace

const OutputConfig& ProfileContext::output(const Endpoint& endpoint) {
  if (!profiles_) profiles_ = Profiles::load(Profiles::resolve_dir(options_.profiles_dir));
  const Profile& profile = profiles_->profile(options_.profile);
  std::string name = endpoint.output;
  if (name.empty()) name = options_.target.empty() ? profile.target : options_.target;
  if (name.empty()) {
    throw ConfigError(
        fmt::format("{}: endpoint '{}' names no output and profile '{}' has no target",
                    profiles_->file(), endpoint.text, profile.name));
  }
  auto found = profile.outputs.find(name);
  if (found == profile.outputs.end()) {
    std::vector<std::string> names;
    for (const auto& [key, value] : profile.outputs) names.push_back(key);
    throw ConfigError(fmt::format("{}: profile '{}' has no output named '{}' (outputs: {})",
                                  profiles_->file(), profile.name, name, fmt::join(names, ", ")));
  }
  found->second.require_rendered();
  return found->second;
}

TransferResult run_transfer(const GlobalOptions& options, const std::string& command,
                            const Endpoint& from, ScanRequest scan, const Endpoint& to,
                            LoadRequest load) {
  ProfileContext context(options);
  TransferResult result;
  result.command = command;
  result.source = describe_endpoint(from, &scan);
  result.target = describe_endpoint(to, nullptr);
  if (!from.is_file && scan.query.empty() && from.table.name.empty()) {
    throw ConfigError(
        fmt::format("source '{}' names no table: use OUTPUT:SCHEMA.TABLE or --query", from.text));
  }
  if (!to.is_file && to.table.name.empty()) {
    throw ConfigError(fmt::format("target '{}' names no table: use OUTPUT:SCHEMA.TABLE", to.text));
  }
  if (from.is_file && to.is_file &&
      fs::weakly_canonical(from.path) == fs::weakly_canonical(to.path)) {
    throw ConfigError("source and target are the same file");
  }
  // Resolve outputs before any work so configuration errors come first.
  const OutputConfig* source_output = from.is_file ? nullptr : &context.output(from);
  const OutputConfig* target_output = to.is_file ? nullptr : &context.output(to);

  JobEngine job(options);
  Engine& engine = job.engine;

  Progress progress(fmt::format("{} -> {}", result.source, result.target), std::nullopt);
  std::unique_ptr<Connector> source_connector, target_connector;
  Source source;
  scan.table = from.table;
  if (from.is_file) {
    source = open_parquet_source(engine, from.path, scan);
  } else {
    source_connector = make_connector(*source_output, engine);
    source = source_connector->open_source(engine, scan, &progress);
  }
  progress.set_estimate(source.schema.estimated_rows);
  if (!source.reader) {
    // Rows flow inside DuckDB: read its own progress counter.
    duckdb_connection connection = engine.connection();
    progress.set_poll([connection](Progress& p) {
      duckdb_query_progress_type state = duckdb_query_progress(connection);
      if (state.rows_processed > 0) p.set_rows(state.rows_processed);
    });
  }
  log_debug("source.open", fmt::format("reading {} by {}", result.source, source.method),
            {{"source", result.source}, {"method", source.method}});

  std::unique_ptr<Sink> sink;
  load.table = to.table;
  if (to.is_file) {
    // A table has no order, so its rows may be encoded by several threads; a
    // file source and a query with ORDER BY keep theirs.
    bool keep_order = scan.keep_order || from.is_file || mentions_order_by(scan.query);
    sink = std::make_unique<ParquetSink>(to.path, keep_order ? RowOrder::kAsRead : RowOrder::kAny);
  } else {
    target_connector = make_connector(*target_output, engine);
    sink = target_connector->open_sink(load);
  }
  log_event(command + ".start", fmt::format("{}: {} -> {}", command, result.source, result.target),
            {{"source", result.source},
             {"target", result.target},
             {"columns", source.schema.columns.size()}});

  LoadResult loaded =
      sink->consume(engine, "SELECT * FROM " + source.relation, source.schema, &progress);
  progress.finish();
  result.rows = loaded.rows;
  result.bytes = source.reader ? source.reader->bytes_read() : progress.bytes();
  if (to.is_file && fs::exists(to.path)) result.bytes = fs::file_size(to.path);
  result.seconds = progress.elapsed_seconds();
  result.source_method = source.method;
  result.target_method = loaded.method;
  result.fallbacks = source.fallbacks;
  result.fallbacks.insert(result.fallbacks.end(), loaded.fallbacks.begin(), loaded.fallbacks.end());
  if (source.reader) result.warnings = source.reader->warnings();
  return result;
}

void report(const TransferResult& result) {
  double rate = result.seconds > 0 ? result.rows / result.seconds : 0;
  nlohmann::json json = {
      {"status", "success"},
      {"command", result.command},
      {"source", result.source},
      {"target", result.target},
      {"rows", result.rows},
      {"bytes", result.bytes},
      {"seconds", std::round(result.seconds * 1000) / 1000},
      {"rows_per_second", static_cast<uint64_t>(rate)},
      {"method", {{"source", result.source_method}, {"target", result.target_method}}},
      {"fallbacks", result.fallbacks},
      {"warnings", result.warnings}};
  Logger& logger = Logger::instance();
  if (logger.format() == LogFormat::kJson) {
    logger.result(json);
    return;
  }
  if (logger.verbosity() < 0) return;
  std::string text =
      fmt::format("{}: {} rows  {} -> {}  in {:.2f} s ({} rows/s", result.command, result.rows,
                  result.source, result.target, result.seconds, static_cast<uint64_t>(rate));
  if (result.bytes) text += ", " + Progress::human_bytes(result.bytes);
  text += fmt::format("; method: {} -> {})", result.source_method, result.target_method);
  std::printf("%s\n", logger.redact(text).c_str());
  for (const auto& fallback : result.fallbacks)
    std::printf("  fallback: %s\n", logger.redact(fallback).c_str());
  for (const auto& warning : result.warnings)
    std::printf("  warning: %s\n", logger.redact(warning).c_str());
  std::fflush(stdout);
}

}  // namespace dvt
