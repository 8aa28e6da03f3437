#include "connectors/odbc/odbc_writer.h"

#include <fmt/format.h>

#include <cstring>

#include "connectors/odbc/odbc_catalog.h"
#include "connectors/odbc/odbc_load_plan.h"
#include "connectors/odbc/odbc_text.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "engine/chunk_columns.h"

namespace dvt::odbc {

namespace {

// The parameter buffers of one execution: rows of the usual width go 2048
// to an execution, rows of long values fewer, so the buffers stay near this.
constexpr size_t kParameterBytes = 8 << 20;

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;

// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's
// civil_from_days).
void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2);
}

bool is_variable(const ParameterType& type) {
  return type.value_bytes == 0;
}

}  // namespace

std::optional<uint64_t> OdbcSession::execute(const std::string& sql) {
  if (sql == dialect_.begin_transaction()) {
    connection_.begin();
    return std::nullopt;
  }
  if (sql == dialect_.commit()) {
    connection_.commit();
    return std::nullopt;
  }
  if (sql == dialect_.rollback()) {
    connection_.rollback();
    return std::nullopt;
  }
  return connection_.execute(sql);
}

std::vector<std::vector<std::optional<std::string>>> OdbcSession::rows(const std::string& sql) {
  return connection_.rows(sql);
}

void OdbcSession::execute_quietly(const std::string& sql) noexcept {
  try {
    if (sql == dialect_.rollback()) {
      connection_.rollback();
      return;
    }
    Handle statement = connection_.statement();
    connection_.exec_direct(statement.get(), sql);
  } catch (...) {
  }
}

OdbcWriter::OdbcWriter(std::unique_ptr<OdbcConnection> connection, const Dialect& dialect,
                       const LoadRequest& request, const TableSchema& incoming, std::string label)
    : connection_(std::move(connection)),
      dialect_(dialect),
      session_(*connection_, dialect_),
      label_(std::move(label)),
      incoming_(incoming),
      request_schema_(request.table.schema),
      request_table_(request.table.name) {
  const bool wide = connection_->settings().text == TextMode::kWide;
  const bool timestamps_as_text = connection_->profile().timestamps_as_text;
  for (const auto& column : incoming.columns) {
    Slot slot;
    bool timestamp = writer_wire_type(column.type).id == DUCKDB_TYPE_TIMESTAMP ||
                     column.type.id == DUCKDB_TYPE_TIMESTAMP_TZ;
    if (timestamps_as_text && timestamp) {
      wire_.push_back(Type(DUCKDB_TYPE_VARCHAR));
      slot.type = ParameterType{SQL_C_CHAR, SQL_VARCHAR, 0, 0, 0};
    } else {
      wire_.push_back(writer_wire_type(column.type));
      slot.type = parameter_type(column.type, wide);
    }
    slot.width = is_variable(slot.type) ? 8 : slot.type.value_bytes;
    slots_.push_back(slot);
  }
  TargetTable target = target_table(*connection_, dialect_, request.table, label_);
  check_incoming_columns(request, target, incoming, dialect_);
  runner_ = std::make_unique<LoadRunner>(session_, plan_load(dialect_, request, target, incoming),
                                         label_);
  runner_->begin();
  if (connection_->profile().array_insert) {
    prepare_arrays(target.exists && !request.full_refresh ? target : TargetTable{}, incoming);
    return;
  }
  // Every database here takes at least 32766 parameters a statement.
  rows_per_insert_ = connection_->profile().rows_per_insert;
  while (rows_per_insert_ > 1 && rows_per_insert_ * std::max<size_t>(slots_.size(), 1) > 32000)
    rows_per_insert_ /= 2;
  status_.resize(duckdb_vector_size());
  column_wise_ = rows_per_insert_ == 1 && connection_->profile().parameter_arrays;
  if (rows_per_insert_ > 1) multi_ = prepare(rows_per_insert_);
  single_ = prepare(1);
}

OdbcWriter::~OdbcWriter() {
  abort();
}

