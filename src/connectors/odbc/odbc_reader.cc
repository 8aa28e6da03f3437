#include "connectors/odbc/odbc_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "connectors/odbc/odbc_text.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/utf8.h"

namespace dvt::odbc {

namespace {

// The buffers of one block of rows: 4 MiB, so narrow rows fill a chunk per
// fetch and wide ones still come many to a fetch.
constexpr size_t kBlockBytes = 4 << 20;
// A value of a column with no known bound (text, bytea) gets this many bytes
// in the block; longer ones are read in parts when the driver can position
// on a row of the block.
constexpr size_t kHeadBytes = 1024;
// Without positioning, a bounded column gets its whole bound up to this
// size; a longer or unbounded one makes blocks of one row.
constexpr size_t kLargestBound = 256 << 10;
// A chunk ends early once its values reach this size (see the MySQL reader:
// up to six chunks are alive at once).
constexpr uint64_t kChunkBytes = 2 << 20;

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The C type each Fetch binds, and the bytes of one value (0: variable).
struct CBinding {
  SQLSMALLINT c_type;
  size_t width;
};

CBinding c_binding(Fetch fetch) {
  switch (fetch) {
    case Fetch::kBit:
      return {SQL_C_BIT, 1};
    case Fetch::kInt8:
      return {SQL_C_STINYINT, 1};
    case Fetch::kUInt8:
      return {SQL_C_UTINYINT, 1};
    case Fetch::kInt16:
      return {SQL_C_SSHORT, 2};
    case Fetch::kUInt16:
      return {SQL_C_USHORT, 2};
    case Fetch::kInt32:
      return {SQL_C_SLONG, 4};
    case Fetch::kUInt32:
      return {SQL_C_ULONG, 4};
    case Fetch::kInt64:
      return {SQL_C_SBIGINT, 8};
    case Fetch::kUInt64:
      return {SQL_C_UBIGINT, 8};
    case Fetch::kFloat:
      return {SQL_C_FLOAT, 4};
    case Fetch::kDouble:
      return {SQL_C_DOUBLE, 8};
    case Fetch::kDate:
      return {SQL_C_TYPE_DATE, sizeof(SQL_DATE_STRUCT)};
    case Fetch::kTimestamp:
      return {SQL_C_TYPE_TIMESTAMP, sizeof(SQL_TIMESTAMP_STRUCT)};
    case Fetch::kText:
      return {SQL_C_CHAR, 0};
    case Fetch::kBinary:
      return {SQL_C_BINARY, 0};
  }
  return {SQL_C_CHAR, 0};
}

// The text of integer `row` of `data` (a vector of the C type of `fetch`).
template <typename T>
std::string integer_text(const void* data, idx_t row) {
  return std::to_string(static_cast<const T*>(data)[row]);
}

}  // namespace

OdbcReader::OdbcReader(std::unique_ptr<OdbcConnection> connection, Handle statement,
                       TableSchema schema, std::vector<MappedColumn> columns, std::string label,
                       std::optional<KeyPages> pages)
    : connection_(std::move(connection)),
      statement_(std::move(statement)),
      schema_(std::move(schema)),
      columns_(std::move(columns)),
      label_(std::move(label)),
      pages_(std::move(pages)) {
  const DriverInfo& info = connection_->info();
  positioned_ = connection_->profile().positioned_get_data &&
                (info.getdata_extensions & SQL_GD_BLOCK) &&
                (info.getdata_extensions & SQL_GD_BOUND);
  if (!(info.getdata_extensions & SQL_GD_BOUND)) {
    throw TierUnavailable(fmt::format(
        "{}: the ODBC driver {} cannot read a bound column with SQLGetData (SQL_GD_BOUND), which "
        "dvt needs for long values",
        label_, info.driver_name));
  }
  bind();
}

OdbcReader::~OdbcReader() {
  if (statement_ && !done_) SQLCancel(statement_.get());
  if (pages_ && !pages_->end_sql.empty()) {
    try {
      statement_ = Handle();
      connection_->execute(pages_->end_sql);
    } catch (...) {
    }
  }
}

void OdbcReader::remember_key(duckdb_data_chunk out, idx_t row) {
  last_key_.resize(pages_->key.size());
  for (size_t k = 0; k < pages_->key.size(); ++k) {
    size_t c = pages_->key[k];
    duckdb_vector vector = duckdb_data_chunk_get_vector(out, c);
    const void* data = duckdb_vector_get_data(vector);
    std::string& text = last_key_[k];
    switch (columns_[c].fetch) {
      case Fetch::kInt8:
        text = integer_text<int8_t>(data, row);
        break;
      case Fetch::kUInt8:
        text = integer_text<uint8_t>(data, row);
        break;
      case Fetch::kInt16:
        text = integer_text<int16_t>(data, row);
        break;
      case Fetch::kUInt16:
        text = integer_text<uint16_t>(data, row);
        break;
      case Fetch::kInt32:
        text = integer_text<int32_t>(data, row);
        break;
      case Fetch::kUInt32:
        text = integer_text<uint32_t>(data, row);
        break;
      case Fetch::kInt64:
        text = integer_text<int64_t>(data, row);
        break;
      case Fetch::kUInt64:
        text = integer_text<uint64_t>(data, row);
        break;
      default: {
        duckdb_string_t value = static_cast<const duckdb_string_t*>(data)[row];
        text.assign(duckdb_string_t_data(&value), duckdb_string_t_length(value));
      }
    }
  }
}

bool OdbcReader::next_page() {
  if (!pages_ || page_rows_read_ < pages_->page_rows) return false;
  page_rows_read_ = 0;
  SQLHSTMT statement = statement_.get();
  std::string doing = fmt::format("{}: reading the page after {} rows", label_, rows_);
  SQLCloseCursor(statement);
  if (!next_prepared_) {
    check(connection_->prepare(statement, pages_->next_sql), statement_, doing);
    next_prepared_ = true;
  }
  last_key_lengths_.resize(last_key_.size());
  for (size_t k = 0; k < last_key_.size(); ++k) {
    last_key_lengths_[k] = static_cast<SQLLEN>(last_key_[k].size());
    check(SQLBindParameter(statement, static_cast<SQLUSMALLINT>(k + 1), SQL_PARAM_INPUT, SQL_C_CHAR,
                           SQL_VARCHAR, std::max<size_t>(last_key_[k].size(), 1), 0,
                           last_key_[k].data(), static_cast<SQLLEN>(last_key_[k].size()),
                           &last_key_lengths_[k]),
          statement_, doing);
  }
  check(SQLExecute(statement), statement_, doing);
  return true;
}

std::vector<Type> OdbcReader::wire_types() const {
  std::vector<Type> types;
  for (const auto& column : columns_) types.push_back(column.wire);
  return types;
}

void OdbcReader::bind() {
  const bool wide_mode = connection_->settings().text == TextMode::kWide;
  bindings_.resize(columns_.size());
  size_t row_bytes = 0;
  bool row_mode = false;
  for (size_t c = 0; c < columns_.size(); ++c) {
    const MappedColumn& column = columns_[c];
    Binding& binding = bindings_[c];
    CBinding bound = c_binding(column.fetch);
    binding.c_type = bound.c_type;
    if (size_t width = bound.width) {
      binding.stride = width;
    } else {
      binding.variable = true;
      // Only real text takes the wide path; decimals, times and UUIDs are ASCII.
      bool text = column.fetch == Fetch::kText && column.type.id == DUCKDB_TYPE_VARCHAR;
      binding.wide = text && wide_mode;
      if (binding.wide) binding.c_type = SQL_C_WCHAR;
      size_t capacity = column.max_bytes;
      if (capacity == 0 || capacity > (positioned_ ? kHeadBytes * 4 : kLargestBound)) {
        capacity = positioned_ ? kHeadBytes
                               : std::min<size_t>(capacity ? capacity : kHeadBytes, kLargestBound);
        binding.may_truncate = true;
        if (!positioned_) row_mode = true;
      }
      // UTF-16 needs at most as many bytes as 4-byte UTF-8 characters do,
      // plus its terminator.
      binding.value_capacity = capacity;
      binding.stride = capacity + (binding.c_type == SQL_C_BINARY ? 0 : binding.wide ? 2 : 1);
      // Keep each row's value aligned for SQLWCHAR.
      if (binding.wide && binding.stride % 2) ++binding.stride;
    }
    row_bytes += binding.stride + sizeof(SQLLEN);
  }
  rows_per_fetch_ = row_mode ? 1
                             : std::clamp<size_t>(kBlockBytes / std::max<size_t>(row_bytes, 1), 1,
                                                  duckdb_vector_size());
  SQLHSTMT statement = statement_.get();
  std::string doing = fmt::format("{}: binding the result's columns", label_);
  check(SQLSetStmtAttr(statement, SQL_ATTR_ROW_BIND_TYPE,
                       reinterpret_cast<SQLPOINTER>(SQL_BIND_BY_COLUMN), 0),
        statement_, doing);
  check(SQLSetStmtAttr(statement, SQL_ATTR_ROW_ARRAY_SIZE,
                       reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(rows_per_fetch_)), 0),
        statement_, doing);
  check(SQLSetStmtAttr(statement, SQL_ATTR_ROWS_FETCHED_PTR, &fetched_, 0), statement_, doing);
  for (size_t c = 0; c < columns_.size(); ++c) {
    Binding& binding = bindings_[c];
    binding.buffer.assign(binding.stride * rows_per_fetch_, 0);
    binding.indicators.assign(rows_per_fetch_, 0);
    check(SQLBindCol(statement, static_cast<SQLUSMALLINT>(c + 1), binding.c_type,
                     binding.buffer.data(), static_cast<SQLLEN>(binding.stride),
                     binding.indicators.data()),
          statement_, doing);
  }
  log_debug("odbc.read",
            fmt::format("{}: {} rows per fetch ({} bytes a row){}", label_, rows_per_fetch_,
                        row_bytes, positioned_ ? "" : ", long values without positioning"));
  bound_ = true;
}

