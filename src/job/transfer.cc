#include "job/transfer.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "connectors/parquet/parquet_endpoint.h"
#include "connectors/registry.h"
#include "core/error.h"
#include "core/log.h"
#include "core/sql_text.h"

namespace dvt {

namespace fs = std::filesystem;

void move_rows(Engine& engine, const std::string& command, Source& source, Sink& sink,
               Progress& progress, ProgressObserver* observer, TransferResult& result) {
  progress.set_estimate(source.schema.estimated_rows);
  if (!source.reader) {
    // Rows flow inside DuckDB: read its own progress counter.
    duckdb_connection connection = engine.connection();
    progress.set_poll([connection](Progress& p) {
      duckdb_query_progress_type state = duckdb_query_progress(connection);
      if (state.rows_processed > 0) p.set_rows(state.rows_processed);
    });
  }
  log_event(command + ".start", fmt::format("{}: {} -> {}", command, result.source, result.target),
            {{"source", result.source},
             {"target", result.target},
             {"columns", source.schema.columns.size()}});
  ObservedJob observed(observer, progress);
  LoadResult loaded =
      sink.consume(engine, "SELECT * FROM " + source.relation, source.schema, &progress);
  observed.finish();
  result.rows = loaded.rows;
  result.inserted = loaded.inserted;
  result.updated = loaded.updated;
  result.deleted = loaded.deleted;
  result.bytes = source.reader ? source.reader->bytes_read() : progress.bytes();
  result.source_bytes = source.reader ? source.reader->bytes_read() : 0;
  result.seconds = progress.elapsed_seconds();
  result.source_method = source.method;
  result.target_method = loaded.method;
  result.fallbacks = source.fallbacks;
  result.fallbacks.insert(result.fallbacks.end(), loaded.fallbacks.begin(), loaded.fallbacks.end());
  if (source.reader) result.warnings = source.reader->warnings();
}

namespace {

// Whether `end` is a database whose adapter has `method` as a tier.
bool has_tier(const TransferEnd& end, Method method) {
  if (end.is_file()) return false;
  const AdapterInfo* adapter = find_adapter(end.output->type());
  if (!adapter) return false;
  return std::find(adapter->tiers.begin(), adapter->tiers.end(), method) != adapter->tiers.end();
}

}  // namespace

TransferResult run_transfer(Engine& engine, const Transfer& transfer, ProgressObserver* observer) {
  const TransferEnd& from = transfer.from;
  const TransferEnd& to = transfer.to;
  TransferResult result;
  result.command = transfer.command;
  result.source = from.display;
  result.target = to.display;
  if (!from.is_file() && transfer.scan.query.empty() && from.table.name.empty()) {
    throw ConfigError(fmt::format("source '{}' names no table: use OUTPUT:SCHEMA.TABLE or --query",
                                  from.display));
  }
  if (!to.is_file() && to.table.name.empty()) {
    throw ConfigError(
        fmt::format("target '{}' names no table: use OUTPUT:SCHEMA.TABLE", to.display));
  }
  if (to.is_file() && to.file.extension() == ".csv") {
    throw ConfigError(fmt::format(
        "{}: dvt reads CSV files but writes Parquet; name a .parquet file", to.display));
  }
  if (from.is_file() && to.is_file() &&
      fs::weakly_canonical(from.file) == fs::weakly_canonical(to.file)) {
    throw ConfigError("source and target are the same file");
  }
  if (from.output) from.output->require_rendered();
  if (to.output) to.output->require_rendered();

  Progress progress(fmt::format("{} -> {}", result.source, result.target));
  std::unique_ptr<Connector> source_connector, target_connector;
  ScanRequest scan = transfer.scan;
  scan.table = from.table;
  LoadRequest load = transfer.load;
  load.table = to.table;
  // A forced tier applies to the ends that have it: copying a DuckDB table
  // into PostgreSQL with --method pipe reads DuckDB in-process and loads
  // through psql. With neither end having it, the connectors refuse it.
  if (scan.method != Method::kAuto && scan.method == load.method &&
      (has_tier(from, scan.method) || has_tier(to, load.method))) {
    if (!has_tier(from, scan.method)) scan.method = Method::kAuto;
    if (!has_tier(to, load.method)) load.method = Method::kAuto;
  }
  Source source;
  if (from.is_file() && from.file.extension() == ".csv") {
    source = open_csv_source(engine, from.file, from.csv);
  } else if (from.is_file()) {
    source = open_parquet_source(engine, from.file, scan);
  } else {
    source_connector = make_connector(*from.output, engine);
    source = source_connector->open_source(engine, scan, &progress);
  }
  log_debug("source.open", fmt::format("reading {} by {}", result.source, source.method),
            {{"source", result.source}, {"method", source.method}});

  std::unique_ptr<Sink> sink;
  if (to.is_file()) {
    // A table has no order, so its rows may be encoded by several threads; a
    // file source and a query with ORDER BY keep theirs.
    bool keep_order = scan.keep_order || from.is_file() || mentions_order_by(scan.query);
    sink = std::make_unique<ParquetSink>(to.file, keep_order ? RowOrder::kAsRead : RowOrder::kAny);
  } else {
    target_connector = make_connector(*to.output, engine);
    sink = target_connector->open_sink(load);
  }
  move_rows(engine, transfer.command, source, *sink, progress, observer, result);
  if (to.is_file() && fs::exists(to.file)) result.bytes = fs::file_size(to.file);
  return result;
}

TransferResult run_transfer(const JobOptions& options, const Transfer& transfer,
                            ProgressObserver* observer) {
  JobEngine job(options);
  return run_transfer(job.engine, transfer, observer);
}

TransferResult run_row_hashes(const JobOptions& options, const TransferEnd& from,
                              const fs::path& target, ProgressObserver* observer) {
  if (from.is_file() || from.table.name.empty()) {
    throw ConfigError(fmt::format(
        "hashes reads a database table: use OUTPUT:SCHEMA.TABLE, got '{}'", from.display));
  }
  from.output->require_rendered();
  TransferResult result;
  result.command = "hashes";
  result.source = from.display;
  result.target = target.string();

  JobEngine job(options);
  Engine& engine = job.engine;
  std::unique_ptr<Connector> connector = make_connector(*from.output, engine);
  Progress progress(fmt::format("{} -> {}", result.source, result.target));
  Source source = connector->open_row_hashes(engine, from.table, &progress);
  // Rows are matched by _pk, never by position.
  ParquetSink sink(target, RowOrder::kAny);
  move_rows(engine, "hashes", source, sink, progress, observer, result);
  result.bytes = fs::exists(target) ? fs::file_size(target) : 0;
  result.fallbacks = source.fallbacks;
  return result;
}

}  // namespace dvt
