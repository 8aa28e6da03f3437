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

namespace {

// A row group also ends once its buffered rows reach this size. Rows of the
// usual width (100-200 bytes) fill 122,880-row groups well below it, so only
// wide rows (documents, blobs) get smaller groups.
constexpr const char* kRowGroupBytes = "16MB";

// DuckDB's Parquet writer holds a whole row group (122,880 rows) in memory
// before writing it, whatever the rows' size: 200 rows of 3 MB took 812 MB,
// and 400 ran out of the engine's 1 GB memory_limit (measured with 1.4.4;
// with groups ended at 16 MB, a MySQL extract of the 200 rows peaked at
// 110 MB, at 32 MB at 150-180 MB).
// ROW_GROUP_SIZE_BYTES ends a group by size too, but DuckDB accepts it only
// with preserve_insertion_order off. With one engine thread (every source
// read through a registered reader) one thread runs the whole pipeline, so
// rows are still written in the order they arrive; with more threads the
// defaults are kept. Restores the setting when the COPY ends.
class RowGroupsBoundedByBytes {
 public:
  explicit RowGroupsBoundedByBytes(Engine& engine) : engine_(engine) {
    auto threads = engine_.query_strings("SELECT current_setting('threads')::BIGINT");
    if (threads.empty() || !threads[0][0] || *threads[0][0] != "1") return;
    auto preserve =
        engine_.query_strings("SELECT current_setting('preserve_insertion_order')::VARCHAR");
    previous_ = preserve.empty() || !preserve[0][0] ? "true" : *preserve[0][0];
    engine_.execute("SET preserve_insertion_order = false");
    active_ = true;
  }
  ~RowGroupsBoundedByBytes() {
    if (!active_) return;
    try {
      engine_.execute("SET preserve_insertion_order = " + previous_);
    } catch (...) {
    }
  }
  RowGroupsBoundedByBytes(const RowGroupsBoundedByBytes&) = delete;
  RowGroupsBoundedByBytes& operator=(const RowGroupsBoundedByBytes&) = delete;

  // The COPY options that go with the setting.
  std::string copy_options() const {
    return active_ ? fmt::format(", ROW_GROUP_SIZE_BYTES '{}'", kRowGroupBytes) : std::string();
  }

 private:
  Engine& engine_;
  std::string previous_;
  bool active_ = false;
};

}  // namespace

LoadResult ParquetSink::consume(Engine& engine, const std::string& select_sql, const TableSchema& /*schema*/,
                                Progress* progress) {
  TempFile::remove_stale(path_);
  TempFile temp(path_);
  RowGroupsBoundedByBytes bounded(engine);
  uint64_t rows = engine.execute(fmt::format("COPY ({}) TO {} (FORMAT parquet, COMPRESSION zstd{})", select_sql,
                                             duck_literal(temp.path().string()), bounded.copy_options()));
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
