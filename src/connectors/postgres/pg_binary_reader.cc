#include "connectors/postgres/pg_binary_reader.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "connectors/postgres/pg_numeric.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/utf8.h"
#include "engine/decimal_values.h"

namespace dvt::pg {
namespace {

constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // + '\0': 11 bytes
constexpr size_t kSignatureSize = 11;

// Big-endian reads from a buffer whose bounds the caller has checked.
inline uint16_t read_u16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return __builtin_bswap16(v);
}
inline uint32_t read_u32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}
inline uint64_t read_u64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}
inline int32_t read_i32(const char* p) {
  return static_cast<int32_t>(read_u32(p));
}
inline int64_t read_i64(const char* p) {
  return static_cast<int64_t>(read_u64(p));
}

const char* codec_name(Codec codec) {
  switch (codec) {
    case Codec::kBool:
      return "bool";
    case Codec::kInt2:
      return "int2";
    case Codec::kInt4:
      return "int4";
    case Codec::kInt8:
      return "int8";
    case Codec::kOid:
      return "oid";
    case Codec::kFloat4:
      return "float4";
    case Codec::kFloat8:
      return "float8";
    case Codec::kNumeric:
    case Codec::kNumericText:
      return "numeric";
    case Codec::kText:
      return "text";
    case Codec::kJsonb:
      return "jsonb";
    case Codec::kBytea:
      return "bytea";
    case Codec::kDate:
      return "date";
    case Codec::kTimestamp:
      return "timestamp";
    case Codec::kTime:
      return "time";
    case Codec::kInterval:
      return "interval";
    case Codec::kUuid:
      return "uuid";
    case Codec::kArray:
      return "array";
  }
  return "?";
}

}  // namespace

PgBinaryDecoder::PgBinaryDecoder(std::vector<ReadPlan> plans, std::vector<std::string> names,
                                 std::string label)
    : plans_(std::move(plans)), names_(std::move(names)), label_(std::move(label)) {
  if (plans_.size() != names_.size())
    throw InternalError("decoder plans and names differ in length");
  for (const auto& plan : plans_) {
    ColumnState state{};
    state.codec = plan.codec;
    state.element_codec = plan.element_codec;
    const Type& value_type = plan.codec == Codec::kArray ? plan.type.children.at(0) : plan.type;
    state.decimal_storage = decimal_storage(value_type.width);
    state.scale = value_type.scale;
    columns_.push_back(state);
  }
}

void PgBinaryDecoder::begin_chunk(duckdb_data_chunk out) {
  row_ = 0;
  capacity_ = duckdb_vector_size();
  chunk_bytes_ = 0;
  for (size_t c = 0; c < columns_.size(); ++c) {
    ColumnState& state = columns_[c];
    state.vector = duckdb_data_chunk_get_vector(out, c);
    duckdb_vector_ensure_validity_writable(state.vector);
    state.validity = duckdb_vector_get_validity(state.vector);
    state.data = duckdb_vector_get_data(state.vector);
    if (state.codec == Codec::kArray) duckdb_list_vector_set_size(state.vector, 0);
  }
}

void PgBinaryDecoder::fail(size_t column, const std::string& what) const {
  throw DataError(fmt::format("{}: row {} column \"{}\": {}", label_, total_rows_ + 1,
                              names_.at(column), what));
}

size_t PgBinaryDecoder::consume_header(const char* data, size_t size) {
  if (size < kSignatureSize + 8) return 0;
  if (std::memcmp(data, kSignature, kSignatureSize) != 0) {
    throw DataError(
        fmt::format("{}: the server's COPY data does not start with the binary signature", label_));
  }
  uint32_t flags = read_u32(data + kSignatureSize);
  if (flags & (1u << 16))
    throw DataError(fmt::format("{}: COPY data carries OIDs, which dvt does not read", label_));
  uint32_t extension = read_u32(data + kSignatureSize + 4);
  size_t total = kSignatureSize + 8 + extension;
  if (size < total) return 0;
  header_seen_ = true;
  return total;
}