OdbcWriter::Insert OdbcWriter::prepare(size_t rows) {
  std::string names, row;
  for (size_t i = 0; i < incoming_.columns.size(); ++i) {
    names += (i ? ", " : "") + dialect_.quote(incoming_.columns[i].name);
    row += i ? ", ?" : "?";
  }
  std::string values;
  for (size_t r = 0; r < rows; ++r) values += (r ? ", (" : "(") + row + ")";
  std::string sql =
      fmt::format("INSERT INTO {} ({}) VALUES {}", runner_->rows_into(), names, values);
  Insert insert;
  insert.rows_per_set = rows;
  insert.statement = connection_->statement();
  SQLHSTMT statement = insert.statement.get();
  check(connection_->prepare(statement, sql), insert.statement,
        fmt::format("{}: preparing the INSERT of {} rows", label_, rows));
  std::string doing = fmt::format("{}: setting up parameter arrays", label_);
  check(SQLSetStmtAttr(statement, SQL_ATTR_PARAM_STATUS_PTR, status_.data(), 0), insert.statement,
        doing);
  check(SQLSetStmtAttr(statement, SQL_ATTR_PARAMS_PROCESSED_PTR, &processed_, 0), insert.statement,
        doing);
  return insert;
}

void OdbcWriter::fit(duckdb_data_chunk chunk, size_t rows) {
  ChunkColumns columns(chunk, slots_.size());
  bool changed = false;
  for (size_t c = 0; c < slots_.size(); ++c) {
    Slot& slot = slots_[c];
    if (!is_variable(slot.type)) continue;
    auto* strings = static_cast<duckdb_string_t*>(columns.data(c));
    size_t widest = 0;
    for (size_t r = 0; r < rows; ++r) {
      if (!columns.is_null(c, r))
        widest = std::max<size_t>(widest, duckdb_string_t_length(strings[r]));
    }
    // UTF-16 takes at most two bytes for each byte of UTF-8, and a terminator.
    size_t need = slot.type.c_type == SQL_C_WCHAR  ? 2 * widest + 2
                  : slot.type.c_type == SQL_C_CHAR ? widest + 1
                                                   : widest;
    need = (need + 7) / 8 * 8;
    if (need > slot.width) {
      // Grown by half again at least, so a slowly growing column relays
      // the records a few times only.
      slot.width = std::max(need, slot.width + slot.width / 2);
      changed = true;
    }
  }
  if (!changed && stride_ != 0) return;
  // Row-wise, a record holds each value at an 8-byte aligned offset;
  // column-wise, each column's values and lengths are arrays of their own.
  size_t at = 0;
  for (auto& slot : slots_) at += (slot.width + 7) / 8 * 8 + sizeof(SQLLEN);
  stride_ = at;
  capacity_ = std::clamp<size_t>(kParameterBytes / stride_, 1, duckdb_vector_size());
  at = 0;
  for (auto& slot : slots_) {
    slot.offset = at;
    at += column_wise_ ? (slot.width * capacity_ + 7) / 8 * 8 : (slot.width + 7) / 8 * 8;
    slot.length_at = at;
    at += column_wise_ ? sizeof(SQLLEN) * capacity_ : sizeof(SQLLEN);
  }
  records_.assign(capacity_ * stride_, 0);
  multi_.bound = false;
  single_.bound = false;
}

char* OdbcWriter::value_at(size_t row, size_t column) {
  const Slot& slot = slots_[column];
  if (column_wise_) return records_.data() + slot.offset + row * slot.width;
  return records_.data() + row * stride_ + slot.offset;
}

SQLLEN* OdbcWriter::length_at(size_t row, size_t column) {
  const Slot& slot = slots_[column];
  if (column_wise_) return reinterpret_cast<SQLLEN*>(records_.data() + slot.length_at) + row;
  return reinterpret_cast<SQLLEN*>(records_.data() + row * stride_ + slot.length_at);
}

