// The pipe tier's reader: `psql -c "COPY (...) TO STDOUT (FORMAT csv,
// HEADER)"` runs as a child and its CSV is parsed into wire vectors.
//
// PostgreSQL's CSV writes NULL as an unquoted empty field and the empty
// string as "", so the two stay distinct. Most values travel as VARCHAR and
// the engine casts them to the column's exact type (from the catalog, never
// sniffed); the few PostgreSQL text forms DuckDB does not read are converted
// here: bytea hex, " BC" dates, and array literals ({a,"b,c",NULL}).
#pragma once

#include <duckdb.h>

#include <memory>
#include <string>
#include <vector>

#include "connectors/pipe/child_process.h"
#include "core/batch.h"

namespace dvt::pg {

// How one CSV field becomes a wire value.
enum class TextCodec : uint8_t {
  kVarchar,   // as is (the engine casts it)
  kDateLike,  // date/timestamp text: "0044-03-15 BC" becomes DuckDB's "0044-03-15 (BC)"
  kBytea,     // "\x0aff" -> BLOB
  kArray,     // "{...}" -> LIST of the element codec
};

struct PipeColumn {
  Type wire;  // what the reader writes
  TextCodec codec = TextCodec::kVarchar;
  TextCodec element_codec = TextCodec::kVarchar;
};

// The wire type and codec for a column whose exact type is `type`.
PipeColumn plan_pipe_column(const Type& type);

// Parses CSV as COPY ... (FORMAT csv) writes it into DuckDB vectors. Input
// may be cut anywhere; state carries over between consume() calls.
class PgCsvDecoder {
 public:
  PgCsvDecoder(std::vector<PipeColumn> columns, std::vector<std::string> names, std::string label,
               bool skip_header);

  // A chunk also ends, at a record boundary, once the values delivered into
  // it reach this many bytes: rows of large values (documents, blobs) keep
  // memory bounded by bytes, not only by rows. Rows of the usual width never
  // reach it (2048 rows of 1 KB).
  static constexpr uint64_t kMaxChunkBytes = 2 << 20;

  void begin_chunk(duckdb_data_chunk out);
  // Consumes bytes until they run out or the chunk is full (at a record
  // boundary: duckdb_vector_size() rows, or kMaxChunkBytes of values).
  // Returns the bytes consumed. Throws DataError on bad input.
  size_t consume(const char* data, size_t size);
  // End of input: throws DataError when a record is unfinished.
  void finish();

  idx_t rows() const { return row_; }
  bool full() const { return row_ >= capacity_; }
  uint64_t rows_decoded() const { return total_rows_; }

 private:
  enum class State : uint8_t { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  struct ColumnState {
    PipeColumn plan;
    duckdb_vector vector = nullptr;
    void* data = nullptr;
    uint64_t* validity = nullptr;
  };

  void end_field(const char* value, size_t length, bool quoted);
  void end_record();
  void deliver(size_t column, const char* value, size_t length);
  void store_scalar(TextCodec codec, duckdb_vector vector, idx_t row, const char* value,
                    size_t length, size_t column);
  void store_array(ColumnState& state, const char* value, size_t length, size_t column);
  [[noreturn]] void fail(size_t column, const std::string& what) const;

  std::vector<ColumnState> columns_;
  std::vector<std::string> names_;
  std::string label_;
  bool in_header_;
  State state_ = State::kFieldStart;
  std::string field_;    // the field being assembled when it spans buffers or holds ""
  bool quoted_ = false;  // the current field was quoted
  size_t column_ = 0;    // index of the current field in its record
  idx_t row_ = 0;
  idx_t capacity_ = 0;
  uint64_t chunk_bytes_ = 0;  // bytes of the values delivered into this chunk
  uint64_t total_rows_ = 0;
  std::string scratch_;  // a converted value (bytea bytes, BC date text)
  std::string element_;  // an unescaped array element
};

// Streams the CSV a psql child writes.
class PgPipeReader : public BatchReader {
 public:
  // Starts the child; throws ConnectionError when it cannot start.
  PgPipeReader(const ChildOptions& child, TableSchema schema, std::string label);
  ~PgPipeReader() override;

  const TableSchema& schema() const override { return schema_; }
  std::vector<Type> wire_types() const override;
  bool next(duckdb_data_chunk out) override;
  uint64_t bytes_read() const override { return bytes_; }
  // The child, for tests and diagnostics.
  const ChildProcess& child() const { return *child_; }

 private:
  TableSchema schema_;
  std::vector<PipeColumn> columns_;
  std::string label_;
  PgCsvDecoder decoder_;
  std::unique_ptr<ChildProcess> child_;
  std::vector<char> buffer_;
  size_t offset_ = 0;
  size_t filled_ = 0;
  uint64_t bytes_ = 0;
  bool done_ = false;
};

}  // namespace dvt::pg
