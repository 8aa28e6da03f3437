#include "connectors/mysql/mysql_reader.h"

#include <fmt/format.h>
#include <signal.h>

#include <charconv>
#include <cstring>
#include <map>
#include <mutex>

#include "connectors/mysql/mysql_text.h"
#include "connectors/pipe/tool_probe.h"
#include "connectors/registry.h"
#include "core/error.h"
#include "core/log.h"
#include "core/utf8.h"
#include "engine/decimal_values.h"

namespace dvt::mysql {
namespace {

template <typename T>
bool parse_integer(const char* data, size_t size, T& out) {
  auto [end, error] = std::from_chars(data, data + size, out);
  return error == std::errc() && end == data + size;
}

// A value for an error message: at most 64 bytes, non-printable bytes as \xNN.
std::string printable(const char* data, size_t size) {
  std::string out;
  for (size_t i = 0; i < size && i < 64; ++i) {
    auto c = static_cast<unsigned char>(data[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (size > 64) out += "...";
  return out;
}

// A chunk ends early once its values reach this size, so rows of large
// values (documents, blobs) keep memory bounded by bytes, not only by rows.
// Up to six chunks are alive at once (four waiting in the PrefetchReader,
// one being filled, one in the engine), so 2 MiB keeps the reader's share
// near 12 MiB; rows of the usual width never reach it (2048 rows of 1 KiB).
// Measured on 200 rows of 3 MB, extract peak RSS: 146 MB at 2 MiB, 171 MB at
// 4 MiB, 190-220 MB at 8 MiB (Parquet row groups at 32 MB); the time did
// not change. The pipe reader counts bytes as it reads them from the client,
// so its chunks may run up to one read buffer past the limit.
constexpr uint64_t kChunkBytes = 2 << 20;

// The value mysql_stmt_fetch wrote at the start of a binding's fixed buffer.
template <typename T>
T fixed(const auto& binding) {
  T value;
  std::memcpy(&value, &binding.fixed, sizeof(T));
  return value;
}

int32_t days_since_epoch(const CivilDate& date) {
  duckdb_date_struct parts{date.year, static_cast<int8_t>(date.month),
                           static_cast<int8_t>(date.day)};
  return duckdb_to_date(parts).days;
}

}  // namespace

MysqlRowDecoder::MysqlRowDecoder(const TableSchema& schema, std::vector<MysqlColumnType> columns,
                                 ZeroDates zero_dates, std::string label)
    : schema_(schema),
      columns_(std::move(columns)),
      slots_(columns_.size()),
      zero_dates_seen_(columns_.size(), 0),
      zero_dates_(zero_dates),
      label_(std::move(label)) {
  if (schema_.columns.size() != columns_.size()) {
    throw InternalError("MySQL decoder: schema and column types differ in length");
  }
}

void MysqlRowDecoder::begin(duckdb_data_chunk out) {
  for (size_t c = 0; c < slots_.size(); ++c) {
    Slot& slot = slots_[c];
    slot.vector = duckdb_data_chunk_get_vector(out, c);
    duckdb_vector_ensure_validity_writable(slot.vector);
    slot.validity = duckdb_vector_get_validity(slot.vector);
    slot.data = duckdb_vector_get_data(slot.vector);
  }
}

void MysqlRowDecoder::reject(size_t column, const char* data, size_t size, const char* why) const {
  const Column& col = schema_.columns[column];
  throw DataError(fmt::format("{}: row {} column \"{}\" ({}, read as {}): value '{}' {}", label_,
                              row_number_, col.name, col.source_type, col.type.sql(),
                              printable(data, size), why));
}

bool MysqlRowDecoder::zero_date(size_t column, idx_t row, const char* data, size_t size) {
  if (zero_dates_ == ZeroDates::kError) {
    reject(column, data, size,
           "is a zero date (a zero month or day), which no calendar has; set `zero_dates: null` "
           "on the output to read such values as NULL (they are counted in the summary)");
  }
  ++zero_dates_seen_[column];
  set_null(column, row);
  return true;
}

void MysqlRowDecoder::set_value(size_t column, idx_t row, const char* data, size_t size) {
  Slot& slot = slots_[column];
  const MysqlColumnType& type = columns_[column];
  switch (type.decode) {
    case Decode::kInt8:
      if (!parse_integer(data, size, static_cast<int8_t*>(slot.data)[row])) break;
      return;
    case Decode::kInt16:
      if (!parse_integer(data, size, static_cast<int16_t*>(slot.data)[row])) break;
      return;
    case Decode::kInt32:
      if (!parse_integer(data, size, static_cast<int32_t*>(slot.data)[row])) break;
      return;
    case Decode::kInt64:
      if (!parse_integer(data, size, static_cast<int64_t*>(slot.data)[row])) break;
      return;
    case Decode::kUInt8:
      if (!parse_integer(data, size, static_cast<uint8_t*>(slot.data)[row])) break;
      return;
    case Decode::kUInt16:
      if (!parse_integer(data, size, static_cast<uint16_t*>(slot.data)[row])) break;
      return;
    case Decode::kUInt32:
      if (!parse_integer(data, size, static_cast<uint32_t*>(slot.data)[row])) break;
      return;
    case Decode::kUInt64:
      if (!parse_integer(data, size, static_cast<uint64_t*>(slot.data)[row])) break;
      return;
    case Decode::kBoolean:
      if (size == 1 && (data[0] == '0' || data[0] == '1')) {
        static_cast<bool*>(slot.data)[row] = data[0] == '1';
        return;
      }
      reject(column, data, size,
             "is not 0 or 1, so this TINYINT(1) is not a boolean; set `tinyint1_as_boolean: "
             "false` on the output to read it as TINYINT");
    case Decode::kFloat: {
      // The float's exact value printed as a double (native_select_expression).
      double value = 0;
      auto [end, error] = std::from_chars(data, data + size, value);
      if (error != std::errc() || end != data + size) break;
      static_cast<float*>(slot.data)[row] = static_cast<float>(value);
      return;
    }
    case Decode::kDouble: {
      auto [end, error] = std::from_chars(data, data + size, static_cast<double*>(slot.data)[row]);
      if (error != std::errc() || end != data + size) break;
      return;
    }
    case Decode::kDecimal: {
      __int128 unscaled = 0;
      const Type& decimal = schema_.columns[column].type;
      if (!parse_decimal(std::string_view(data, size), decimal.width, decimal.scale, unscaled)) {
        break;
      }
      set_unscaled(decimal_storage(decimal.width), slot.data, row, unscaled);
      return;
    }
    case Decode::kTimeText:
    case Decode::kText:
      if (!is_valid_utf8(data, size)) {
        reject(column, data, size,
               "is not valid UTF-8 (the connection charset is utf8mb4, so the server sent bytes "
               "it could not convert); select it CAST AS BINARY to read its bytes");
      }
      duckdb_vector_assign_string_element_len(slot.vector, row, data, size);
      return;
    case Decode::kBlob:
      duckdb_vector_assign_string_element_len(slot.vector, row, data, size);
      return;
    case Decode::kBit: {
      if (size > 8) break;
      uint64_t value = 0;
      for (size_t i = 0; i < size; ++i) value = (value << 8) | static_cast<unsigned char>(data[i]);
      static_cast<uint64_t*>(slot.data)[row] = value;
      return;
    }
    case Decode::kDate: {
      CivilDate date;
      if (!parse_date(std::string_view(data, size), date)) break;
      if (is_zero_in_date(date)) {
        zero_date(column, row, data, size);
        return;
      }
      if (!is_real_date(date)) break;
      static_cast<int32_t*>(slot.data)[row] = days_since_epoch(date);
      return;
    }
    case Decode::kDateTime:
    case Decode::kTimestamp: {
      CivilDate date;
      int64_t micros = 0;
      if (!parse_datetime(std::string_view(data, size), date, micros)) break;
      if (is_zero_in_date(date)) {
        zero_date(column, row, data, size);
        return;
      }
      if (!is_real_date(date)) break;
      static_cast<int64_t*>(slot.data)[row] =
          static_cast<int64_t>(days_since_epoch(date)) * kMicrosPerDay + micros;
      return;
    }
    case Decode::kTime: {
      int64_t micros = 0;
      if (!parse_time(std::string_view(data, size), micros)) break;
      if (micros < 0 || micros > kMicrosPerDay) {
        reject(column, data, size,
               "is outside a day, which a DuckDB TIME cannot hold; set `time_type: text` on the "
               "output to read TIME as its exact text");
      }
      static_cast<int64_t*>(slot.data)[row] = micros;
      return;
    }
    case Decode::kNull:
      break;
  }
  reject(column, data, size, "is not a value of this type");
}

void MysqlRowDecoder::set_time(size_t column, idx_t row, const MYSQL_TIME& time) {
  const Decode decode = columns_[column].decode;
  if (decode == Decode::kTime || decode == Decode::kTimeText) {
    int64_t micros = ((static_cast<int64_t>(time.day) * 24 + time.hour) * 3600 + time.minute * 60 +
                      time.second) *
                         kMicrosPerSecond +
                     static_cast<int64_t>(time.second_part);
    if (time.neg) micros = -micros;
    char text[24];
    char* end = format_time_digits(text, micros, columns_[column].fraction_digits);
    if (decode == Decode::kTimeText) {
      duckdb_vector_assign_string_element_len(slots_[column].vector, row, text,
                                              static_cast<idx_t>(end - text));
      return;
    }
    set_value(column, row, text, static_cast<size_t>(end - text));
    return;
  }
  CivilDate date{static_cast<int32_t>(time.year), static_cast<int32_t>(time.month),
                 static_cast<int32_t>(time.day)};
  int64_t micros_of_day =
      ((static_cast<int64_t>(time.hour) * 60 + time.minute) * 60 + time.second) * kMicrosPerSecond +
      static_cast<int64_t>(time.second_part);
  if (decode != Decode::kDate && decode != Decode::kDateTime && decode != Decode::kTimestamp) {
    throw InternalError("MySQL decoder: a temporal value for a non-temporal column");
  }
  if (is_zero_in_date(date) || !is_real_date(date) || time.year > 9999 || time.hour > 23 ||
      time.minute > 59 || time.second > 59 || time.second_part > 999999) {
    // Rare: let the text path apply the zero-date rule and word the error.
    char text[40];
    char* end = format_date(text, date);
    if (decode != Decode::kDate) {
      *end++ = ' ';
      end = format_time_digits(end, micros_of_day, time.second_part ? 6 : 0);
    }
    set_value(column, row, text, static_cast<size_t>(end - text));
    return;
  }
  int64_t days = days_since_epoch(date);
  if (decode == Decode::kDate) {
    static_cast<int32_t*>(slots_[column].data)[row] = static_cast<int32_t>(days);
  } else {
    static_cast<int64_t*>(slots_[column].data)[row] = days * kMicrosPerDay + micros_of_day;
  }
}

std::vector<std::string> MysqlRowDecoder::warnings() const {
  std::vector<std::string> out;
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (zero_dates_seen_[c] == 0) continue;
    out.push_back(fmt::format(
        "{}: column \"{}\": {} zero date{} (a zero month or day, such as '0000-00-00') read as "
        "NULL (zero_dates: null; see docs/mysql.md#zero-dates)",
        label_, schema_.columns[c].name, zero_dates_seen_[c], zero_dates_seen_[c] == 1 ? "" : "s"));
  }
  return out;
}

MysqlNativeReader::MysqlNativeReader(std::unique_ptr<MysqlConnection> connection, std::string sql,
                                     TableSchema schema, std::vector<MysqlColumnType> columns,
                                     std::string label)
    : connection_(std::move(connection)),
      sql_(std::move(sql)),
      schema_(std::move(schema)),
      columns_(columns),
      decoder_(schema_, std::move(columns), connection_->settings().zero_dates, label),
      label_(std::move(label)) {}

MysqlNativeReader::~MysqlNativeReader() {
  if (statement_ && !done_) {
    // Unread rows would otherwise be drained off the socket by mysql_stmt_close.
    connection_->cancel();
  }
  statement_.reset();
}

void MysqlNativeReader::raise_statement(const std::string& doing) const {
  throw DataError(fmt::format("{} on {}: {} (MySQL error {})", doing,
                              connection_->settings().label(),
                              Logger::instance().redact(mysql_stmt_error(statement_->get())),
                              mysql_stmt_errno(statement_->get())));
}

void MysqlNativeReader::start() {
  started_ = true;
  log_debug("mysql.read", fmt::format("{}: {}", label_, sql_));
  statement_ = std::make_unique<MysqlStatement>(*connection_);
  MYSQL_STMT* statement = statement_->get();
  if (mysql_stmt_prepare(statement, sql_.data(), sql_.size()) != 0) {
    raise_statement(fmt::format("preparing the read of {} ('{}')", label_, sql_));
  }
  if (mysql_stmt_field_count(statement) != schema_.columns.size()) {
    throw InternalError(fmt::format("{}: the query returns {} columns, {} were described", label_,
                                    mysql_stmt_field_count(statement), schema_.columns.size()));
  }
  // No cursor and no mysql_stmt_store_result: rows stay on the socket until
  // mysql_stmt_fetch reads them, one at a time.
  if (mysql_stmt_execute(statement) != 0) raise_statement(fmt::format("reading {}", label_));
  bind();
}

void MysqlNativeReader::bind() {
  const size_t count = columns_.size();
  binds_.assign(count, MYSQL_BIND{});
  bindings_.resize(count);
  byte_columns_.clear();
  for (size_t c = 0; c < count; ++c) {
    MYSQL_BIND& bind = binds_[c];
    Binding& binding = bindings_[c];
    bind.length = &binding.length;
    bind.is_null = &binding.is_null;
    bind.error = &binding.error;
    bind.buffer = &binding.fixed;
    switch (columns_[c].decode) {
      case Decode::kInt8:
      case Decode::kUInt8:
      case Decode::kBoolean:
        bind.buffer_type = MYSQL_TYPE_TINY;
        break;
      case Decode::kInt16:
      case Decode::kUInt16:
        bind.buffer_type = MYSQL_TYPE_SHORT;
        break;
      case Decode::kInt32:
      case Decode::kUInt32:
        bind.buffer_type = MYSQL_TYPE_LONG;
        break;
      case Decode::kInt64:
      case Decode::kUInt64:
        bind.buffer_type = MYSQL_TYPE_LONGLONG;
        break;
      case Decode::kFloat:
        bind.buffer_type = MYSQL_TYPE_FLOAT;
        break;
      case Decode::kDouble:
        bind.buffer_type = MYSQL_TYPE_DOUBLE;
        break;
      case Decode::kDate:
        bind.buffer_type = MYSQL_TYPE_DATE;
        break;
      case Decode::kDateTime:
      case Decode::kTimestamp:
        bind.buffer_type = MYSQL_TYPE_DATETIME;
        break;
      case Decode::kTime:
      case Decode::kTimeText:
        bind.buffer_type = MYSQL_TYPE_TIME;
        break;
      case Decode::kDecimal:
      case Decode::kText:
      case Decode::kBlob:
      case Decode::kBit:
      case Decode::kNull:
        // Bytes as they are: decimals as their exact text, bits big-endian.
        bind.buffer_type = MYSQL_TYPE_BLOB;
        byte_columns_.push_back(c);
        if (binding.bytes.empty()) binding.bytes.resize(256);
        bind.buffer = binding.bytes.data();
        bind.buffer_length = binding.bytes.size();
        break;
    }
    bind.is_unsigned =
        columns_[c].decode == Decode::kUInt8 || columns_[c].decode == Decode::kUInt16 ||
        columns_[c].decode == Decode::kUInt32 || columns_[c].decode == Decode::kUInt64;
  }
  if (mysql_stmt_bind_result(statement_->get(), binds_.data()) != 0) {
    raise_statement(fmt::format("binding the columns of {}", label_));
  }
}

void MysqlNativeReader::decode_row(idx_t row) {
  for (size_t c = 0; c < columns_.size(); ++c) {
    const Binding& binding = bindings_[c];
    if (binding.is_null) {
      decoder_.set_null(c, row);
      continue;
    }
    bytes_ += binding.length;
    switch (columns_[c].decode) {
      case Decode::kInt8:
        decoder_.set_fixed(c, row, fixed<int8_t>(binding));
        break;
      case Decode::kUInt8:
        decoder_.set_fixed(c, row, fixed<uint8_t>(binding));
        break;
      case Decode::kBoolean: {
        auto value = fixed<int8_t>(binding);
        if (value == 0 || value == 1) {
          decoder_.set_fixed(c, row, value == 1);
        } else {
          std::string digits = std::to_string(value);
          decoder_.set_value(c, row, digits.data(), digits.size());  // words the error
        }
        break;
      }
      case Decode::kInt16:
        decoder_.set_fixed(c, row, fixed<int16_t>(binding));
        break;
      case Decode::kUInt16:
        decoder_.set_fixed(c, row, fixed<uint16_t>(binding));
        break;
      case Decode::kInt32:
        decoder_.set_fixed(c, row, fixed<int32_t>(binding));
        break;
      case Decode::kUInt32:
        decoder_.set_fixed(c, row, fixed<uint32_t>(binding));
        break;
      case Decode::kInt64:
        decoder_.set_fixed(c, row, fixed<int64_t>(binding));
        break;
      case Decode::kUInt64:
        decoder_.set_fixed(c, row, fixed<uint64_t>(binding));
        break;
      case Decode::kFloat:
        decoder_.set_fixed(c, row, fixed<float>(binding));
        break;
      case Decode::kDouble:
        decoder_.set_fixed(c, row, fixed<double>(binding));
        break;
      case Decode::kDate:
      case Decode::kDateTime:
      case Decode::kTimestamp:
      case Decode::kTime:
      case Decode::kTimeText:
        decoder_.set_time(c, row, binding.fixed.time);
        break;
      case Decode::kDecimal:
      case Decode::kText:
      case Decode::kBlob:
      case Decode::kBit:
      case Decode::kNull:
        decoder_.set_value(c, row, binding.bytes.data(), binding.length);
        break;
    }
  }
}

bool MysqlNativeReader::next(duckdb_data_chunk out) {
  if (done_) return false;
  if (!started_) start();
  decoder_.begin(out);
  const idx_t capacity = duckdb_vector_size();
  MYSQL_STMT* statement = statement_->get();
  const uint64_t chunk_start = bytes_;
  idx_t row = 0;
  while (row < capacity && bytes_ - chunk_start < kChunkBytes) {
    int status = mysql_stmt_fetch(statement);
    if (status == MYSQL_NO_DATA) {
      done_ = true;
      statement_.reset();
      break;
    }
    if (status == 1) raise_statement(fmt::format("reading {} after {} rows", label_, rows_));
    // A value longer than its buffer (MYSQL_DATA_TRUNCATED): grow the
    // buffer, fetch the value again, and keep the bigger buffer for the rows
    // that follow. Checked per column, whatever the status says.
    bool rebind = false;
    for (size_t c : byte_columns_) {
      Binding& binding = bindings_[c];
      if (binding.is_null || binding.length <= binds_[c].buffer_length) continue;
      binding.bytes.resize(std::max<size_t>(binding.length, binding.bytes.size() * 2));
      binds_[c].buffer = binding.bytes.data();
      binds_[c].buffer_length = binding.bytes.size();
      if (mysql_stmt_fetch_column(statement, &binds_[c], static_cast<unsigned>(c), 0) != 0) {
        raise_statement(fmt::format("reading a long value of {}", label_));
      }
      rebind = true;
    }
    if (rebind && mysql_stmt_bind_result(statement, binds_.data()) != 0) {
      raise_statement(fmt::format("binding the columns of {}", label_));
    }
    decoder_.set_row_number(++rows_);
    decode_row(row);
    ++row;
  }
  duckdb_data_chunk_set_size(out, row);
  if (done_) {
    for (const auto& warning : decoder_.warnings()) log_warn("mysql.zero_dates", warning);
  }
  return row > 0;
}

namespace {

// True when `tool` is MariaDB's client (its options differ from Oracle's for TLS).
bool client_is_mariadb(const std::string& tool) {
  if (tool.find("mariadb") != std::string::npos) return true;
  static std::mutex mutex;
  static std::map<std::string, bool> known;
  std::lock_guard lock(mutex);
  auto found = known.find(tool);
  if (found != known.end()) return found->second;
  bool mariadb = false;
  try {
    ChildProcess version(ChildOptions{{tool, "--version"}, {}, false, true});
    std::string text;
    char buffer[512];
    while (size_t got = version.read(buffer, sizeof(buffer))) text.append(buffer, got);
    version.wait();
    mariadb = text.find("MariaDB") != std::string::npos;
  } catch (const Error&) {
  }
  known[tool] = mariadb;
  return mariadb;
}

}  // namespace

ChildOptions client_command(const MysqlSettings& settings, const std::string& sql,
                            const std::vector<std::string>& extra) {
  // The registry's first client that answers its version (mysql, then mariadb).
  std::string tool = require_pipe_tool(*find_adapter("mysql"), settings.output_name).command[0];
  ChildOptions options;
  // --no-defaults: a ~/.my.cnf must not change the output format or target.
  options.argv = {tool,
                  "--no-defaults",
                  "--default-character-set=" + settings.charset,
                  "--host=" + settings.host,
                  "--port=" + std::to_string(settings.port),
                  "--user=" + settings.user};
  if (!settings.unix_socket.empty()) options.argv.push_back("--socket=" + settings.unix_socket);
  if (client_is_mariadb(tool)) {
    if (settings.ssl_mode == "disabled") options.argv.push_back("--skip-ssl");
    if (settings.ssl_mode == "required") options.argv.push_back("--ssl");
    if (settings.ssl_mode == "verify_ca" || settings.ssl_mode == "verify_identity") {
      options.argv.push_back("--ssl");
      options.argv.push_back("--ssl-verify-server-cert");
    }
  } else {
    std::string mode = settings.ssl_mode;
    for (auto& c : mode) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    options.argv.push_back("--ssl-mode=" + mode);
  }
  if (!settings.ssl_ca.empty()) options.argv.push_back("--ssl-ca=" + settings.ssl_ca);
  if (!settings.ssl_cert.empty()) options.argv.push_back("--ssl-cert=" + settings.ssl_cert);
  if (!settings.ssl_key.empty()) options.argv.push_back("--ssl-key=" + settings.ssl_key);
  if (!settings.database.empty()) options.argv.push_back("--database=" + settings.database);
  options.argv.insert(options.argv.end(), extra.begin(), extra.end());
  options.argv.push_back("--execute=" + sql);
  // The password reaches the child through its own environment only.
  if (!settings.password.empty()) options.environment.emplace_back("MYSQL_PWD", settings.password);
  return options;
}

MysqlPipeReader::MysqlPipeReader(const MysqlSettings& settings, std::string sql, TableSchema schema,
                                 std::vector<MysqlColumnType> columns, std::vector<bool> marked,
                                 std::string label)
    : settings_(settings),
      sql_(std::move(sql)),
      schema_(std::move(schema)),
      columns_(columns),
      marked_(std::move(marked)),
      decoder_(schema_, std::move(columns), settings.zero_dates, label),
      label_(std::move(label)),
      buffer_(1 << 20) {
  for (size_t c = 0; c < columns_.size(); ++c) {
    // Unmarked text of a NOT NULL column may be the word NULL itself.
    null_word_is_null_.push_back(marked_[c] ||
                                 (schema_.columns[c].nullable && !pipe_needs_marker(columns_[c])));
  }
}

bool MysqlPipeReader::next_line(char*& line, size_t& size) {
  size_t scanned = begin_;
  for (;;) {
    if (auto* newline =
            static_cast<char*>(std::memchr(buffer_.data() + scanned, '\n', end_ - scanned))) {
      line = buffer_.data() + begin_;
      size = static_cast<size_t>(newline - line);
      begin_ += size + 1;
      return true;
    }
    if (eof_) {
      if (begin_ != end_) {
        throw DataError(
            fmt::format("{}: the client's output ended in the middle of a row", label_));
      }
      return false;
    }
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    scanned = end_;
    if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);  // one very long value
    size_t got = child_->read(buffer_.data() + end_, buffer_.size() - end_);
    if (got == 0) {
      eof_ = true;
    } else {
      end_ += got;
      bytes_ += got;
    }
  }
}

void MysqlPipeReader::decode_line(char* line, size_t size, idx_t row) {
  const size_t column_count = columns_.size();
  char* field = line;
  char* end = line + size;
  for (size_t c = 0; c < column_count; ++c) {
    char* tab =
        c + 1 < column_count ? static_cast<char*>(std::memchr(field, '\t', end - field)) : end;
    if (!tab || (c + 1 == column_count && std::memchr(field, '\t', end - field))) {
      throw DataError(fmt::format("{}: row {} of the client's output does not have {} fields",
                                  label_, rows_, column_count));
    }
    size_t length = static_cast<size_t>(tab - field);
    if (null_word_is_null_[c] && length == 4 && std::memcmp(field, "NULL", 4) == 0) {
      decoder_.set_null(c, row);
    } else {
      char* value = field;
      if (marked_[c]) {
        if (length == 0 || value[0] != 'V') {
          throw InternalError(fmt::format("{}: row {} column \"{}\" lacks its value marker", label_,
                                          rows_, schema_.columns[c].name));
        }
        ++value;
        --length;
      }
      length = unescape_batch_field(value, length);
      decoder_.set_value(c, row, value, length);
    }
    field = tab + 1;
  }
}

void MysqlPipeReader::cancel() noexcept {
  std::lock_guard lock(child_mutex_);
  if (child_pid_ > 0) ::kill(child_pid_, SIGTERM);
}

bool MysqlPipeReader::next(duckdb_data_chunk out) {
  if (done_) return false;
  if (!child_) {
    log_debug("mysql.read", fmt::format("{} (pipe): {}", label_, sql_));
    child_ = std::make_unique<ChildProcess>(
        client_command(settings_, "SET time_zone = '+00:00'; " + sql_,
                       {"--batch", "--quick", "--skip-column-names"}));
    std::lock_guard lock(child_mutex_);
    child_pid_ = child_->pid();
  }
  decoder_.begin(out);
  const idx_t capacity = duckdb_vector_size();
  const uint64_t chunk_start = bytes_;
  idx_t row = 0;
  char* line = nullptr;
  size_t size = 0;
  while (row < capacity && bytes_ - chunk_start < kChunkBytes) {
    if (!next_line(line, size)) {
      {
        std::lock_guard lock(child_mutex_);
        child_pid_ = -1;  // about to be reaped
      }
      child_->check_success(fmt::format("reading {}", label_));
      done_ = true;
      for (const auto& warning : decoder_.warnings()) log_warn("mysql.zero_dates", warning);
      break;
    }
    decoder_.set_row_number(++rows_);
    decode_line(line, size, row);
    ++row;
  }
  duckdb_data_chunk_set_size(out, row);
  return row > 0;
}

}  // namespace dvt::mysql
