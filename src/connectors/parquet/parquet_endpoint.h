// Parquet files as endpoints: staging files written by extract, read by load.
// Reading streams chunk by chunk through DuckDB's read_parquet; writing goes
// through COPY ... TO (zstd) into a temp name renamed on success.
#pragma once

#include <filesystem>

#include "connectors/connector.h"

namespace dvt {

// A source over one Parquet file; columns, predicate (DuckDB SQL) and limit
// of `request` are applied in the engine. Throws ConfigError when the file
// does not exist.
Source open_parquet_source(Engine& engine, const std::filesystem::path& path,
                           const ScanRequest& request);

// Whether a Parquet file must hold its rows in the order the source sent
// them. kAny lets a reader source feed several encoding threads (see
// ParallelReaders): table scans, whose SQL order is undefined anyway.
enum class RowOrder { kAsRead, kAny };

class ParquetSink : public Sink {
 public:
  ParquetSink(std::filesystem::path path, RowOrder order) : path_(std::move(path)), order_(order) {}
  LoadResult consume(Engine& engine, const std::string& select_sql, const TableSchema& schema,
                     Progress* progress) override;

 private:
  std::filesystem::path path_;
  RowOrder order_;
};

}  // namespace dvt
