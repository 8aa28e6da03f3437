// ClickHouse's RowBinary format to and from DuckDB vectors. Rows follow each
// other with no framing; each value is little-endian and fixed-width
// (integers, floats, Decimal as Int32/64/128, Date as UInt16 days, DateTime
// as UInt32 seconds, UUID as its high then its low UInt64), or prefixed by a
// LEB128 length (String, Array), or a 0/1 byte first (Nullable).
// LowCardinality carries its inner type.
//
// The decoder and the encoder know nothing of sockets or pipes: the reader
// hands the decoder whatever bytes have arrived, the writer hands the
// encoder's bytes to whatever carries them.
#pragma once

#include <duckdb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "connectors/clickhouse/ch_types.h"
#include "core/type.h"

namespace dvt::ch {

// Reads one LEB128 unsigned integer from [*p, end); advances *p. Returns
// false, leaving *p alone, when the bytes end first. Throws DataError for an
// encoding longer than 10 bytes.
bool read_varuint(const char** p, const char* end, uint64_t* value);
// Appends the LEB128 encoding of `value`.
void write_varuint(std::string& out, uint64_t value);

class RowBinaryDecoder {
 public:
  // One column per element: `wires` is what RowBinary carries, `types` the
  // DuckDB types of the chunk's vectors (from plan_read), `names` for
  // messages, `label` names the scan ("ch_dev:dvt.orders").
  RowBinaryDecoder(const std::vector<ChType>& wires, const std::vector<Type>& types,
                   std::vector<std::string> names, std::string label);

  // Binds the vectors of `out`; rows() restarts at 0.
  void begin_chunk(duckdb_data_chunk out);

  // Decodes whole rows from [data, data+size) into the chunk until it is full
  // or the next row is incomplete. Returns the bytes consumed. Throws
  // DataError for malformed data or a value with no exact DuckDB form
  // (String that is not UTF-8 under StringRule::kText, unknown Enum code).
  size_t consume(const char* data, size_t size);

  idx_t rows() const { return row_; }
  bool full() const { return row_ >= capacity_; }
  uint64_t rows_decoded() const { return total_rows_; }

 private:
  enum class Op : uint8_t {
    kCopy,       // same bytes in ClickHouse and DuckDB (width in `bytes`)
    kDecimal16,  // Decimal(P<=4): ClickHouse Int32, DuckDB int16
    kBool,
    kDate,        // UInt16 days -> int32 days
    kDate32,      // Int32 days
    kDateTime,    // UInt32 seconds -> int64 microseconds
    kDateTime64,  // Int64 ticks -> int64 microseconds (x `multiplier`)
    kUuid,
    kEnum8,
    kEnum16,
    kText,       // String -> VARCHAR (UTF-8 checked)
    kBlob,       // String -> BLOB
    kFixedText,  // FixedString(N) -> VARCHAR (UTF-8 checked)
    kFixedBlob,  // FixedString(N) -> BLOB
    kArray,
    kNothing,  // only ever NULL or absent
  };

  struct Node {
    Op op = Op::kCopy;
    bool nullable = false;
    uint32_t bytes = 0;      // wire bytes of a fixed-width value (FixedString: N)
    int64_t multiplier = 1;  // DateTime64
    duckdb_type enum_storage = DUCKDB_TYPE_UTINYINT;
    std::vector<int32_t> enum_index;  // code - min code -> dictionary index, -1: none
    int32_t enum_min = 0;
    int child = -1;     // kArray: element node
    size_t column = 0;  // for messages
    // Bound per chunk.
    duckdb_vector vector = nullptr;
    void* data = nullptr;
    uint64_t* validity = nullptr;
    idx_t list_capacity = 0;  // kArray: child entries reserved
  };