bool OdbcReader::fetch() {
  check_interrupted();
  fetched_ = 0;
  pos_ = 0;
  SQLRETURN rc = SQLFetch(statement_.get());
  if (rc == SQL_NO_DATA) return false;
  if (!SQL_SUCCEEDED(rc)) {
    raise(SQL_HANDLE_STMT, statement_.get(),
          fmt::format("{}: reading after {} rows", label_, rows_));
  }
  return fetched_ > 0;
}

void OdbcReader::read_long_value(size_t column, size_t block_row, std::string& out) {
  SQLHSTMT statement = statement_.get();
  std::string doing = fmt::format("{}: reading a long value of column \"{}\" (row {})", label_,
                                  schema_.columns[column].name, rows_ + 1);
  if (rows_per_fetch_ > 1) {
    check(SQLSetPos(statement, static_cast<SQLSETPOSIROW>(block_row + 1), SQL_POSITION,
                    SQL_LOCK_NO_CHANGE),
          statement_, doing);
  }
  const Binding& binding = bindings_[column];
  out.clear();
  if (binding.c_type == SQL_C_BINARY) {
    char part[64 << 10];
    for (;;) {
      SQLLEN indicator = 0;
      SQLRETURN rc = SQLGetData(statement, static_cast<SQLUSMALLINT>(column + 1), SQL_C_BINARY,
                                part, sizeof(part), &indicator);
      if (rc == SQL_NO_DATA) break;
      check(rc, statement_, doing);
      size_t got = (indicator == SQL_NO_TOTAL || indicator > static_cast<SQLLEN>(sizeof(part)))
                       ? sizeof(part)
                       : static_cast<size_t>(indicator);
      out.append(part, got);
      if (rc == SQL_SUCCESS) break;
    }
    return;
  }
  std::optional<std::string> text =
      get_text(statement, static_cast<SQLUSMALLINT>(column + 1),
               binding.wide ? TextMode::kWide : TextMode::kNarrow, doing);
  if (text) out = std::move(*text);
}

