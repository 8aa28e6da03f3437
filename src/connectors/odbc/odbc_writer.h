// Loads rows through an ODBC driver: one prepared INSERT into the load
// plan's table, executed with parameter arrays (SQL_ATTR_PARAMSET_SIZE, bound
// column-wise, sized by bytes), inside the plan's transaction. The plan is
// the target family's (odbc_plans.h); a LoadRunner carries it out on an
// OdbcSession, so every load mode keeps the contract of load_plan.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/load_runner.h"
#include "connectors/odbc/odbc_connection.h"
#include "connectors/odbc/odbc_types.h"
#include "core/batch.h"

namespace dvt::odbc {

// The statements of a load plan on an ODBC connection. The plan's
// transaction statements (the dialect's BEGIN, COMMIT, ROLLBACK) become the
// driver's own calls (autocommit off, SQLEndTran), which every driver keeps
// track of; everything else runs as written.
class OdbcSession : public SqlSession {
 public:
  OdbcSession(OdbcConnection& connection, const Dialect& dialect)
      : connection_(connection), dialect_(dialect) {}
  std::optional<uint64_t> execute(const std::string& sql) override;
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) override;
  void execute_quietly(const std::string& sql) noexcept override;

 private:
  OdbcConnection& connection_;
  const Dialect& dialect_;
};

// Rows go `rows_per_insert` to a statement (INSERT ... VALUES (...), (...)),
// as many statements to an execution as a chunk fills: PostgreSQL runs one
// statement of 128 rows many times faster than 128 statements of one.
class OdbcWriter : public BatchWriter {
 public:
  // Reads the target's catalog, checks the incoming columns, plans the load
  // with the family's plan and runs its first steps. Throws DataError or
  // ConfigError (nothing changed) when the rows cannot land.
  OdbcWriter(std::unique_ptr<OdbcConnection> connection, const Dialect& dialect,
             const LoadRequest& request, const TableSchema& incoming, std::string label);
  ~OdbcWriter() override;

  std::vector<Type> wire_types() const override { return wire_; }
  void write(duckdb_data_chunk chunk) override;
  TableChanges commit() override;
  void abort() noexcept override;
  uint64_t bytes_written() const override { return bytes_; }

 private:
  // Each row of an execution is one record: every column's value slot and
  // its length, at fixed offsets (row-wise parameter binding).
  struct Slot {
    ParameterType type;
    size_t width = 0;      // bytes of the value slot
    size_t offset = 0;     // of the value in a record
    size_t length_at = 0;  // of its SQLLEN length in a record
  };
  struct Insert {
    Handle statement;
    size_t rows_per_set = 1;
    SQLULEN bind_offset = 0;
    bool bound = false;
  };

  // Prepares the INSERT of `rows` rows a statement.
  Insert prepare(size_t rows);
  // Lays the records out anew when a value no longer fits its slot.
  void fit(duckdb_data_chunk chunk, size_t rows);
  void bind(Insert& insert);
  // The INSERT ... SELECT FROM unnest(...) of a chunk (array_insert).
  void prepare_arrays(const TargetTable& target, const TableSchema& incoming);
  void write_arrays(duckdb_data_chunk chunk);
  // Copies rows [begin, end) of the chunk into records and executes them.
  void send(duckdb_data_chunk chunk, size_t begin, size_t end);
  // Copies rows [begin, end) of the chunk into the first records.
  void fill(duckdb_data_chunk chunk, size_t begin, size_t end);
  // Executes `sets` parameter sets of `insert` from the record at `first`.
  void execute(Insert& insert, size_t first, size_t sets);

  std::unique_ptr<OdbcConnection> connection_;
  const Dialect& dialect_;
  OdbcSession session_;
  std::string label_;
  TableSchema incoming_;
  std::string request_schema_, request_table_;
  std::vector<Type> wire_;
  std::unique_ptr<LoadRunner> runner_;
  std::vector<Slot> slots_;
  // Where row `row`'s value and length of column `column` are.
  char* value_at(size_t row, size_t column);
  SQLLEN* length_at(size_t row, size_t column);

  size_t stride_ = 0;    // bytes of a record
  size_t capacity_ = 0;  // records the buffer holds
  // One row a statement: the buffer holds each column's values together
  // (column-wise binding), the layout drivers send as one bulk command.
  bool column_wise_ = false;
  std::vector<char> records_;
  size_t rows_per_insert_ = 1;
  Insert multi_;   // rows_per_insert_ rows a statement
  Insert single_;  // one row a statement, for the rest
  std::vector<SQLUSMALLINT> status_;
  bool arrays_ = false;
  Handle array_insert_;
  std::vector<std::string> array_text_;  // one array literal a column
  std::vector<SQLLEN> array_lengths_;
  SQLULEN processed_ = 0;
  uint64_t rows_sent_ = 0;
  uint64_t rows_stored_ = 0;
  uint64_t bytes_ = 0;
  bool finished_ = false;
};

}  // namespace dvt::odbc