  int build(const ChType& wire, const Type& type, size_t column);
  void bind(Node& node, duckdb_vector vector);
  // End of the value at p, or nullptr when it is incomplete.
  const char* measure(const Node& node, const char* p, const char* end) const;
  // Decodes one value (already measured) into row `row` of node's vector.
  const char* decode(Node& node, const char* p, idx_t row);
  [[noreturn]] void fail(size_t column, const std::string& what) const;

  std::vector<Node> nodes_;
  std::vector<int> roots_;  // node index of each column
  std::vector<std::string> names_;
  std::string label_;
  idx_t row_ = 0;
  idx_t capacity_ = 0;
  uint64_t total_rows_ = 0;
  const char* end_ = nullptr;  // end of the bytes consume() was given
};

// What the RowBinary and Native encoders share: one tree of nodes per
// column, and each value's conversion from its DuckDB form to ClickHouse's
// binary form, with its checks. Both formats write a scalar value in the same
// bytes; they differ only in how values, NULL flags and array sizes are laid
// out (row by row, or column by column).
class ValueEncoder {
 protected:
  // One column per element: `targets` are the ClickHouse column types,
  // `wires` the DuckDB types of the incoming vectors (wire_type(target, ..)).
  ValueEncoder(const std::vector<ChType>& targets, const std::vector<Type>& wires,
               std::vector<std::string> names, std::string label);

  enum class Op : uint8_t {
    kCopy,       // same bytes (width in `bytes`)
    kDecimal16,  // DuckDB int16 -> ClickHouse Int32
    kBool,
    kDate,  // int32 days -> UInt16
    kDate32,
    kDateTime,    // int64 microseconds -> UInt32 seconds
    kDateTime64,  // int64 microseconds -> Int64 ticks (/ `divisor` or x `multiplier`)
    kUuid,
    kEnum8,
    kEnum16,
    kString,
    kFixedString,
    kArray,
  };

  struct Node {
    Op op = Op::kCopy;
    bool nullable = false;
    uint32_t bytes = 0;     // DuckDB bytes of a kCopy value; N of FixedString(N)
    uint32_t ch_bytes = 0;  // ClickHouse bytes of a fixed-width value (0: String, Array)
    int64_t multiplier = 1;
    int64_t divisor = 1;
    std::vector<std::pair<std::string, int16_t>> enum_codes;  // sorted by label
    int child = -1;
    size_t column = 0;
    // Bound per chunk.
    void* data = nullptr;
    uint64_t* validity = nullptr;
  };

  void bind(Node& node, duckdb_vector vector);
  void bind_chunk(duckdb_data_chunk chunk);
  // Appends the binary form of the value at `row` (valid, not an Array).
  void encode_scalar(const Node& node, idx_t row, std::string& out) const;
  // Throws the error for a NULL at `row` of a node that is not Nullable.
  [[noreturn]] void fail_null(const Node& node) const;
  [[noreturn]] void fail(size_t column, const std::string& what) const;

  Node& node(int index) { return nodes_[static_cast<size_t>(index)]; }

  std::vector<Node> nodes_;
  std::vector<int> roots_;
  std::vector<std::string> names_;
  std::string label_;
  uint64_t row_number_ = 0;  // for messages: the row being encoded (1-based)

 private:
  int build(const ChType& target, const Type& wire, size_t column);
};

class RowBinaryEncoder : private ValueEncoder {
 public:
  RowBinaryEncoder(const std::vector<ChType>& targets, const std::vector<Type>& wires,
                   std::vector<std::string> names, std::string label)
      : ValueEncoder(targets, wires, std::move(names), std::move(label)) {}

  // Appends the rows of `chunk` to `out`. `first_row` numbers the chunk's
  // first row in messages. Throws DataError for a value the target cannot
  // hold exactly (NULL in a column that is not Nullable, a date out of
  // range, a timestamp with a fraction of a second in DateTime, an unknown
  // Enum label, a string longer than a FixedString).
  void encode(duckdb_data_chunk chunk, std::string& out, uint64_t first_row);

 private:
  void encode_value(Node& node, idx_t row, std::string& out);
};

}  // namespace dvt::ch