size_t PgBinaryDecoder::consume(const char* data, size_t size) {
  size_t pos = 0;
  if (!header_seen_) {
    pos = consume_header(data, size);
    if (!header_seen_) return 0;
  }
  const size_t column_count = columns_.size();
  while (pos < size && !full() && !finished_) {
    if (size - pos < 2) break;
    int16_t fields = static_cast<int16_t>(read_u16(data + pos));
    if (fields == -1) {
      finished_ = true;
      pos += 2;
      break;
    }
    if (fields < 0 || static_cast<size_t>(fields) != column_count) {
      throw DataError(fmt::format("{}: row {} has {} fields, expected {}", label_, total_rows_ + 1,
                                  fields, column_count));
    }
    // Check that the whole tuple is here before decoding any of it.
    size_t end = pos + 2;
    bool complete = true;
    for (size_t c = 0; c < column_count; ++c) {
      if (size - end < 4) {
        complete = false;
        break;
      }
      int32_t length = read_i32(data + end);
      end += 4;
      if (length == -1) continue;
      if (length < 0) fail(c, fmt::format("invalid field length {}", length));
      if (size - end < static_cast<size_t>(length)) {
        complete = false;
        break;
      }
      end += static_cast<size_t>(length);
    }
    if (!complete) break;
    size_t field = pos + 2;
    for (size_t c = 0; c < column_count; ++c) {
      int32_t length = read_i32(data + field);
      field += 4;
      decode_value(c, data + field, length);
      if (length > 0) field += static_cast<size_t>(length);
    }
    end_row();
    chunk_bytes_ += end - pos;
    if (chunk_bytes_ >= kMaxChunkBytes) capacity_ = row_;  // full: end the chunk here
    pos = end;
  }
  return pos;
}

void PgBinaryDecoder::end_row() {
  ++row_;
  ++total_rows_;
}

void PgBinaryDecoder::decode_value(size_t column, const char* data, int32_t length) {
  ColumnState& state = columns_[column];
  if (length < 0) {
    duckdb_validity_set_row_invalid(state.validity, row_);
    return;
  }
  if (state.codec == Codec::kArray) {
    decode_array(state, data, length, column);
    return;
  }
  decode_scalar(state.codec, state.decimal_storage, state.scale, state.vector, state.data, row_,
                data, length, column);
}

