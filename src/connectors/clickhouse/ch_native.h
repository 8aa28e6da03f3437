// DuckDB vectors to ClickHouse's Native format, the columnar format of its
// own client and server. A Native stream is a series of blocks; a block is
// LEB128 column and row counts, then per column its name, its type name and
// its values column by column: a Nullable column's NULL map (one byte per
// row) before its values (a default value in a NULL's place), an Array
// column's cumulative UInt64 end offsets before all of its elements, and
// every scalar value in the same bytes as in RowBinary.
//
// Loads send Native rather than RowBinary because the server then parses
// nothing row by row: 3M rows of the benchmark table cost ClickHouse 18.16
// 2.4 s of CPU as Native and 3.4 s as RowBinary; and clickhouse-client
// forwards each Native block as it comes, holding no more than a block or
// two, where it gathers RowBinary rows into blocks of max_insert_block_size
// rows (a million by default: 285 MB for the 10M-row benchmark).
//
// LowCardinality columns have a Native form of their own (a dictionary and
// keys), which dvt does not write: ClickHouse 18.16 refuses their inner type
// in its place. Loads into such tables send RowBinary (supports()).
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "connectors/clickhouse/ch_rowbinary.h"

namespace dvt::ch {

class NativeEncoder : private ValueEncoder {
 public:
  // True when dvt writes `target` in the Native format (no LowCardinality
  // anywhere in it).
  static bool supports(const ChType& target);

  // As RowBinaryEncoder; every target must be supported().
  NativeEncoder(const std::vector<ChType>& targets, const std::vector<Type>& wires,
                std::vector<std::string> names, std::string label);

  // Adds the rows of `chunk` to the block being built. `first_row` numbers
  // the chunk's first row in messages. Throws DataError as
  // RowBinaryEncoder::encode; the block then holds part of the chunk and
  // must not be sent.
  void add(duckdb_data_chunk chunk, uint64_t first_row);
  // Rows and bytes (about) in the block being built.
  uint64_t rows() const { return rows_; }
  size_t bytes() const;
  // Appends the block being built to `out` and starts an empty one. Appends
  // nothing when the block has no rows.
  void flush(std::string& out);

 private:
  // The streams of one node, in the order Native writes them.
  struct Streams {
    std::string null_map;   // Nullable: 1 for NULL, one byte per value
    std::string offsets;    // Array: UInt64 end offset of each array
    std::string values;     // scalars
    uint64_t elements = 0;  // Array: elements so far (the last end offset)
  };

  // Adds `count` values of `node` from position `begin` of its vector; at the
  // top level (`top`) each value is a row and is numbered in messages.
  void add_values(int index, idx_t begin, idx_t count, bool top);
  void add_default(const Node& node, Streams& streams);
  void write_column(int index, std::string& out);
  void clear(int index);

  std::vector<ChType> targets_;
  std::vector<Streams> streams_;  // by node index
  uint64_t rows_ = 0;
  uint64_t first_row_ = 0;
};

}  // namespace dvt::ch
