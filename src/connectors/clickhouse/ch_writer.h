// Loads rows into a ClickHouse table without ever showing a half-loaded
// table, following ch_load_plan.h: the rows go into the plan's staging
// table and are published (swapped in, attached or merged) only after the
// server has confirmed every row. A failed or interrupted load drops its
// staging table; a killed one leaves it behind, and the next load into the
// same table from the same host drops it (or, if the kill fell between the
// two renames of a swap, renames the old table back). Rows travel in the
// body of one INSERT, in blocks of about a megabyte: as Native
// (ch_native.h), or as RowBinary into a table with LowCardinality columns.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/clickhouse/ch_catalog.h"
#include "connectors/clickhouse/ch_load_plan.h"
#include "connectors/clickhouse/ch_native.h"
#include "connectors/clickhouse/ch_rowbinary.h"
#include "connectors/clickhouse/ch_session.h"
#include "connectors/connector.h"
#include "core/batch.h"

namespace dvt::ch {

class ChWriter : public BatchWriter {
 public:
  // Creates the staging table; the INSERT starts with the first block.
  // Throws ConfigError / DataError (an incoming column the existing table
  // lacks, a column it requires that the rows lack, a target type dvt cannot
  // encode), leaving nothing behind.
  ChWriter(std::unique_ptr<ChSession> session, const ServerInfo& server, const LoadRequest& request,
           const std::string& database, const TableSchema& incoming, std::string label);
  ~ChWriter() override;

  std::vector<Type> wire_types() const override { return wires_; }
  void write(duckdb_data_chunk chunk) override;
  TableChanges commit() override;
  void abort() noexcept override;
  uint64_t bytes_written() const override { return bytes_; }

 private:
  // Starts the INSERT (on the first block, whose rows tell their size).
  void open_sink();
  void send_block();
  uint64_t count_rows(const std::string& table);

  std::unique_ptr<ChSession> session_;  // declared first: outlives the sink and the runner
  ServerInfo server_;
  ChSqlSession sql_;
  LoadRequest request_;
  std::string database_;
  TableSchema incoming_;
  std::string label_;
  TableInfo target_;
  std::unique_ptr<LoadRunner> runner_;
  std::vector<ChType> targets_;
  std::vector<Type> wires_;
  std::unique_ptr<NativeEncoder> native_;  // one of the two
  std::unique_ptr<RowBinaryEncoder> row_binary_;
  std::string insert_sql_;
  std::unique_ptr<ByteSink> sink_;
  std::string block_;
  uint64_t rows_sent_ = 0;  // rows encoded so far
  uint64_t bytes_ = 0;
  bool finished_ = false;  // committed or aborted
};

}  // namespace dvt::ch