void PgBinaryDecoder::decode_scalar(Codec codec, duckdb_type storage, uint8_t scale,
                                    duckdb_vector vector, void* data, idx_t row, const char* value,
                                    int32_t length, size_t column) {
  auto expect = [&](int32_t size) {
    if (length != size)
      fail(column,
           fmt::format("{} value of {} bytes, expected {}", codec_name(codec), length, size));
  };
  switch (codec) {
    case Codec::kBool:
      expect(1);
      static_cast<bool*>(data)[row] = value[0] != 0;
      return;
    case Codec::kInt2:
      expect(2);
      static_cast<int16_t*>(data)[row] = static_cast<int16_t>(read_u16(value));
      return;
    case Codec::kInt4:
      expect(4);
      static_cast<int32_t*>(data)[row] = read_i32(value);
      return;
    case Codec::kOid:
      expect(4);
      static_cast<uint32_t*>(data)[row] = read_u32(value);
      return;
    case Codec::kInt8:
      expect(8);
      static_cast<int64_t*>(data)[row] = read_i64(value);
      return;
    case Codec::kFloat4: {
      expect(4);
      uint32_t bits = read_u32(value);
      std::memcpy(&static_cast<float*>(data)[row], &bits, 4);
      return;
    }
    case Codec::kFloat8: {
      expect(8);
      uint64_t bits = read_u64(value);
      std::memcpy(&static_cast<double*>(data)[row], &bits, 8);
      return;
    }
    case Codec::kNumeric:
    case Codec::kNumericText: {
      __int128 scaled = 0;
      switch (numeric_to_scaled(value, length, scale, scaled)) {
        case NumericStatus::kOk:
          break;
        case NumericStatus::kNaN:
          fail(column,
               "numeric NaN has no DECIMAL form; read the column as text (--query with "
               "\"col\"::text) "
               "to keep it");
        case NumericStatus::kInfinity:
        case NumericStatus::kNegativeInfinity:
          fail(column, "numeric Infinity has no DECIMAL form; read the column as text to keep it");
        case NumericStatus::kTooManyFractionDigits:
        case NumericStatus::kOverflow:
          fail(column, fmt::format("numeric value {} does not fit the column's DECIMAL scale {}",
                                   numeric_to_text(value, length), scale));
        case NumericStatus::kMalformed:
          fail(column, "malformed numeric value");
      }
      set_unscaled(storage, data, row, scaled);
      return;
    }
    case Codec::kText:
      if (!is_valid_utf8(value, static_cast<size_t>(length))) {
        fail(column, "text is not valid UTF-8 (is the database's encoding SQL_ASCII?)");
      }
      duckdb_vector_assign_string_element_len(vector, row, value, static_cast<idx_t>(length));
      return;
    case Codec::kJsonb:
      if (length < 1 || value[0] != 1) fail(column, "unknown jsonb binary version");
      if (!is_valid_utf8(value + 1, static_cast<size_t>(length - 1)))
        fail(column, "jsonb is not valid UTF-8");
      duckdb_vector_assign_string_element_len(vector, row, value + 1,
                                              static_cast<idx_t>(length - 1));
      return;
    case Codec::kBytea:
      duckdb_vector_assign_string_element_len(vector, row, value, static_cast<idx_t>(length));
      return;
    case Codec::kDate: {
      expect(4);
      int32_t days = read_i32(value);
      int32_t out;
      if (days == std::numeric_limits<int32_t>::max()) {
        out = std::numeric_limits<int32_t>::max();  // infinity in both
      } else if (days == std::numeric_limits<int32_t>::min()) {
        out = -std::numeric_limits<int32_t>::max();  // DuckDB's -infinity
      } else {
        // PostgreSQL's dates (4713 BC to 5874897 AD) all fit after the shift.
        out = days + kPgEpochDays;
      }
      static_cast<int32_t*>(data)[row] = out;
      return;
    }
    case Codec::kTimestamp: {
      expect(8);
      int64_t micros = read_i64(value);
      int64_t out;
      if (micros == std::numeric_limits<int64_t>::max()) {
        out = std::numeric_limits<int64_t>::max();
      } else if (micros == std::numeric_limits<int64_t>::min()) {
        out = -std::numeric_limits<int64_t>::max();
      } else if (__builtin_add_overflow(micros, kPgEpochMicros, &out) ||
                 out >= std::numeric_limits<int64_t>::max() - 1) {
        // PostgreSQL reaches 294276 AD, DuckDB 294247 AD.
        fail(column, "timestamp after 294247-01-10 AD is beyond DuckDB's range");
      }
      static_cast<int64_t*>(data)[row] = out;
      return;
    }
    case Codec::kTime:
      expect(8);
      static_cast<duckdb_time*>(data)[row].micros = read_i64(value);
      return;
    case Codec::kInterval: {
      expect(16);
      duckdb_interval& out = static_cast<duckdb_interval*>(data)[row];
      out.micros = read_i64(value);
      out.days = read_i32(value + 8);
      out.months = read_i32(value + 12);
      return;
    }
    case Codec::kUuid: {
      expect(16);
      // DuckDB stores a UUID as a HUGEINT with the top bit flipped, so that
      // signed order is the UUID's byte order.
      duckdb_hugeint& out = static_cast<duckdb_hugeint*>(data)[row];
      out.upper = static_cast<int64_t>(read_u64(value) ^ (uint64_t{1} << 63));
      out.lower = read_u64(value + 8);
      return;
    }
    case Codec::kArray:
      break;
  }
  throw InternalError("nested array codec");
}

void PgBinaryDecoder::decode_array(ColumnState& state, const char* value, int32_t length,
                                   size_t column) {
  if (length < 12) fail(column, "malformed array");
  int32_t dimensions = read_i32(value);
  auto* entries = static_cast<duckdb_list_entry*>(state.data);
  idx_t offset = duckdb_list_vector_get_size(state.vector);
  if (dimensions == 0) {
    entries[row_] = {offset, 0};
    return;
  }
  if (dimensions != 1) {
    fail(column,
         fmt::format("a {}-dimensional array has no LIST form; read it as text (\"col\"::text)",
                     dimensions));
  }
  if (length < 20) fail(column, "malformed array");
  int32_t count = read_i32(value + 12);
  int32_t lower_bound = read_i32(value + 16);
  if (count < 0) fail(column, "malformed array");
  if (lower_bound != 1) {
    fail(column,
         fmt::format(
             "an array starting at index {} has no LIST form; read it as text (\"col\"::text)",
             lower_bound));
  }
  duckdb_list_vector_reserve(state.vector, offset + static_cast<idx_t>(count));
  duckdb_vector child = duckdb_list_vector_get_child(state.vector);
  duckdb_vector_ensure_validity_writable(child);
  uint64_t* child_validity = duckdb_vector_get_validity(child);
  void* child_data = duckdb_vector_get_data(child);
  const char* end = value + length;
  const char* pos = value + 20;
  for (int32_t i = 0; i < count; ++i) {
    if (end - pos < 4) fail(column, "truncated array");
    int32_t element_length = read_i32(pos);
    pos += 4;
    idx_t slot = offset + static_cast<idx_t>(i);
    if (element_length < 0) {
      duckdb_validity_set_row_invalid(child_validity, slot);
      continue;
    }
    if (end - pos < element_length) fail(column, "truncated array");
    duckdb_validity_set_row_valid(child_validity, slot);
    decode_scalar(state.element_codec, state.decimal_storage, state.scale, child, child_data, slot,
                  pos, element_length, column);
    pos += element_length;
  }
  duckdb_list_vector_set_size(state.vector, offset + static_cast<idx_t>(count));
  entries[row_] = {offset, static_cast<uint64_t>(count)};
}

