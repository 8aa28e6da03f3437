// The pipe tier's writer: one psql child reads a script on its stdin that
// opens a transaction, applies the DDL contract, runs `COPY ... FROM STDIN`
// with the rows inline, and commits only when the row count PostgreSQL
// reports equals the rows sent. Killing the child (abort, Ctrl-C, an error)
// ends its session, so PostgreSQL rolls everything back.
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
#include "connectors/pipe/child_process.h"
#include "connectors/postgres/pg_catalog.h"
#include "core/batch.h"

namespace dvt::pg {

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
  uint64_t commit() override;
  void abort() noexcept override;
  uint64_t bytes_written() const override { return bytes_; }

 private:
  void flush();

  std::string label_;
  std::vector<TextWritePlan> plans_;
  std::unique_ptr<PgTextEncoder> encoder_;
  std::unique_ptr<ChildProcess> child_;
  std::string buffer_;
  std::string after_copy_;  // SQL run once the rows are in, before COMMIT (LoadDdl::after_copy)
  uint64_t rows_sent_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace dvt::pg
