// Reading PostgreSQL's binary format into DuckDB vectors.
//
// PgBinaryDecoder is the parser: it knows the COPY BINARY framing (header,
// tuples, trailer) and every value codec, checks every length against the
// bytes it was given, and knows nothing of sockets. PgCopyReader feeds it the
// buffers of a `COPY (...) TO STDOUT (FORMAT binary)`; PgCursorReader feeds it
// the binary values of FETCH results, for servers without COPY TO.
#pragma once

#include <duckdb.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_types.h"
#include "core/batch.h"

namespace dvt::pg {

class PgBinaryDecoder {
 public:
  // `plans` and `names` describe the columns in order; `label` names the
  // scan in error messages ("pg_dev:public.orders").
  PgBinaryDecoder(std::vector<ReadPlan> plans, std::vector<std::string> names, std::string label);

  // consume() also ends a chunk once its tuples reach this many bytes: rows
  // of large values (documents, blobs) keep memory bounded by bytes, not
  // only by rows. Rows of the usual width never reach it (2048 rows of 1 KB).
  static constexpr size_t kMaxChunkBytes = 2 << 20;

  // Binds the vectors of `out` (types: the plans' types); rows() restarts at 0.
  void begin_chunk(duckdb_data_chunk out);

  // Decodes whole tuples of a COPY BINARY stream from [data, data+size)
  // into the chunk, starting with the stream header if it has not been seen.
  // Stops when the chunk is full (duckdb_vector_size() rows or
  // kMaxChunkBytes of tuples), at the trailer, or before an incomplete
  // tuple. Returns the bytes consumed. Throws DataError on malformed data or
  // a value with no exact DuckDB form.
  size_t consume(const char* data, size_t size);

  // Decodes one value (length -1: NULL) of `column` into row rows() of the
  // chunk; end_row() then counts the row.
  void decode_value(size_t column, const char* data, int32_t length);
  void end_row();

  idx_t rows() const { return row_; }
  bool full() const { return row_ >= capacity_; }
  // The trailer has been seen: no more tuples follow.
  bool finished() const { return finished_; }
  uint64_t rows_decoded() const { return total_rows_; }

 private:
  struct ColumnState {
    Codec codec;
    Codec element_codec;
    duckdb_type decimal_storage;  // physical type of a DECIMAL column (or element)
    uint8_t scale;
    duckdb_vector vector;
    void* data;
    uint64_t* validity;
  };

  size_t consume_header(const char* data, size_t size);
  void decode_scalar(Codec codec, duckdb_type decimal_storage, uint8_t scale, duckdb_vector vector,
                     void* data, idx_t row, const char* value, int32_t length, size_t column);
  void decode_array(ColumnState& state, const char* value, int32_t length, size_t column);
  [[noreturn]] void fail(size_t column, const std::string& what) const;

  std::vector<ReadPlan> plans_;
  std::vector<std::string> names_;
  std::string label_;
  std::vector<ColumnState> columns_;
  idx_t row_ = 0;
  idx_t capacity_ = 0;
  size_t chunk_bytes_ = 0;  // bytes of the tuples consume() decoded into this chunk
  uint64_t total_rows_ = 0;
  bool header_seen_ = false;
  bool finished_ = false;
};

// Streams `COPY (<select>) TO STDOUT (FORMAT binary)` from one connection.
//
// A receiving thread drains the socket into a few blocks of memory (about
// kMaxQueuedBytes) while the engine's thread decodes and
// writes: the server keeps streaming while the engine compresses a Parquet
// row group, instead of stalling on a full socket buffer. (Decoding on the
// receiving thread into chunks handed over by reference was measured
// slower: a fresh chunk per 2048 rows, freed on another thread, costs more
// than the copy it saves.)
class PgCopyReader : public BatchReader {
 public:
  // Blocks are handed over once they hold kBlockSize bytes (whole rows, so a
  // block holding one large row is larger); the receiver waits while
  // kMaxQueuedBytes wait to be decoded.
  static constexpr size_t kBlockSize = 1 << 20;
  static constexpr size_t kMaxQueuedBytes = 8 * kBlockSize;

  // Starts the COPY; throws (DataError, ConnectionError, TierUnavailable)
  // when the server refuses it, before any row has been read.
  PgCopyReader(std::unique_ptr<PgConnection> conn, TableSchema schema, std::vector<ReadPlan> plans,
               const std::string& copy_sql, std::string label);
  ~PgCopyReader() override;

  const TableSchema& schema() const override { return schema_; }
  bool next(duckdb_data_chunk out) override;
  uint64_t bytes_read() const override { return bytes_.load(std::memory_order_relaxed); }

 private:
  void receive();     // the receiving thread
  bool next_block();  // the next block into current_; false at the end
  void stop_receiving() noexcept;

  std::unique_ptr<PgConnection> conn_;
  TableSchema schema_;
  PgBinaryDecoder decoder_;

  std::mutex mutex_;
  std::condition_variable filled_;   // a block is ready, or receiving ended
  std::condition_variable drained_;  // a block was taken
  std::deque<std::string> blocks_;
  size_t queued_bytes_ = 0;         // the bytes in blocks_
  std::vector<std::string> spare_;  // decoded blocks of the usual size, kept for reuse
  bool receiving_done_ = false;
  bool stop_ = false;
  std::exception_ptr failure_;
  std::thread receiver_;
  std::atomic<uint64_t> bytes_{0};

  std::string current_;  // the block being decoded
  size_t offset_ = 0;
  std::string pending_;  // a tuple split across blocks
  bool copy_done_ = false;
};

// Streams a query through a cursor (DECLARE ... ; FETCH n), with values in
// binary format: for PostgreSQL-compatible servers without COPY TO STDOUT.
class PgCursorReader : public BatchReader {
 public:
  PgCursorReader(std::unique_ptr<PgConnection> conn, TableSchema schema,
                 std::vector<ReadPlan> plans, const std::string& select_sql, std::string label);
  ~PgCursorReader() override;

  const TableSchema& schema() const override { return schema_; }
  bool next(duckdb_data_chunk out) override;
  uint64_t bytes_read() const override { return bytes_; }

 private:
  std::unique_ptr<PgConnection> conn_;
  TableSchema schema_;
  PgBinaryDecoder decoder_;
  idx_t fetch_rows_;  // rows per FETCH, adapted to keep a chunk near kMaxChunkBytes
  uint64_t bytes_ = 0;
  bool done_ = false;
};

}  // namespace dvt::pg
