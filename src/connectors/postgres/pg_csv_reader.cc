#include "connectors/postgres/pg_csv_reader.h"

#include <cstring>

#include <fmt/format.h>

#include "core/error.h"
#include "core/interrupt.h"
#include "core/utf8.h"

namespace dvt::pg {
namespace {

constexpr size_t kReadSize = 1 << 20;

TextCodec scalar_codec(const Type& type, Type& wire) {
  switch (type.id) {
    case DUCKDB_TYPE_BLOB:
      wire = Type(DUCKDB_TYPE_BLOB);
      return TextCodec::kBytea;
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      wire = Type(DUCKDB_TYPE_VARCHAR);
      return TextCodec::kDateLike;
    default:
      // JSON stays JSON on the wire: the engine's VARCHAR -> JSON cast
      // would be a needless parse of text PostgreSQL already checked.
      wire = type.is_json() ? Type::json() : Type(DUCKDB_TYPE_VARCHAR);
      return TextCodec::kVarchar;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_null_word(const char* value, size_t length) {
  return length == 4 && (value[0] | 0x20) == 'n' && (value[1] | 0x20) == 'u' &&
         (value[2] | 0x20) == 'l' && (value[3] | 0x20) == 'l';
}

}  // namespace

PipeColumn plan_pipe_column(const Type& type) {
  PipeColumn column;
  if (type.id == DUCKDB_TYPE_LIST) {
    Type element_wire;
    column.element_codec = scalar_codec(type.children.at(0), element_wire);
    column.wire = Type::list(element_wire);
    column.codec = TextCodec::kArray;
    return column;
  }
  column.codec = scalar_codec(type, column.wire);
  return column;
}

PgCsvDecoder::PgCsvDecoder(std::vector<PipeColumn> columns, std::vector<std::string> names,
                           std::string label, bool skip_header)
    : names_(std::move(names)), label_(std::move(label)), in_header_(skip_header) {
  for (auto& plan : columns) columns_.push_back(ColumnState{std::move(plan)});
}

void PgCsvDecoder::begin_chunk(duckdb_data_chunk out) {
  row_ = 0;
  capacity_ = duckdb_vector_size();
  chunk_bytes_ = 0;
  for (size_t c = 0; c < columns_.size(); ++c) {
    ColumnState& state = columns_[c];
    state.vector = duckdb_data_chunk_get_vector(out, c);
    duckdb_vector_ensure_validity_writable(state.vector);
    state.validity = duckdb_vector_get_validity(state.vector);
    state.data = duckdb_vector_get_data(state.vector);
    if (state.plan.codec == TextCodec::kArray) duckdb_list_vector_set_size(state.vector, 0);
  }
}

void PgCsvDecoder::fail(size_t column, const std::string& what) const {
  std::string name = column < names_.size() ? names_[column] : "?";
  throw DataError(fmt::format("{}: row {} column \"{}\": {}", label_, total_rows_ + 1, name, what));
}

size_t PgCsvDecoder::consume(const char* data, size_t size) {
  size_t pos = 0;
  while (pos < size) {
    switch (state_) {
      case State::kFieldStart: {
        char c = data[pos];
        if (c == '"') {
          state_ = State::kQuoted;
          quoted_ = true;
          ++pos;
        } else if (c == ',') {
          end_field(nullptr, 0, false);
          ++pos;
        } else if (c == '\n') {
          end_field(nullptr, 0, false);
          end_record();
          ++pos;
          if (full()) return pos;
        } else {
          state_ = State::kUnquoted;
        }
        break;
      }
      case State::kUnquoted: {
        size_t end = pos;
        while (end < size && data[end] != ',' && data[end] != '\n') ++end;
        if (end == size) {
          field_.append(data + pos, size - pos);
          pos = size;
          break;
        }
        if (field_.empty()) {
          end_field(data + pos, end - pos, false);  // the whole field is in this buffer
        } else {
          field_.append(data + pos, end - pos);
          end_field(field_.data(), field_.size(), false);
        }
        pos = end + 1;
        if (data[end] == '\n') {
          end_record();
          if (full()) return pos;
        }
        break;
      }
      case State::kQuoted: {
        const void* quote = std::memchr(data + pos, '"', size - pos);
        size_t end = quote ? static_cast<size_t>(static_cast<const char*>(quote) - data) : size;
        field_.append(data + pos, end - pos);
        pos = end;
        if (quote) {
          state_ = State::kQuoteInQuoted;
          ++pos;
        }
        break;
      }
      case State::kQuoteInQuoted: {
        char c = data[pos];
        if (c == '"') {
          field_ += '"';
          state_ = State::kQuoted;
          ++pos;
        } else if (c == ',' || c == '\n') {
          end_field(field_.data(), field_.size(), true);
          ++pos;
          if (c == '\n') {
            end_record();
            if (full()) return pos;
          }
        } else {
          fail(column_, "malformed CSV: a closing quote is followed by text");
        }
        break;
      }
    }
  }
  return pos;
}

void PgCsvDecoder::finish() {
  if (state_ != State::kFieldStart || column_ != 0 || !field_.empty()) {
    throw DataError(fmt::format("{}: the CSV ended inside row {}", label_, total_rows_ + 1));
  }
}

void PgCsvDecoder::end_field(const char* value, size_t length, bool quoted) {
  if (column_ >= columns_.size())
    fail(column_, fmt::format("more than {} fields in a row", columns_.size()));
  if (!in_header_) {
    ColumnState& state = columns_[column_];
    if (!quoted && length == 0) {
      duckdb_validity_set_row_invalid(state.validity, row_);  // unquoted empty: NULL
    } else {
      deliver(column_, value ? value : "", length);
      chunk_bytes_ += length;
    }
  }
  ++column_;
  field_.clear();
  quoted_ = false;
  state_ = State::kFieldStart;
}

void PgCsvDecoder::end_record() {
  if (column_ != columns_.size()) {
    fail(column_ < columns_.size() ? column_ : 0,
         fmt::format("a row has {} fields, expected {}", column_, columns_.size()));
  }
  column_ = 0;
  if (in_header_) {
    in_header_ = false;
    return;
  }
  ++row_;
  ++total_rows_;
  if (chunk_bytes_ >= kMaxChunkBytes) capacity_ = row_;  // full: end the chunk here
}

void PgCsvDecoder::deliver(size_t column, const char* value, size_t length) {
  ColumnState& state = columns_[column];
  if (state.plan.codec == TextCodec::kArray) {
    store_array(state, value, length, column);
  } else {
    store_scalar(state.plan.codec, state.vector, row_, value, length, column);
  }
}

void PgCsvDecoder::store_scalar(TextCodec codec, duckdb_vector vector, idx_t row, const char* value,
                                size_t length, size_t column) {
  switch (codec) {
    case TextCodec::kVarchar:
      if (!is_valid_utf8(value, length)) fail(column, "text is not valid UTF-8");
      duckdb_vector_assign_string_element_len(vector, row, value, length);
      return;
    case TextCodec::kDateLike: {
      // PostgreSQL ends a BC date or timestamp with " BC"; DuckDB reads
      // "(BC)" right after the date part.
      if (length > 3 && std::memcmp(value + length - 3, " BC", 3) == 0) {
        std::string_view text(value, length - 3);
        size_t space = text.find(' ');
        scratch_.assign(text.substr(0, space));
        scratch_ += " (BC)";
        if (space != std::string_view::npos) scratch_.append(text.substr(space));
        duckdb_vector_assign_string_element_len(vector, row, scratch_.data(), scratch_.size());
      } else {
        duckdb_vector_assign_string_element_len(vector, row, value, length);
      }
      return;
    }
    case TextCodec::kBytea: {
      if (length < 2 || value[0] != '\\' || value[1] != 'x' || length % 2 != 0) {
        fail(column, "bytea is not in hex format (bytea_output = 'hex')");
      }
      scratch_.resize((length - 2) / 2);
      for (size_t i = 2, out = 0; i < length; i += 2, ++out) {
        int high = hex_value(value[i]);
        int low = hex_value(value[i + 1]);
        if (high < 0 || low < 0) fail(column, "bytea holds a character that is not hex");
        scratch_[out] = static_cast<char>(high << 4 | low);
      }
      duckdb_vector_assign_string_element_len(vector, row, scratch_.data(), scratch_.size());
      return;
    }
    case TextCodec::kArray:
      break;
  }
  throw InternalError("nested array in the CSV decoder");
}

void PgCsvDecoder::store_array(ColumnState& state, const char* value, size_t length,
                               size_t column) {
  if (length < 2 || value[0] != '{' || value[length - 1] != '}') {
    if (length > 0 && value[0] == '[') {
      fail(column,
           "an array with explicit bounds has no LIST form; read it as text (\"col\"::text)");
    }
    fail(column, "malformed array literal");
  }
  auto* entries = static_cast<duckdb_list_entry*>(state.data);
  duckdb_vector child = duckdb_list_vector_get_child(state.vector);
  idx_t offset = duckdb_list_vector_get_size(state.vector);
  idx_t count = 0;
  size_t pos = 1;
  const size_t end = length - 1;
  if (end == 1) {
    entries[row_] = {offset, 0};
    return;
  }
  for (;;) {
    // One element: quoted ("a\"b"), or bare up to the next comma (NULL is bare).
    bool quoted = false;
    element_.clear();
    if (pos < end && value[pos] == '{') {
      fail(column, "a multi-dimensional array has no LIST form; read it as text (\"col\"::text)");
    }
    if (pos < end && value[pos] == '"') {
      quoted = true;
      ++pos;
      while (pos < end && value[pos] != '"') {
        if (value[pos] == '\\' && pos + 1 < end) ++pos;
        element_ += value[pos++];
      }
      if (pos >= end) fail(column, "malformed array literal: unterminated quote");
      ++pos;
    } else {
      while (pos < end && value[pos] != ',') {
        if (value[pos] == '\\' && pos + 1 < end) ++pos;
        element_ += value[pos++];
      }
    }
    idx_t slot = offset + count;
    duckdb_list_vector_reserve(state.vector, slot + 1);
    duckdb_vector_ensure_validity_writable(child);
    uint64_t* child_validity = duckdb_vector_get_validity(child);
    if (!quoted && is_null_word(element_.data(), element_.size())) {
      duckdb_validity_set_row_invalid(child_validity, slot);
    } else {
      duckdb_validity_set_row_valid(child_validity, slot);
      store_scalar(state.plan.element_codec, child, slot, element_.data(), element_.size(), column);
    }
    ++count;
    duckdb_list_vector_set_size(state.vector, offset + count);
    if (pos >= end) break;
    if (value[pos] != ',') fail(column, "malformed array literal: expected a comma");
    ++pos;
  }
  entries[row_] = {offset, count};
}

PgPipeReader::PgPipeReader(const ChildOptions& child, TableSchema schema, std::string label)
    : schema_(std::move(schema)), label_(std::move(label)), decoder_({}, {}, "", true) {
  for (const auto& column : schema_.columns) columns_.push_back(plan_pipe_column(column.type));
  decoder_ = PgCsvDecoder(columns_, schema_.names(), label_, true);
  buffer_.resize(kReadSize);
  child_ = std::make_unique<ChildProcess>(child);
}

PgPipeReader::~PgPipeReader() = default;

std::vector<Type> PgPipeReader::wire_types() const {
  std::vector<Type> types;
  for (const auto& column : columns_) types.push_back(column.wire);
  return types;
}

bool PgPipeReader::next(duckdb_data_chunk out) {
  if (done_) {
    duckdb_data_chunk_set_size(out, 0);
    return false;
  }
  decoder_.begin_chunk(out);
  while (!decoder_.full()) {
    if (offset_ == filled_) {
      check_interrupted();
      filled_ = child_->read(buffer_.data(), buffer_.size());
      offset_ = 0;
      if (filled_ == 0) {
        child_->check_success("reading " + label_ + " through psql");
        decoder_.finish();
        done_ = true;
        break;
      }
      bytes_ += filled_;
    }
    offset_ += decoder_.consume(buffer_.data() + offset_, filled_ - offset_);
  }
  duckdb_data_chunk_set_size(out, decoder_.rows());
  return decoder_.rows() > 0;
}

}  // namespace dvt::pg
