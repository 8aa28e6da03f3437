// The pipe tier's writer: one psql child reads a script on its stdin that
// carries out the same load plan as the native tier (load_plan.h): it opens
// the transaction, runs the plan's DDL, `COPY ... FROM STDIN` into the plan's
// rows_into table with the rows inline, the plan's checks (as DO blocks that
// raise on the first offending row) and statements, and commits only when
// the row counts PostgreSQL reports are those the plan expects. Killing the
// child (abort, Ctrl-C, an error) ends its session, so PostgreSQL rolls
// everything back.
//
// The rows use COPY's text format rather than CSV: psql ends inline COPY
// data at any line that is exactly "\." even inside a quoted CSV field,
// while the text format escapes every backslash and newline, so no value
// can end the data early.
#pragma once

#include <duckdb.h>

#include <memory>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/load_plan.h"
#include "connectors/pipe/child_process.h"
#include "connectors/postgres/pg_catalog.h"
#include "core/batch.h"

namespace dvt::pg {

// The psql script that finishes a load of `rows` rows by `steps` once its
// COPY data has ended: the row count check, the checks, the statements that
// apply and publish the rows (the counted ones echo "dvt-count <kind> <n>"),
// and the cleanup.
std::string finishing_script(const LoadSteps& steps, uint64_t rows);

// How one column is written as COPY text.
enum class CopyTextCodec : uint8_t {
  kText,      // the engine's text of the value (VARCHAR wire)
  kDateLike,  // DuckDB's "0044-03-15 (BC) 12:00:00" becomes PostgreSQL's "0044-03-15 12:00:00 BC"
  kBytea,     // BLOB -> "\x0aff"
  kArray,     // LIST -> '{"a","b",NULL}'
};

struct TextWritePlan {
  Type wire;
  CopyTextCodec codec = CopyTextCodec::kText;
  CopyTextCodec element_codec = CopyTextCodec::kText;
};

// The plan for an incoming column of type `incoming` into `target` (null for
// a table the load creates, whose column type is ddl_type(incoming)).
TextWritePlan plan_text_write(const Type& incoming, const PgType* target);

// Encodes DuckDB chunks as rows of COPY's text format (tab-separated, \N
// for NULL, backslash escapes).
class PgTextEncoder {
 public:
  explicit PgTextEncoder(std::vector<TextWritePlan> plans);
  // Appends one line per row.
  void encode(duckdb_data_chunk chunk, std::string& out);

 private:
  void append_value(CopyTextCodec codec, void* data, idx_t row, std::string& out);

  std::vector<TextWritePlan> plans_;
  std::string scratch_;
  std::string element_;
};

class PgPipeWriter : public BatchWriter {
 public:
  // `catalog` inspects the target before the load (it is not used for data);
  // `child` carries psql's argv and environment (password included).
  PgPipeWriter(PgConnection& catalog, const ChildOptions& child, const LoadRequest& request,
               const std::string& schema, const TableSchema& incoming, std::string label);
  ~PgPipeWriter() override;

  std::vector<Type> wire_types() const override;
  void write(duckdb_data_chunk chunk) override;
  TableChanges commit() override;
  void abort() noexcept override;
  uint64_t bytes_written() const override { return bytes_; }

 private:
  void flush();

  std::string label_;
  std::vector<TextWritePlan> plans_;
  std::unique_ptr<PgTextEncoder> encoder_;
  std::unique_ptr<ChildProcess> child_;
  std::string buffer_;
  LoadSteps steps_;
  uint64_t rows_sent_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace dvt::pg
