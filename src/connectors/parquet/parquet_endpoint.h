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
Source open_parquet_source(Engine& engine, const std::filesystem::path& path, const ScanRequest& request);

class ParquetSink : public Sink {
 public:
  explicit ParquetSink(std::filesystem::path path) : path_(std::move(path)) {}
  LoadResult consume(Engine& engine, const std::string& select_sql, const TableSchema& schema,
                     Progress* progress) override;

 private:
  std::filesystem::path path_;
};

}  // namespace dvt
