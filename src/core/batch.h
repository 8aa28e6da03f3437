// The two ends of every data movement. A batch is a DuckDB data chunk: up to
// duckdb_vector_size() rows, columnar and typed. Readers write straight into
// its vectors and writers read straight from them; no per-row objects.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/schema.h"

namespace dvt {

// Streams the rows of one scan. One per scan; not thread-safe.
class BatchReader {
 public:
  virtual ~BatchReader() = default;

  // The columns the scan yields, with their exact final types.
  virtual const TableSchema& schema() const = 0;

  // The types the reader actually writes into chunks. By default the schema's
  // types; a reader that receives some values as text (a CLI pipe, SQLite's
  // TEXT dates) returns VARCHAR for them and the engine casts them to the
  // schema type, failing loudly on a value that does not convert.
  virtual std::vector<Type> wire_types() const { return schema().types(); }

  // Fills `out` (whose vectors have wire_types(), capacity
  // duckdb_vector_size()) with the next rows and sets its size.
  // Returns false, with size 0, once the scan is exhausted.
  // Throws dvt::Error on failure.
  virtual bool next(duckdb_data_chunk out) = 0;

  // Bytes received from the source so far (for progress), 0 if unknown.
  virtual uint64_t bytes_read() const { return 0; }

  // What the user must be told about the rows read, one sentence each (e.g.
  // MySQL zero dates read as NULL under a documented rule); reported in the
  // job's summary. Complete once next() has returned false.
  virtual std::vector<std::string> warnings() const { return {}; }
};

// What a committed load did to its target.
struct TableChanges {
  uint64_t rows = 0;  // rows the load delivered (the target confirmed them)
  // Of those, what a merge or delete+insert made of them, where the
  // database reports it.
  std::optional<uint64_t> inserted, updated, deleted;
};

// Stores batches into one target table. One per load. A load is a single
// transaction where the target has them: until commit() returns, nothing is
// visible, and abort() (or destruction without commit) leaves the target
// exactly as it was.
class BatchWriter {
 public:
  virtual ~BatchWriter() = default;

  // The types the writer wants each incoming column in; the engine casts the
  // incoming columns to them before write() sees them (e.g. DECIMAL to
  // VARCHAR for a target that stores decimals as text).
  virtual std::vector<Type> wire_types() const = 0;

  // REQUIRES: chunk columns have wire_types(), in the incoming order.
  virtual void write(duckdb_data_chunk chunk) = 0;

  // Makes every written row visible and returns how many rows the target
  // confirmed (and what it did with them). Throws DataError when that
  // differs from the rows written.
  virtual TableChanges commit() = 0;

  // Rolls back. Never throws.
  virtual void abort() noexcept = 0;

  // Bytes sent to the target so far (for progress), 0 if unknown.
  virtual uint64_t bytes_written() const { return 0; }
};

}  // namespace dvt