void OdbcWriter::bind(Insert& insert) {
  SQLHSTMT statement = insert.statement.get();
  std::string doing = fmt::format("{}: binding the INSERT's parameters", label_);
  SQLFreeStmt(statement, SQL_RESET_PARAMS);
  SQLULEN bind_type = column_wise_ ? SQL_PARAM_BIND_BY_COLUMN : insert.rows_per_set * stride_;
  check(SQLSetStmtAttr(statement, SQL_ATTR_PARAM_BIND_TYPE, reinterpret_cast<SQLPOINTER>(bind_type),
                       0),
        insert.statement, doing);
  check(SQLSetStmtAttr(statement, SQL_ATTR_PARAM_BIND_OFFSET_PTR, &insert.bind_offset, 0),
        insert.statement, doing);
  const size_t count = slots_.size();
  for (size_t k = 0; k < insert.rows_per_set; ++k) {
    for (size_t c = 0; c < count; ++c) {
      const Slot& slot = slots_[c];
      SQLULEN column_size = slot.type.column_size;
      SQLSMALLINT sql_type = slot.type.sql_type;
      if (column_size == 0) {
        column_size = slot.type.c_type == SQL_C_WCHAR ? slot.width / 2 : slot.width;
        // Past 4000 characters most databases want a long type.
        if (column_size > 4000) {
          sql_type = sql_type == SQL_WVARCHAR    ? SQL_WLONGVARCHAR
                     : sql_type == SQL_VARBINARY ? SQL_LONGVARBINARY
                                                 : SQL_LONGVARCHAR;
        }
      }
      check(
          SQLBindParameter(statement, static_cast<SQLUSMALLINT>(k * count + c + 1), SQL_PARAM_INPUT,
                           slot.type.c_type, sql_type, column_size, slot.type.decimal_digits,
                           value_at(k, c), static_cast<SQLLEN>(slot.width), length_at(k, c)),
          insert.statement, doing);
    }
  }
  insert.bound = true;
}

void OdbcWriter::prepare_arrays(const TargetTable& target, const TableSchema& incoming) {
  arrays_ = true;
  // The element type of each column's array: the existing column's own, or
  // the one the new table gets.
  std::optional<OdbcTable> existing;
  if (target.exists) {
    existing = find_table(*connection_, request_schema_, request_table_);
  }
  std::string names, arrays;
  wire_.clear();
  for (size_t i = 0; i < incoming.columns.size(); ++i) {
    const Column& column = incoming.columns[i];
    std::string type = dialect_.column_type(column, incoming);
    if (existing) {
      int at = -1;
      for (size_t c = 0; c < existing->columns.size(); ++c) {
        if (dialect_.same_column(existing->columns[c].info.name, column.name))
          at = static_cast<int>(c);
      }
      if (at >= 0) type = dialect_.quote(existing->columns[static_cast<size_t>(at)].info.type_name);
    }
    names += (i ? ", " : "") + dialect_.quote(column.name);
    arrays += fmt::format("{}CAST(? AS {}[])", i ? ", " : "", type);
    // Values as their text, bytes as hex for bytea's input.
    wire_.push_back(column.type.id == DUCKDB_TYPE_BLOB ? Type(DUCKDB_TYPE_BLOB)
                                                       : Type(DUCKDB_TYPE_VARCHAR));
  }
  std::string sql = fmt::format("INSERT INTO {} ({}) SELECT * FROM unnest({})",
                                runner_->rows_into(), names, arrays);
  array_insert_ = connection_->statement();
  check(connection_->prepare(array_insert_.get(), sql), array_insert_,
        fmt::format("{}: preparing {}", label_, sql));
  array_text_.resize(incoming.columns.size());
  array_lengths_.resize(incoming.columns.size());
}

void OdbcWriter::write_arrays(duckdb_data_chunk chunk) {
  const size_t rows = duckdb_data_chunk_get_size(chunk);
  const size_t count = array_text_.size();
  ChunkColumns columns(chunk, count);
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t c = 0; c < count; ++c) {
    std::string& text = array_text_[c];
    text.clear();
    text.push_back('{');
    auto* strings = static_cast<duckdb_string_t*>(columns.data(c));
    const bool bytes = wire_[c].id == DUCKDB_TYPE_BLOB;
    for (size_t r = 0; r < rows; ++r) {
      if (r) text.push_back(',');
      if (columns.is_null(c, r)) {
        text += "NULL";
        continue;
      }
      const char* data = duckdb_string_t_data(&strings[r]);
      size_t size = duckdb_string_t_length(strings[r]);
      bytes_ += size;
      text.push_back('"');
      if (bytes) {
        // bytea's hex input, its backslash escaped for the array literal.
        text += "\\\\x";
        for (size_t b = 0; b < size; ++b) {
          auto byte = static_cast<unsigned char>(data[b]);
          text.push_back(kHex[byte >> 4]);
          text.push_back(kHex[byte & 15]);
        }
      } else {
        for (size_t b = 0; b < size; ++b) {
          if (data[b] == '"' || data[b] == '\\') text.push_back('\\');
          text.push_back(data[b]);
        }
      }
      text.push_back('"');
    }
    text.push_back('}');
    array_lengths_[c] = static_cast<SQLLEN>(text.size());
  }
  SQLHSTMT statement = array_insert_.get();
  std::string doing =
      fmt::format("{}: inserting rows {} to {}", label_, rows_sent_ + 1, rows_sent_ + rows);
  for (size_t c = 0; c < count; ++c) {
    check(SQLBindParameter(statement, static_cast<SQLUSMALLINT>(c + 1), SQL_PARAM_INPUT, SQL_C_CHAR,
                           SQL_LONGVARCHAR, array_text_[c].size(), 0, array_text_[c].data(),
                           array_lengths_[c], &array_lengths_[c]),
          array_insert_, doing);
  }
  SQLRETURN rc = SQLExecute(statement);
  if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
    check_interrupted();
    raise(SQL_HANDLE_STMT, statement, doing);
  }
  SQLLEN inserted = -1;
  SQLRowCount(statement, &inserted);
  rows_sent_ += rows;
  rows_stored_ += inserted >= 0 ? static_cast<uint64_t>(inserted) : rows;
}

