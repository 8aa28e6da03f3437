// DuckDB database files (type: duckdb, path: FILE) as source and target.
// The file is attached to the job's engine, so scans and loads run inside
// DuckDB itself with no batch conversion at all.
#pragma once

#include <memory>

#include "connectors/connector.h"

namespace dvt {

class OutputConfig;

std::unique_ptr<Connector> make_duckdb_connector(const OutputConfig& output, Engine& engine);

// A sink that INSERTs into a table of a database attached to the engine under
// `catalog` (already quoted), through a load plan (load_plan.h), in one
// transaction.
class AttachedTableSink : public Sink {
 public:
  // `read_by_source`: the job's source reads the same file.
  AttachedTableSink(std::string catalog, std::string output_name, LoadRequest request,
                    bool read_by_source)
      : catalog_(std::move(catalog)),
        output_name_(std::move(output_name)),
        request_(std::move(request)),
        read_by_source_(read_by_source) {}
  LoadResult consume(Engine& engine, const std::string& select_sql, const TableSchema& schema,
                     Progress* progress) override;

 private:
  std::string catalog_;
  std::string output_name_;
  LoadRequest request_;
  bool read_by_source_;
};

}  // namespace dvt
