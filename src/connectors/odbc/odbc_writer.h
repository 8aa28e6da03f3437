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
  std::optional<std::vector<std::optional<std::string>>> first_row(const std::string& sql) override;
  void execute_quietly(const std::string& sql) noexcept override;

 private:
  OdbcConnection& connection_;
  const Dialect& dialect_;
};

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
  uint64_t commit() override;
  void abort() noexcept override;
  uint64_t bytes_written() const override { return bytes_; }

 private:
  struct Parameter {
    Type incoming;
    ParameterType type;
    std::vector<char> buffer;         // converted values (dates, text, bytes)
    std::vector<SQLLEN> lengths;      // per row: bytes, or SQL_NULL_DATA
    std::vector<size_t> value_sizes;  // per chunk row: bytes of the value (text: UTF-16 or UTF-8)
  };

  // Sends rows [begin, end) of the chunk as one parameter array.
  void send(duckdb_data_chunk chunk, size_t begin, size_t end);

  std::unique_ptr<OdbcConnection> connection_;
  const Dialect& dialect_;
  OdbcSession session_;
  std::string label_;
  TableSchema incoming_;
  std::vector<Type> wire_;
  std::vector<Parameter> parameters_;
  std::unique_ptr<LoadRunner> runner_;
  Handle insert_;
  std::vector<SQLUSMALLINT> status_;
  SQLULEN processed_ = 0;
  uint64_t rows_sent_ = 0;
  uint64_t rows_stored_ = 0;
  uint64_t bytes_ = 0;
  bool finished_ = false;
};

}  // namespace dvt::odbc
