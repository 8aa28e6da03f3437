#include "connectors/clickhouse/ch_reader.h"

#include <cstring>

#include <fmt/format.h>

#include "core/error.h"
#include "core/interrupt.h"

namespace dvt::ch {
namespace {

constexpr size_t kBufferBytes = size_t{1} << 20;

std::vector<std::string> names_of(const TableSchema& schema) {
  return schema.names();
}

}  // namespace

ChReader::ChReader(std::unique_ptr<ChSession> session, const std::string& select_sql,
                   TableSchema schema, std::vector<ChType> wires, bool with_header,
                   std::string label)
    : session_(std::move(session)),
      schema_(std::move(schema)),
      wires_(std::move(wires)),
      decoder_(wires_, schema_.types(), names_of(schema_), label),
      label_(std::move(label)),
      buffer_(kBufferBytes),
      header_pending_(with_header) {
  std::string format = with_header ? "RowBinaryWithNamesAndTypes" : "RowBinary";
  source_ = session_->open_query(fmt::format("{} FORMAT {}", select_sql, format));
}

bool ChReader::fill() {
  if (exhausted_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  // Only a single row larger than the buffer makes it grow.
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  size_t got = source_->read(buffer_.data() + end_, buffer_.size() - end_);
  if (got == 0) {
    exhausted_ = true;
    return false;
  }
  end_ += got;
  bytes_ += got;
  return true;
}

void ChReader::read_header() {
  while (true) {
    const char* p = buffer_.data() + begin_;
    const char* end = buffer_.data() + end_;
    uint64_t count = 0;
    std::vector<std::string> fields;
    bool complete = read_varuint(&p, end, &count);
    if (complete && count != schema_.columns.size()) {
      throw DataError(
          fmt::format("{}: the server sent {} columns, dvt expected {}; did the table change?",
                      label_, count, schema_.columns.size()));
    }
    for (uint64_t i = 0; complete && i < 2 * count; ++i) {
      uint64_t length = 0;
      complete = read_varuint(&p, end, &length) && length <= static_cast<uint64_t>(end - p);
      if (complete) {
        fields.emplace_back(p, length);
        p += length;
      }
    }
    if (complete) {
      for (size_t i = 0; i < count; ++i) {
        if (fields[i] != schema_.columns[i].name || fields[count + i] != wires_[i].spelling) {
          throw DataError(fmt::format(
              "{}: the server sends column {} as \"{}\" {}, dvt expected \"{}\" {}; did the "
              "table change while it was read?",
              label_, i + 1, fields[i], fields[count + i], schema_.columns[i].name,
              wires_[i].spelling));
        }
      }
      begin_ = static_cast<size_t>(p - buffer_.data());
      header_pending_ = false;
      return;
    }
    if (!fill()) throw DataError(fmt::format("{}: the result ended inside its header", label_));
  }
}

bool ChReader::next(duckdb_data_chunk out) {
  if (done_) return false;
  check_interrupted();
  try {
    if (header_pending_) read_header();
    decoder_.begin_chunk(out);
    while (!decoder_.full()) {
      begin_ += decoder_.consume(buffer_.data() + begin_, end_ - begin_);
      if (decoder_.full()) break;
      if (!fill()) {
        if (begin_ != end_) {
          throw DataError(fmt::format("{}: the result ended inside row {} ({} bytes left)", label_,
                                      decoder_.rows_decoded() + 1, end_ - begin_));
        }
        done_ = true;
        break;
      }
    }
  } catch (const DataError&) {
    // A server that fails while streaming appends its error text to the
    // output, which then reads as malformed rows: let the source, which
    // recognizes that text (or the client's exit status), report it.
    char scratch[64 * 1024];
    for (size_t drained = 0; !exhausted_ && drained < (size_t{4} << 20);) {
      size_t got = source_->read(scratch, sizeof(scratch));
      if (got == 0) break;
      drained += got;
    }
    throw;
  }
  duckdb_data_chunk_set_size(out, decoder_.rows());
  return decoder_.rows() > 0;
}

}  // namespace dvt::ch
