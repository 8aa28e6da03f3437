// Loading into PostgreSQL with binary `COPY ... FROM STDIN`, in one
// transaction, under the load contract (load_plan.h: the generic
// TransactionalLoadPlan in PostgreSQL's dialect): the COPY fills the plan's
// rows_into table (the target, or a staging table for merge and
// delete+insert). Any failure (a bad value, a constraint, a lost connection,
// Ctrl-C) rolls the whole transaction back, so the target is exactly as it
// was.
#pragma once

#include <duckdb.h>

#include <memory>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/load_runner.h"
#include "connectors/postgres/pg_catalog.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_types.h"
#include "core/batch.h"

namespace dvt::pg {

// Throws ConfigError when `table` is not a table (a view, a sequence, ...).
void check_loadable(const PgTable& table, const std::string& label);

// A load plan's statements on a libpq connection.
class PgSession : public SqlSession {
 public:
  explicit PgSession(PgConnection& conn) : conn_(conn) {}
  std::optional<uint64_t> execute(const std::string& sql) override;
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) override;
  void execute_quietly(const std::string& sql) noexcept override { conn_.execute_quietly(sql); }

 private:
  PgConnection& conn_;
};

// Encodes DuckDB chunks as COPY BINARY tuples.
class PgBinaryEncoder {
 public:
  PgBinaryEncoder(std::vector<WritePlan> plans, std::vector<std::string> names, std::string label);

  static void append_header(std::string& out);
  static void append_trailer(std::string& out);

  // Appends one tuple per row of `chunk` (whose columns have the plans' wire
  // types). Throws DataError for a value the target type cannot hold.
  void encode(duckdb_data_chunk chunk, std::string& out);

 private:
  struct ColumnState {
    WritePlan plan;
    duckdb_type decimal_storage;  // DECIMAL (or list element DECIMAL) physical type
    uint8_t scale;
  };
  void encode_scalar(Codec codec, duckdb_type storage, uint8_t scale, void* data, idx_t row,
                     size_t column, std::string& out);
  [[noreturn]] void fail(size_t column, const std::string& what) const;

  std::vector<ColumnState> columns_;
  std::vector<std::string> names_;
  std::string label_;
  uint64_t rows_encoded_ = 0;
};

// One load through binary COPY FROM STDIN on a libpq connection.
class PgCopyWriter : public BatchWriter {
 public:
  // Opens the transaction, applies the DDL contract and starts the COPY.
  // `schema` is the target schema (already defaulted); `label` names the
  // target in messages.
  PgCopyWriter(std::unique_ptr<PgConnection> conn, const LoadRequest& request,
               const std::string& schema, const TableSchema& incoming, std::string label);
  ~PgCopyWriter() override;

  std::vector<Type> wire_types() const override;
  void write(duckdb_data_chunk chunk) override;
  TableChanges commit() override;
  void abort() noexcept override;
  uint64_t bytes_written() const override { return bytes_; }

 private:
  void flush();

  std::unique_ptr<PgConnection> conn_;
  PgSession session_;
  std::string label_;
  std::unique_ptr<LoadRunner> runner_;
  std::vector<WritePlan> plans_;
  std::unique_ptr<PgBinaryEncoder> encoder_;
  std::string table_sql_;      // the target, quoted
  std::string columns_sql_;    // the incoming columns, quoted, comma-separated
  std::string staging_sql_;    // the temporary table when some columns go through text
  std::string insert_select_;  // the INSERT ... SELECT that moves staged rows on
  std::string buffer_;
  bool copy_open_ = false;
  uint64_t rows_sent_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace dvt::pg