namespace {

std::vector<std::string> column_names(const TableSchema& schema) {
  return schema.names();
}

}  // namespace

PgCopyReader::PgCopyReader(std::unique_ptr<PgConnection> conn, TableSchema schema,
                           std::vector<ReadPlan> plans, const std::string& copy_sql,
                           std::string label)
    : conn_(std::move(conn)),
      schema_(std::move(schema)),
      decoder_(std::move(plans), column_names(schema_), std::move(label)) {
  conn_->begin_copy_out(copy_sql);
  receiver_ = std::thread([this] { receive(); });
}

PgCopyReader::~PgCopyReader() {
  stop_receiving();
}

void PgCopyReader::stop_receiving() noexcept {
  if (!receiver_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    // Stopped early (an error, Ctrl-C, a LIMIT in the engine): stop the
    // server's work too, and wake the receiver wherever it waits.
    if (!receiving_done_) conn_->abandon();
  }
  drained_.notify_all();
  receiver_.join();
}

void PgCopyReader::receive() {
  // No exception may escape a thread: keep it for the engine's thread.
  try {
    PgCopyBuffer message;
    std::string block;
    block.reserve(kBlockSize + (kBlockSize >> 3));
    auto hand_over = [&] {
      std::unique_lock lock(mutex_);
      drained_.wait(lock, [&] { return queued_bytes_ < kMaxQueuedBytes || stop_; });
      if (stop_) return false;
      queued_bytes_ += block.size();
      blocks_.push_back(std::move(block));
      filled_.notify_one();
      // Reuse a decoded block: a fresh megabyte would be mapped (and faulted
      // in) anew each time.
      if (!spare_.empty()) {
        block = std::move(spare_.back());
        spare_.pop_back();
        block.clear();
      } else {
        block = std::string();
        block.reserve(kBlockSize + (kBlockSize >> 3));
      }
      return true;
    };
    while (conn_->get_copy_data(message)) {
      block.append(message.data(), message.size());
      bytes_.fetch_add(message.size(), std::memory_order_relaxed);
      if (block.size() >= kBlockSize && !hand_over()) return;
    }
    if (!block.empty()) hand_over();
  } catch (...) {
    std::lock_guard lock(mutex_);
    failure_ = std::current_exception();
  }
  std::lock_guard lock(mutex_);
  receiving_done_ = true;
  filled_.notify_all();
}

bool PgCopyReader::next_block() {
  std::unique_lock lock(mutex_);
  while (blocks_.empty() && !receiving_done_) {
    filled_.wait_for(lock, std::chrono::milliseconds(100));
    if (interrupted()) throw Interrupted();
  }
  if (blocks_.empty()) {
    if (failure_) std::rethrow_exception(failure_);
    return false;
  }
  // A decoded block of the usual size is kept for the receiver to fill
  // again: freed here and allocated anew there, it would be a fresh mapping,
  // faulted in page by page. The receiver allocates only when no spare is
  // left, so spares never outnumber the blocks the queue can hold. A block
  // grown for one large row is freed instead.
  if (current_.capacity() >= kBlockSize && current_.capacity() <= 4 * kBlockSize) {
    spare_.push_back(std::move(current_));
  }
  current_ = std::move(blocks_.front());
  blocks_.pop_front();
  queued_bytes_ -= current_.size();
  lock.unlock();
  drained_.notify_one();
  offset_ = 0;
  if (!pending_.empty()) {
    // Rare: a server that splits a tuple across messages at a block edge.
    pending_.append(current_);
    current_.swap(pending_);
    pending_.clear();
  }
  return true;
}