void OdbcWriter::write(duckdb_data_chunk chunk) {
  check_interrupted();
  const size_t rows = duckdb_data_chunk_get_size(chunk);
  if (rows == 0) return;
  if (arrays_) {
    write_arrays(chunk);
    return;
  }
  fit(chunk, rows);
  for (size_t begin = 0; begin < rows; begin += capacity_)
    send(chunk, begin, std::min(rows, begin + capacity_));
}

void OdbcWriter::send(duckdb_data_chunk chunk, size_t begin, size_t end) {
  if (!connection_->profile().parameter_arrays) {
    // Each row in the first record, bound anew (the driver reads the
    // lengths when a parameter is bound), one execution each.
    for (size_t row = begin; row < end; ++row) {
      fill(chunk, row, row + 1);
      single_.bound = false;
      execute(single_, 0, 1);
      rows_sent_ += 1;
    }
    return;
  }
  fill(chunk, begin, end);
  const size_t rows = end - begin;
  size_t sets = rows_per_insert_ > 1 ? rows / rows_per_insert_ : 0;
  if (sets > 0) execute(multi_, 0, sets);
  size_t done = sets * rows_per_insert_;
  if (done < rows) execute(single_, done, rows - done);
  rows_sent_ += rows;
}

void OdbcWriter::fill(duckdb_data_chunk chunk, size_t begin, size_t end) {
  const size_t rows = end - begin;
  const size_t count = slots_.size();
  ChunkColumns columns(chunk, count);
  for (size_t c = 0; c < count; ++c) {
    const Slot& slot = slots_[c];
    const void* data = columns.data(c);
    for (size_t r = 0; r < rows; ++r) {
      SQLLEN* length = length_at(r, c);
      if (columns.is_null(c, begin + r)) {
        *length = SQL_NULL_DATA;
        continue;
      }
      char* value = value_at(r, c);
      *length = 0;
      switch (slot.type.c_type) {
        case SQL_C_TYPE_DATE: {
          int64_t year;
          unsigned month, day;
          civil_from_days(static_cast<const int32_t*>(data)[begin + r], year, month, day);
          if (year < 1 || year > 9999) {
            throw DataError(fmt::format(
                "{}: row {} column \"{}\": the date is outside years 1 to 9999, which ODBC's date "
                "structure cannot carry",
                label_, rows_sent_ + r + 1, incoming_.columns[c].name));
          }
          SQL_DATE_STRUCT date{static_cast<SQLSMALLINT>(year), static_cast<SQLUSMALLINT>(month),
                               static_cast<SQLUSMALLINT>(day)};
          std::memcpy(value, &date, sizeof(date));
          break;
        }
        case SQL_C_TYPE_TIMESTAMP: {
          int64_t micros = static_cast<const int64_t*>(data)[begin + r];
          int64_t days = micros / kMicrosPerDay;
          int64_t rest = micros % kMicrosPerDay;
          if (rest < 0) {
            rest += kMicrosPerDay;
            --days;
          }
          int64_t year;
          unsigned month, day;
          civil_from_days(days, year, month, day);
          if (year < 1 || year > 9999) {
            throw DataError(fmt::format(
                "{}: row {} column \"{}\": the timestamp is outside years 1 to 9999, which "
                "ODBC's timestamp structure cannot carry",
                label_, rows_sent_ + r + 1, incoming_.columns[c].name));
          }
          int64_t seconds = rest / 1000000;
          SQL_TIMESTAMP_STRUCT stamp{static_cast<SQLSMALLINT>(year),
                                     static_cast<SQLUSMALLINT>(month),
                                     static_cast<SQLUSMALLINT>(day),
                                     static_cast<SQLUSMALLINT>(seconds / 3600),
                                     static_cast<SQLUSMALLINT>(seconds / 60 % 60),
                                     static_cast<SQLUSMALLINT>(seconds % 60),
                                     static_cast<SQLUINTEGER>(rest % 1000000 * 1000)};
          std::memcpy(value, &stamp, sizeof(stamp));
          break;
        }
        case SQL_C_CHAR:
        case SQL_C_WCHAR:
        case SQL_C_BINARY: {
          duckdb_string_t* string = static_cast<duckdb_string_t*>(columns.data(c)) + begin + r;
          const char* text = duckdb_string_t_data(string);
          size_t bytes = duckdb_string_t_length(*string);
          bytes_ += bytes;
          if (slot.type.c_type == SQL_C_WCHAR) {
            auto* wide = reinterpret_cast<SQLWCHAR*>(value);
            size_t units = to_utf16(std::string_view(text, bytes), wide);
            wide[units] = 0;
            *length = static_cast<SQLLEN>(units * sizeof(SQLWCHAR));
          } else {
            std::memcpy(value, text, bytes);
            if (slot.type.c_type == SQL_C_CHAR) value[bytes] = 0;
            *length = static_cast<SQLLEN>(bytes);
          }
          break;
        }
        default:
          // Fixed-width numbers: DuckDB's values are already the C type's.
          std::memcpy(value, static_cast<const char*>(data) + (begin + r) * slot.type.value_bytes,
                      slot.type.value_bytes);
          bytes_ += slot.type.value_bytes;
          break;
      }
    }
  }
}

