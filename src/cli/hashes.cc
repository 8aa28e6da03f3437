#include "cli/hashes.h"

#include <fmt/format.h>

#include "connectors/parquet/parquet_endpoint.h"
#include "core/error.h"
#include "core/log.h"

namespace dvt {

namespace fs = std::filesystem;

TransferResult run_hashes(const GlobalOptions& options, const Endpoint& from,
                          const std::string& name, const fs::path& staging_dir) {
  if (from.is_file || from.table.name.empty()) {
    throw ConfigError(
        fmt::format("hashes reads a database table: use OUTPUT:SCHEMA.TABLE, got '{}'", from.text));
  }
  std::string file_name = name.empty() ? from.table.name : name;
  if (file_name.find('/') != std::string::npos)
    throw ConfigError("--name must be a plain file name");
  ProfileContext context(options);
  const OutputConfig& output = context.output(from);

  TransferResult result;
  result.command = "hashes";
  result.source =
      fmt::format("{}:{}", from.output.empty() ? output.name() : from.output, from.table.display());
  fs::path target = staging_dir / "_state" / (file_name + ".hashes.parquet");
  result.target = target.string();

  JobEngine job(options);
  Engine& engine = job.engine;
  std::unique_ptr<Connector> connector = make_connector(output, engine);
  Progress progress(fmt::format("{} -> {}", result.source, result.target), std::nullopt);
  Source source = connector->open_row_hashes(engine, from.table, &progress);
  log_event("hashes.start", fmt::format("hashes: {} -> {}", result.source, result.target),
            {{"source", result.source}, {"target", result.target}});
  // Rows are matched by _pk, never by position.
  ParquetSink sink(target, RowOrder::kAny);
  LoadResult loaded =
      sink.consume(engine, "SELECT * FROM " + source.relation, source.schema, &progress);
  progress.finish();
  result.rows = loaded.rows;
  result.bytes = fs::exists(target) ? fs::file_size(target) : 0;
  result.seconds = progress.elapsed_seconds();
  result.source_method = source.method;
  result.target_method = loaded.method;
  result.fallbacks = source.fallbacks;
  return result;
}

}  // namespace dvt
