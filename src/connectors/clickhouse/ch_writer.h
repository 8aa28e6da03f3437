// Loads rows into a ClickHouse table without ever showing a half-loaded
// table. ClickHouse has no transactions, so every load goes into a staging
// table of its own (`<table>__dvt_tmp_<host>_<pid>`) and is published only
// after the server has confirmed every row:
//
//  * overwrite (default), existing table: staging is `CREATE TABLE ... AS`
//    the target (same columns, engine, ORDER BY, settings); publishing swaps
//    the two, with EXCHANGE TABLES on an Atomic database (one atomic step),
//    else with `RENAME TABLE t TO old, staging TO t` (two renames: a reader
//    in between may find no table for an instant, never a partial one), and
//    drops the old contents;
//  * --full-refresh, or no table yet: staging is created from the incoming
//    columns (MergeTree, ORDER BY the primary key when known, else tuple())
//    and swapped or renamed in the same way;
//  * append: staging is `AS` the target; publishing attaches its partitions
//    to the target (ATTACH PARTITION ... FROM, atomic per partition) or, for
//    engines without partitions, copies its rows inside the server.
//
// A failed or interrupted load drops its staging table; a killed one leaves
// it behind, and the next load into the same table from the same host drops
// it (or, if the kill fell between the two renames, renames the old table
// back). Rows travel in the body of one INSERT, in blocks of about a
// megabyte: as Native (ch_native.h), or as RowBinary into a table with
// LowCardinality columns.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/clickhouse/ch_catalog.h"
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
  // lacks, a target type dvt cannot encode), leaving nothing behind.
  ChWriter(std::unique_ptr<ChSession> session, const ServerInfo& server, const LoadRequest& request,
           const std::string& database, const TableSchema& incoming, std::string label);
  ~ChWriter() override;

  std::vector<Type> wire_types() const override { return wires_; }
  void write(duckdb_data_chunk chunk) override;
  uint64_t commit() override;
  void abort() noexcept override;
  uint64_t bytes_written() const override { return bytes_; }

  // The staging table's name for a load of `table` by this process.
  static std::string staging_name(const std::string& table);

 private:
  enum class Publish { kRename, kSwap, kAppend };

  void recover_leftovers();
  void create_staging();
  // Starts the INSERT (on the first block, whose rows tell their size).
  void open_sink();
  void send_block();
  void publish();
  void swap_in();
  void append_in();
  void drop(const std::string& name) noexcept;
  uint64_t count_rows(const std::string& name);

  std::unique_ptr<ChSession> session_;  // declared first: outlives the sink
  ServerInfo server_;
  LoadRequest request_;
  std::string database_;
  TableSchema incoming_;
  std::string label_;
  TableInfo target_;
  std::string staging_;
  std::string old_;
  Publish publish_ = Publish::kRename;
  std::vector<ChType> targets_;
  std::vector<Type> wires_;
  std::unique_ptr<NativeEncoder> native_;  // one of the two
  std::unique_ptr<RowBinaryEncoder> row_binary_;
  std::string insert_sql_;
  std::unique_ptr<ByteSink> sink_;
  std::string block_;
  uint64_t rows_sent_ = 0;  // rows encoded so far
  uint64_t bytes_ = 0;
  bool staging_exists_ = false;
  bool finished_ = false;  // committed or aborted
};

}  // namespace dvt::ch