void OdbcWriter::execute(Insert& insert, size_t first, size_t sets) {
  if (!insert.bound) bind(insert);
  SQLHSTMT statement = insert.statement.get();
  // Column-wise arrays start at the first row (rows_per_insert_ is 1 there).
  insert.bind_offset = column_wise_ ? 0 : first * stride_;
  std::string doing = fmt::format("{}: inserting rows {} to {}", label_, rows_sent_ + first + 1,
                                  rows_sent_ + first + sets * insert.rows_per_set);
  check(SQLSetStmtAttr(statement, SQL_ATTR_PARAMSET_SIZE,
                       reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(sets)), 0),
        insert.statement, doing);
  processed_ = 0;
  std::fill(status_.begin(), status_.begin() + static_cast<std::ptrdiff_t>(sets), SQL_PARAM_UNUSED);
  SQLRETURN rc = SQLExecute(statement);
  if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
    check_interrupted();
    raise(SQL_HANDLE_STMT, statement, doing);
  }
  uint64_t stored_sets = 0;
  for (size_t s = 0; s < sets; ++s) {
    SQLUSMALLINT status = status_[s];
    if (status == SQL_PARAM_SUCCESS || status == SQL_PARAM_SUCCESS_WITH_INFO) {
      ++stored_sets;
    } else if (status == SQL_PARAM_ERROR) {
      raise(SQL_HANDLE_STMT, statement, doing);
    }
  }
  // Drivers that execute an array set by set may leave the statuses as they
  // were and report the sets processed instead.
  if (stored_sets == 0 && processed_ == sets) stored_sets = sets;
  rows_stored_ += stored_sets * insert.rows_per_set;
}

TableChanges OdbcWriter::commit() {
  if (rows_stored_ != rows_sent_) {
    throw DataError(fmt::format("{}: {} rows sent but the driver stored {}; nothing was changed",
                                label_, rows_sent_, rows_stored_));
  }
  multi_ = Insert();
  single_ = Insert();
  array_insert_ = Handle();
  TableChanges changes = runner_->finish(rows_stored_);
  finished_ = true;
  return changes;
}

void OdbcWriter::abort() noexcept {
  if (finished_) return;
  finished_ = true;
  multi_ = Insert();
  single_ = Insert();
  array_insert_ = Handle();
  if (runner_) runner_->abandon();
}

}  // namespace dvt::odbc
