#include "connectors/parquet/parquet_endpoint.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/temp_file.h"

namespace dvt {

namespace {

// The key under which a staging file keeps what Parquet's schema cannot say:
// which columns the source declared NOT NULL (Parquet's required fields are
// not written by DuckDB) and the source's primary key, so a table created
// from the file gets both back.
constexpr const char* kSchemaKey = "dvt.schema";

// {"not_null": [names], "primary_key": [names]}, or "" when there is nothing to keep.
std::string schema_metadata(const TableSchema& schema) {
  nlohmann::json not_null = nlohmann::json::array();
  for (const auto& column : schema.columns) {
    if (!column.nullable) not_null.push_back(column.name);
  }
  if (not_null.empty() && schema.primary_key.empty()) return "";
  nlohmann::json document = {{"not_null", not_null}, {"primary_key", schema.primary_key}};
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Applies a file's "dvt.schema" metadata to the columns read from it; a key
// whose columns are not all read is dropped. A file without it is left as is.
void apply_schema_metadata(Engine& engine, const std::filesystem::path& path, TableSchema& schema) {
  auto rows = engine.query_strings(
      fmt::format("SELECT decode(value) FROM parquet_kv_metadata({}) WHERE decode(key) = {}",
                  duck_literal(path.string()), duck_literal(kSchemaKey)));
  if (rows.empty() || !rows[0][0]) return;
  nlohmann::json document = nlohmann::json::parse(*rows[0][0], nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) {
    throw DataError(
        fmt::format("{}: its {} metadata is not a JSON object", path.string(), kSchemaKey));
  }
  for (const auto& name : document.value("not_null", nlohmann::json::array())) {
    int index = name.is_string() ? schema.find(name.get<std::string>()) : -1;
    if (index >= 0) schema.columns[index].nullable = false;
  }
  std::vector<std::string> key;
  for (const auto& name : document.value("primary_key", nlohmann::json::array())) {
    if (!name.is_string() || schema.find(name.get<std::string>()) < 0) return;
    key.push_back(name.get<std::string>());
  }
  schema.primary_key = std::move(key);
}

}  // namespace

Source open_parquet_source(Engine& engine, const std::filesystem::path& path,
                           const ScanRequest& request) {
  if (!request.query.empty())
    throw ConfigError("--query needs a database output as its source, not a file");
  if (!std::filesystem::exists(path))
    throw ConfigError(fmt::format("Parquet file {} does not exist", path.string()));
  std::string sql = build_scan_sql(request, duck_quote,
                                   fmt::format("read_parquet({})", duck_literal(path.string())));
  Source source;
  source.schema = engine.describe(sql);
  apply_schema_metadata(engine, path, source.schema);
  auto count = engine.query_strings(fmt::format(
      "SELECT sum(num_rows) FROM parquet_file_metadata({})", duck_literal(path.string())));
  if (!count.empty() && count[0][0]) source.schema.estimated_rows = std::stoull(*count[0][0]);
  source.relation = "(" + sql + ")";
  source.method = "native";
  return source;
}

namespace {

// A row group also ends once its buffered rows reach this size. Rows of the
// usual width (100-200 bytes) fill 122,880-row groups well below it, so only
// wide rows (documents, blobs) get smaller groups.
constexpr uint64_t kRowGroupBytes = 16 << 20;

// When several threads encode, each builds row groups of its own, of at most
// this many rows and 2 MB per thread. Measured with 1.4.4 and two threads:
// 64 rows of 1.5 MB peaked at 190 MB with 16 MB per thread, 157-172 MB with
// 8 MB, 94-116 MB with 2 MB (one thread, 16 MB: 112-119 MB); 10M rows of the
// ClickHouse bench table took 68 MB (86 MB on one thread) in a file 9%
// larger (25K-row groups).
constexpr int kParallelRowGroupRows = 61440;
constexpr uint64_t kParallelRowGroupBytes = 2 << 20;

}  // namespace

LoadResult ParquetSink::consume(Engine& engine, const std::string& select_sql,
                                const TableSchema& schema, Progress* progress) {
  TempFile::remove_stale(path_);
  TempFile temp(path_);
  // DuckDB's Parquet writer holds a whole row group (122,880 rows) in memory
  // before writing it, whatever the rows' size: 200 rows of 3 MB took 812 MB,
  // and 400 ran out of the engine's 1 GB memory_limit (measured with 1.4.4;
  // with groups ended at 16 MB, a MySQL extract of the 200 rows peaked at
  // 110 MB, at 32 MB at 150-180 MB). ROW_GROUP_SIZE_BYTES ends a group by
  // size too, but DuckDB accepts it only with preserve_insertion_order off:
  // when the rows may come in any order (and a reader then feeds every
  // thread), or on one engine thread, which runs the whole pipeline and so
  // writes rows in the order they arrive anyway.
  std::optional<ParallelReaders> parallel;
  if (order_ == RowOrder::kAny) parallel.emplace(engine);
  const bool several_threads = parallel && parallel->active();
  std::optional<ScopedSetting> one_thread;
  if (!several_threads && engine.threads() == 1) {
    one_thread.emplace(engine, "preserve_insertion_order", "false");
  }
  std::string options = "FORMAT parquet, COMPRESSION zstd";
  if (zstd_level_ > 0) options += fmt::format(", COMPRESSION_LEVEL {}", zstd_level_);
  if (one_thread) options += fmt::format(", ROW_GROUP_SIZE_BYTES {}", kRowGroupBytes);
  if (several_threads) {
    options += fmt::format(", ROW_GROUP_SIZE_BYTES {}, ROW_GROUP_SIZE {}", kParallelRowGroupBytes,
                           kParallelRowGroupRows);
  }
  // Bloom filters serve point lookups in a file that is read once, whole:
  // they cost 8-20% of a 10M-row write (one thread) and buy nothing here.
  // A column's dictionary is abandoned after 1,000 distinct values in a row
  // group instead of DuckDB's 6,144: 13-15% less time on 10M rows of the
  // ClickHouse bench table, same file size (1.4.4); codes, flags and
  // statuses still get one.
  options += ", WRITE_BLOOM_FILTER false, DICTIONARY_SIZE_LIMIT 1000";
  if (std::string metadata = schema_metadata(schema); !metadata.empty()) {
    options +=
        fmt::format(", KV_METADATA {{{}: {}}}", duck_literal(kSchemaKey), duck_literal(metadata));
  }
  uint64_t rows = engine.execute(
      fmt::format("COPY ({}) TO {} ({})", select_sql, duck_literal(temp.path().string()), options));
  if (progress && progress->rows() != 0 && progress->rows() != rows) {
    throw DataError(
        fmt::format("{}: {} rows read but {} written", path_.string(), progress->rows(), rows));
  }
  temp.commit();
  if (progress) progress->set_rows(rows);
  LoadResult result;
  result.rows = rows;
  result.method = "native";
  return result;
}

}  // namespace dvt