bool PgCopyReader::next(duckdb_data_chunk out) {
  if (copy_done_) {
    duckdb_data_chunk_set_size(out, 0);
    return false;
  }
  decoder_.begin_chunk(out);
  while (!decoder_.full() && !decoder_.finished()) {
    if (offset_ >= current_.size() && !next_block()) {
      throw DataError(fmt::format("{}: COPY data ended {}", conn_->label(),
                                  pending_.empty() ? "without its trailer" : "inside a row"));
    }
    size_t used = decoder_.consume(current_.data() + offset_, current_.size() - offset_);
    offset_ += used;
    if (offset_ < current_.size() && !decoder_.full() && !decoder_.finished()) {
      // PostgreSQL sends one row per message, but the protocol does not
      // promise it: keep the partial tuple and join the next block to it.
      pending_.assign(current_, offset_, std::string::npos);
      offset_ = current_.size();
    }
  }
  if (decoder_.finished()) {
    // After the trailer the server reports the COPY's outcome: wait for it.
    receiver_.join();
    if (failure_) std::rethrow_exception(failure_);
    copy_done_ = true;
  }
  duckdb_data_chunk_set_size(out, decoder_.rows());
  return decoder_.rows() > 0;
}

PgCursorReader::PgCursorReader(std::unique_ptr<PgConnection> conn, TableSchema schema,
                               std::vector<ReadPlan> plans, const std::string& select_sql,
                               std::string label)
    : conn_(std::move(conn)),
      schema_(std::move(schema)),
      decoder_(std::move(plans), column_names(schema_), std::move(label)),
      // Start small: a first FETCH of 2048 rows of large documents would
      // hold them all in one result.
      fetch_rows_(64) {
  conn_->execute("BEGIN");
  conn_->execute("DECLARE dvt_cursor NO SCROLL CURSOR FOR " + select_sql);
}

PgCursorReader::~PgCursorReader() {
  if (!done_) conn_->execute_quietly("ROLLBACK");
}

bool PgCursorReader::next(duckdb_data_chunk out) {
  if (done_) {
    duckdb_data_chunk_set_size(out, 0);
    return false;
  }
  check_interrupted();
  decoder_.begin_chunk(out);
  idx_t capacity = duckdb_vector_size();
  // Binary result format: the same value codecs as COPY BINARY.
  const idx_t requested = std::min(fetch_rows_, capacity);
  PgResult result =
      conn_->execute(fmt::format("FETCH FORWARD {} FROM dvt_cursor", requested), {}, 1);
  int rows = result.rows();
  int columns = result.columns();
  if (static_cast<size_t>(columns) != schema_.columns.size()) {
    throw DataError(fmt::format("{}: FETCH returned {} columns, expected {}", conn_->label(),
                                columns, schema_.columns.size()));
  }
  uint64_t result_bytes = 0;
  for (int row = 0; row < rows; ++row) {
    for (int column = 0; column < columns; ++column) {
      if (result.is_null(row, column)) {
        decoder_.decode_value(static_cast<size_t>(column), nullptr, -1);
      } else {
        int length = PQgetlength(result.get(), row, column);
        decoder_.decode_value(static_cast<size_t>(column), PQgetvalue(result.get(), row, column),
                              length);
        result_bytes += static_cast<uint64_t>(length);
      }
    }
    decoder_.end_row();
  }
  bytes_ += result_bytes;
  if (rows > 0) {
    // As many rows as make about kMaxChunkBytes, judged by these.
    uint64_t row_bytes = std::max<uint64_t>(1, result_bytes / static_cast<uint64_t>(rows));
    fetch_rows_ = static_cast<idx_t>(std::clamp<uint64_t>(
        PgBinaryDecoder::kMaxChunkBytes / row_bytes, 1, static_cast<uint64_t>(capacity)));
  }
  if (static_cast<idx_t>(rows) < requested) {
    conn_->execute("CLOSE dvt_cursor");
    conn_->execute("COMMIT");
    done_ = true;
  }
  duckdb_data_chunk_set_size(out, decoder_.rows());
  return decoder_.rows() > 0;
}

}  // namespace dvt::pg
