// Streams a ClickHouse SELECT into DuckDB chunks: the query's RowBinary
// output (from the HTTP interface or clickhouse-client's stdout) is decoded
// as it arrives, through one buffer of about a megabyte (more only for a
// single row larger than that).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/clickhouse/ch_rowbinary.h"
#include "connectors/clickhouse/ch_session.h"
#include "core/batch.h"

namespace dvt::ch {

class ChReader : public BatchReader {
 public:
  // Starts `select_sql` (without a FORMAT clause) on `session`. `wires` are
  // the types RowBinary carries for the schema's columns. With
  // `with_header`, the query uses RowBinaryWithNamesAndTypes and the reader
  // checks the header against the columns' names and wire types.
  ChReader(std::unique_ptr<ChSession> session, const std::string& select_sql, TableSchema schema,
           std::vector<ChType> wires, bool with_header, std::string label);

  const TableSchema& schema() const override { return schema_; }
  bool next(duckdb_data_chunk out) override;
  uint64_t bytes_read() const override { return bytes_; }

 private:
  // Reads more bytes into the buffer; false at the end of the output.
  bool fill();
  void read_header();

  std::unique_ptr<ChSession> session_;  // declared first: outlives the source
  std::unique_ptr<ByteSource> source_;
  TableSchema schema_;
  std::vector<ChType> wires_;
  RowBinaryDecoder decoder_;
  std::string label_;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t bytes_ = 0;
  bool header_pending_ = false;
  bool exhausted_ = false;
  bool done_ = false;
};

}  // namespace dvt::ch