void OdbcReader::store_text(duckdb_vector vector, size_t column, idx_t row, const char* data,
                            size_t size) {
  if (!is_valid_utf8(data, size)) {
    const Column& col = schema_.columns[column];
    throw DataError(fmt::format(
        "{}: row {} column \"{}\" ({}): the driver sent text that is not valid UTF-8; with "
        "`text: narrow` the driver's character set must be UTF-8 (or use the wide default)",
        label_, rows_ + 1, col.name, col.source_type));
  }
  duckdb_vector_assign_string_element_len(vector, row, data, size);
}

size_t OdbcReader::copy_rows(duckdb_data_chunk out, size_t at, size_t count) {
  // Variable columns row by row first, so the chunk can end once its values
  // reach kChunkBytes; then the fixed columns for the rows taken.
  size_t taken = count;
  uint64_t& chunk_bytes = chunk_bytes_;
  bool any_variable = false;
  for (const auto& binding : bindings_) any_variable |= binding.variable;
  if (any_variable) {
    for (size_t r = 0; r < count; ++r) {
      const size_t block_row = pos_ + r;
      const idx_t row = at + r;
      for (size_t c = 0; c < bindings_.size(); ++c) {
        Binding& binding = bindings_[c];
        if (!binding.variable) continue;
        duckdb_vector vector = duckdb_data_chunk_get_vector(out, c);
        SQLLEN indicator = binding.indicators[block_row];
        if (indicator == SQL_NULL_DATA) {
          duckdb_vector_ensure_validity_writable(vector);
          duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), row);
          continue;
        }
        const char* data = binding.buffer.data() + block_row * binding.stride;
        bool truncated =
            indicator == SQL_NO_TOTAL || static_cast<size_t>(indicator) > binding.value_capacity;
        if (truncated) {
          if (rows_per_fetch_ > 1 && !positioned_) {
            throw InternalError(fmt::format(
                "{}: column \"{}\" has a value longer than the driver's bound ({} bytes)", label_,
                schema_.columns[c].name, binding.value_capacity));
          }
          read_long_value(c, block_row, scratch_);
          bytes_ += scratch_.size();
          chunk_bytes += scratch_.size();
          if (binding.c_type == SQL_C_BINARY) {
            duckdb_vector_assign_string_element_len(vector, row, scratch_.data(), scratch_.size());
          } else {
            store_text(vector, c, row, scratch_.data(), scratch_.size());
          }
          continue;
        }
        size_t size = static_cast<size_t>(indicator);
        bytes_ += size;
        chunk_bytes += size;
        if (binding.wide) {
          scratch_.clear();
          if (!append_utf8(reinterpret_cast<const SQLWCHAR*>(data), size / sizeof(SQLWCHAR),
                           scratch_)) {
            throw DataError(
                fmt::format("{}: row {} column \"{}\": the driver sent text that is not "
                            "valid UTF-16",
                            label_, rows_ + r + 1, schema_.columns[c].name));
          }
          duckdb_vector_assign_string_element_len(vector, row, scratch_.data(), scratch_.size());
        } else if (binding.c_type == SQL_C_BINARY) {
          duckdb_vector_assign_string_element_len(vector, row, data, size);
        } else {
          store_text(vector, c, row, data, size);
        }
      }
      if (chunk_bytes >= kChunkBytes) {
        taken = r + 1;
        break;
      }
    }
  }
  for (size_t c = 0; c < bindings_.size(); ++c) {
    const Binding& binding = bindings_[c];
    if (binding.variable) continue;
    duckdb_vector vector = duckdb_data_chunk_get_vector(out, c);
    char* data = static_cast<char*>(duckdb_vector_get_data(vector));
    const SQLLEN* indicators = binding.indicators.data() + pos_;
    const char* source = binding.buffer.data() + pos_ * binding.stride;
    const Fetch fetch = columns_[c].fetch;
    if (fetch == Fetch::kDate) {
      auto* days = reinterpret_cast<int32_t*>(data) + at;
      for (size_t r = 0; r < taken; ++r) {
        SQL_DATE_STRUCT date;
        std::memcpy(&date, source + r * binding.stride, sizeof(date));
        days[r] = static_cast<int32_t>(days_from_civil(date.year, date.month, date.day));
      }
    } else if (fetch == Fetch::kTimestamp) {
      auto* micros = reinterpret_cast<int64_t*>(data) + at;
      for (size_t r = 0; r < taken; ++r) {
        SQL_TIMESTAMP_STRUCT ts;
        std::memcpy(&ts, source + r * binding.stride, sizeof(ts));
        micros[r] = days_from_civil(ts.year, ts.month, ts.day) * kMicrosPerDay +
                    ((static_cast<int64_t>(ts.hour) * 60 + ts.minute) * 60 + ts.second) * 1000000 +
                    ts.fraction / 1000;
      }
    } else if (fetch == Fetch::kBit) {
      auto* flags = reinterpret_cast<bool*>(data) + at;
      for (size_t r = 0; r < taken; ++r) flags[r] = source[r] != 0;
    } else {
      std::memcpy(data + at * binding.stride, source, taken * binding.stride);
    }
    for (size_t r = 0; r < taken; ++r) {
      if (indicators[r] == SQL_NULL_DATA) {
        duckdb_vector_ensure_validity_writable(vector);
        duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), at + r);
      }
    }
  }
  pos_ += taken;
  rows_ += taken;
  return taken;
}

bool OdbcReader::next(duckdb_data_chunk out) {
  if (done_) return false;
  const size_t capacity = duckdb_vector_size();
  chunk_bytes_ = 0;
  size_t row = 0;
  while (row < capacity) {
    if (pos_ >= fetched_) {
      bool more = fetch();
      while (!more && next_page()) more = fetch();
      if (!more) {
        done_ = true;
        SQLCloseCursor(statement_.get());
        break;
      }
    }
    size_t want = std::min<size_t>(capacity - row, fetched_ - pos_);
    size_t got = copy_rows(out, row, want);
    row += got;
    if (pages_) {
      page_rows_read_ += got;
      remember_key(out, row - 1);
    }
    if (got < want || chunk_bytes_ >= kChunkBytes) break;  // the chunk's bytes are reached
  }
  duckdb_data_chunk_set_size(out, row);
  return row > 0;
}

}  // namespace dvt::odbc
