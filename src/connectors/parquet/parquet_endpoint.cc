#include "connectors/parquet/parquet_endpoint.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/temp_file.h"

namespace dvt {

Source open_parquet_source(Engine& engine, const std::filesystem::path& path, const ScanRequest& request) {
  if (!request.query.empty()) throw ConfigError("--query needs a database output as its source, not a file");
  if (!std::filesystem::exists(path)) throw ConfigError(fmt::format("Parquet file {} does not exist", path.string()));
  std::string sql = build_scan_sql(request, duck_quote, fmt::format("read_parquet({})", duck_literal(path.string())));
  Source source;
  source.schema = engine.describe(sql);
  auto count = engine.query_strings(
      fmt::format("SELECT sum(num_rows) FROM parquet_file_metadata({})", duck_literal(path.string())));
  if (!count.empty() && count[0][0]) source.schema.estimated_rows = std::stoull(*count[0][0]);
  source.relation = "(" + sql + ")";
  source.method = "native";
  return source;
}

LoadResult ParquetSink::consume(Engine& engine, const std::string& select_sql, const TableSchema& /*schema*/,
                                Progress* progress) {
  TempFile::remove_stale(path_);
  TempFile temp(path_);
  uint64_t rows = engine.execute(fmt::format("COPY ({}) TO {} (FORMAT parquet, COMPRESSION zstd)", select_sql,
                                             duck_literal(temp.path().string())));
  if (progress && progress->rows() != 0 && progress->rows() != rows) {
    throw DataError(fmt::format("{}: {} rows read but {} written", path_.string(), progress->rows(), rows));
  }
  temp.commit();
  if (progress) progress->set_rows(rows);
  LoadResult result;
  result.rows = rows;
  result.method = "native";
  return result;
}

}  // namespace dvt
