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

std::optional<std::vector<std::optional<std::string>>> OdbcSession::first_row(
    const std::string& sql) {
  auto rows = connection_.rows(sql);
  if (rows.empty()) return std::nullopt;
  return std::move(rows[0]);
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
      incoming_(incoming) {
  const bool wide = connection_->settings().text == TextMode::kWide;
  for (const auto& column : incoming.columns) {
    wire_.push_back(writer_wire_type(column.type));
    Parameter parameter;
    parameter.incoming = column.type;
    parameter.type = parameter_type(column.type, wide);
    parameters_.push_back(std::move(parameter));
  }
  TargetTable target = target_table(*connection_, dialect_, request.table, label_);
  check_incoming_columns(request, target, incoming, dialect_);
  runner_ = std::make_unique<LoadRunner>(session_, plan_load(dialect_, request, target, incoming),
                                         label_);
  runner_->begin();
  std::string names, marks;
  for (size_t i = 0; i < incoming.columns.size(); ++i) {
    names += (i ? ", " : "") + dialect_.quote(incoming.columns[i].name);
    marks += i ? ", ?" : "?";
  }
  std::string sql =
      fmt::format("INSERT INTO {} ({}) VALUES ({})", runner_->rows_into(), names, marks);
  insert_ = connection_->statement();
  check(connection_->prepare(insert_.get(), sql), insert_,
        fmt::format("{}: preparing {}", label_, sql));
  std::string doing = fmt::format("{}: setting up parameter arrays", label_);
  status_.resize(duckdb_vector_size());
  check(SQLSetStmtAttr(insert_.get(), SQL_ATTR_PARAM_BIND_TYPE,
                       reinterpret_cast<SQLPOINTER>(SQL_PARAM_BIND_BY_COLUMN), 0),
        insert_, doing);
  check(SQLSetStmtAttr(insert_.get(), SQL_ATTR_PARAM_STATUS_PTR, status_.data(), 0), insert_,
        doing);
  check(SQLSetStmtAttr(insert_.get(), SQL_ATTR_PARAMS_PROCESSED_PTR, &processed_, 0), insert_,
        doing);
}

OdbcWriter::~OdbcWriter() {
  abort();
}

void OdbcWriter::write(duckdb_data_chunk chunk) {
  check_interrupted();
  const size_t rows = duckdb_data_chunk_get_size(chunk);
  if (rows == 0) return;
  const size_t count = parameters_.size();
  ChunkColumns columns(chunk, count);
  // The size of each variable value, to cut the chunk into executions whose
  // buffers stay near kParameterBytes.
  size_t fixed_row_bytes = 0;
  for (size_t c = 0; c < count; ++c) {
    Parameter& parameter = parameters_[c];
    parameter.value_sizes.assign(rows, 0);
    if (!is_variable(parameter.type)) {
      fixed_row_bytes += parameter.type.value_bytes + sizeof(SQLLEN);
      continue;
    }
    auto* strings = static_cast<duckdb_string_t*>(columns.data(c));
    const bool wide = parameter.type.c_type == SQL_C_WCHAR;
    for (size_t r = 0; r < rows; ++r) {
      if (columns.is_null(c, r)) continue;
      size_t bytes = duckdb_string_t_length(strings[r]);
      // UTF-16 takes at most two bytes per UTF-8 byte.
      parameter.value_sizes[r] = wide ? 2 * bytes + 2 : bytes + 1;
    }
  }
  size_t begin = 0;
  while (begin < rows) {
    size_t end = begin;
    std::vector<size_t> widest(count, 1);
    for (; end < rows; ++end) {
      size_t row_bytes = fixed_row_bytes;
      for (size_t c = 0; c < count; ++c) {
        if (!is_variable(parameters_[c].type)) continue;
        row_bytes += std::max(widest[c], parameters_[c].value_sizes[end]) + sizeof(SQLLEN);
      }
      if (end > begin && row_bytes * (end - begin + 1) > kParameterBytes) break;
      for (size_t c = 0; c < count; ++c) {
        if (is_variable(parameters_[c].type))
          widest[c] = std::max(widest[c], parameters_[c].value_sizes[end]);
      }
    }
    send(chunk, begin, end);
    begin = end;
  }
}

void OdbcWriter::send(duckdb_data_chunk chunk, size_t begin, size_t end) {
  const size_t rows = end - begin;
  const size_t count = parameters_.size();
  ChunkColumns columns(chunk, count);
  SQLHSTMT statement = insert_.get();
  std::string doing =
      fmt::format("{}: binding rows {} to {}", label_, rows_sent_ + 1, rows_sent_ + rows);
  check(SQLSetStmtAttr(statement, SQL_ATTR_PARAMSET_SIZE,
                       reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(rows)), 0),
        insert_, doing);
  for (size_t c = 0; c < count; ++c) {
    Parameter& parameter = parameters_[c];
    const ParameterType& type = parameter.type;
    parameter.lengths.assign(rows, 0);
    void* data = columns.data(c);
    SQLPOINTER bound = nullptr;
    SQLLEN stride = 0;
    SQLULEN column_size = type.column_size;
    SQLSMALLINT sql_type = type.sql_type;
    switch (type.c_type) {
      case SQL_C_TYPE_DATE: {
        parameter.buffer.resize(rows * sizeof(SQL_DATE_STRUCT));
        auto* dates = reinterpret_cast<SQL_DATE_STRUCT*>(parameter.buffer.data());
        const auto* days = static_cast<const int32_t*>(data) + begin;
        for (size_t r = 0; r < rows; ++r) {
          int64_t year;
          unsigned month, day;
          civil_from_days(days[r], year, month, day);
          if (year < 1 || year > 9999) {
            if (!columns.is_null(c, begin + r)) {
              throw DataError(fmt::format(
                  "{}: row {} column \"{}\": the date is outside years 1 to 9999, which ODBC's "
                  "date structure cannot carry",
                  label_, rows_sent_ + r + 1, incoming_.columns[c].name));
            }
            year = 1970;
          }
          dates[r] = {static_cast<SQLSMALLINT>(year), static_cast<SQLUSMALLINT>(month),
                      static_cast<SQLUSMALLINT>(day)};
        }
        bound = dates;
        stride = sizeof(SQL_DATE_STRUCT);
        break;
      }
      case SQL_C_TYPE_TIMESTAMP: {
        parameter.buffer.resize(rows * sizeof(SQL_TIMESTAMP_STRUCT));
        auto* stamps = reinterpret_cast<SQL_TIMESTAMP_STRUCT*>(parameter.buffer.data());
        const auto* micros = static_cast<const int64_t*>(data) + begin;
        for (size_t r = 0; r < rows; ++r) {
          int64_t value = micros[r];
          int64_t days = value / kMicrosPerDay;
          int64_t rest = value % kMicrosPerDay;
          if (rest < 0) {
            rest += kMicrosPerDay;
            --days;
          }
          int64_t year;
          unsigned month, day;
          civil_from_days(days, year, month, day);
          if ((year < 1 || year > 9999) && !columns.is_null(c, begin + r)) {
            throw DataError(fmt::format(
                "{}: row {} column \"{}\": the timestamp is outside years 1 to 9999, which ODBC's "
                "timestamp structure cannot carry",
                label_, rows_sent_ + r + 1, incoming_.columns[c].name));
          }
          int64_t seconds = rest / 1000000;
          stamps[r] = {static_cast<SQLSMALLINT>(year),
                       static_cast<SQLUSMALLINT>(month),
                       static_cast<SQLUSMALLINT>(day),
                       static_cast<SQLUSMALLINT>(seconds / 3600),
                       static_cast<SQLUSMALLINT>(seconds / 60 % 60),
                       static_cast<SQLUSMALLINT>(seconds % 60),
                       static_cast<SQLUINTEGER>(rest % 1000000 * 1000)};
        }
        bound = stamps;
        stride = sizeof(SQL_TIMESTAMP_STRUCT);
        break;
      }
      case SQL_C_CHAR:
      case SQL_C_WCHAR:
      case SQL_C_BINARY: {
        size_t widest = 1;
        for (size_t r = 0; r < rows; ++r)
          widest = std::max(widest, parameter.value_sizes[begin + r]);
        if (widest % 2) ++widest;
        parameter.buffer.resize(rows * widest);
        auto* strings = static_cast<duckdb_string_t*>(data) + begin;
        size_t longest = 1;
        for (size_t r = 0; r < rows; ++r) {
          if (columns.is_null(c, begin + r)) continue;
          const char* text = duckdb_string_t_data(&strings[r]);
          size_t bytes = duckdb_string_t_length(strings[r]);
          char* slot = parameter.buffer.data() + r * widest;
          bytes_ += bytes;
          if (type.c_type == SQL_C_WCHAR) {
            size_t units =
                to_utf16(std::string_view(text, bytes), reinterpret_cast<SQLWCHAR*>(slot));
            reinterpret_cast<SQLWCHAR*>(slot)[units] = 0;
            parameter.lengths[r] = static_cast<SQLLEN>(units * sizeof(SQLWCHAR));
            longest = std::max(longest, units);
          } else {
            std::memcpy(slot, text, bytes);
            if (type.c_type == SQL_C_CHAR) slot[bytes] = 0;
            parameter.lengths[r] = static_cast<SQLLEN>(bytes);
            longest = std::max(longest, bytes);
          }
        }
        bound = parameter.buffer.data();
        stride = static_cast<SQLLEN>(widest);
        if (column_size == 0) {
          column_size = longest;
          // Past 4000 characters most databases want a long type.
          if (longest > 4000) {
            sql_type = type.sql_type == SQL_WVARCHAR    ? SQL_WLONGVARCHAR
                       : type.sql_type == SQL_VARBINARY ? SQL_LONGVARBINARY
                                                        : SQL_LONGVARCHAR;
          }
        }
        break;
      }
      default:
        // Fixed-width numbers: DuckDB's vector is already the C array.
        bound = static_cast<char*>(data) + begin * type.value_bytes;
        stride = static_cast<SQLLEN>(type.value_bytes);
        bytes_ += rows * type.value_bytes;
        break;
    }
    for (size_t r = 0; r < rows; ++r) {
      if (columns.is_null(c, begin + r)) parameter.lengths[r] = SQL_NULL_DATA;
    }
    check(SQLBindParameter(statement, static_cast<SQLUSMALLINT>(c + 1), SQL_PARAM_INPUT,
                           type.c_type, sql_type, column_size, type.decimal_digits, bound, stride,
                           parameter.lengths.data()),
          insert_, doing);
  }
  processed_ = 0;
  std::fill(status_.begin(), status_.begin() + static_cast<std::ptrdiff_t>(rows), SQL_PARAM_UNUSED);
  SQLRETURN rc = SQLExecute(statement);
  if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA) {
    check_interrupted();
    raise(SQL_HANDLE_STMT, statement,
          fmt::format("{}: inserting rows {} to {}", label_, rows_sent_ + 1, rows_sent_ + rows));
  }
  uint64_t stored = 0;
  for (size_t r = 0; r < rows; ++r) {
    SQLUSMALLINT status = status_[r];
    if (status == SQL_PARAM_SUCCESS || status == SQL_PARAM_SUCCESS_WITH_INFO) {
      ++stored;
    } else if (status == SQL_PARAM_ERROR) {
      raise(SQL_HANDLE_STMT, statement,
            fmt::format("{}: inserting row {}", label_, rows_sent_ + r + 1));
    }
  }
  // Drivers that execute an array row by row may leave the statuses as
  // they were and report the rows processed instead.
  if (stored == 0 && processed_ == rows) stored = rows;
  rows_sent_ += rows;
  rows_stored_ += stored;
  // Unbinding keeps a parameter from pointing into a chunk that is gone.
  SQLFreeStmt(statement, SQL_RESET_PARAMS);
}

uint64_t OdbcWriter::commit() {
  if (rows_stored_ != rows_sent_) {
    throw DataError(fmt::format("{}: {} rows sent but the driver stored {}; nothing was changed",
                                label_, rows_sent_, rows_stored_));
  }
  insert_ = Handle();
  LoadResult result = runner_->finish(rows_stored_);
  finished_ = true;
  return result.rows;
}

void OdbcWriter::abort() noexcept {
  if (finished_) return;
  finished_ = true;
  if (insert_) SQLFreeStmt(insert_.get(), SQL_CLOSE);
  insert_ = Handle();
  if (runner_) runner_->abandon();
}

}  // namespace dvt::odbc
