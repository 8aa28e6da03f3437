#include "connectors/mysql/mysql_encoder.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_text.h"
#include "core/error.h"
#include "engine/decimal_values.h"

namespace dvt::mysql {
namespace {

bool is_valid(const uint64_t* validity, idx_t row) {
  return !validity || duckdb_validity_row_is_valid(const_cast<uint64_t*>(validity), row);
}

}  // namespace

void append_sql_escaped(std::string& out, const char* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    char c = data[i];
    switch (c) {
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\x1a':
        out += "\\Z";
        break;
      default:
        out += c;
    }
  }
}

MysqlRowEncoder::MysqlRowEncoder(std::vector<EncodedColumn> columns, std::string label)
    : columns_(std::move(columns)), slots_(columns_.size()), label_(std::move(label)) {}

void MysqlRowEncoder::begin(duckdb_data_chunk chunk, uint64_t first_row_number) {
  first_row_number_ = first_row_number;
  for (size_t c = 0; c < slots_.size(); ++c) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, c);
    slots_[c].data = duckdb_vector_get_data(vector);
    slots_[c].validity = duckdb_vector_get_validity(vector);
  }
}

void MysqlRowEncoder::reject(size_t column, idx_t row, const std::string& why) const {
  throw DataError(fmt::format("{}: row {} column \"{}\": {}", label_, first_row_number_ + row,
                              columns_[column].name, why));
}

char* MysqlRowEncoder::format_scalar(size_t column, idx_t row, char* buffer) {
  const void* data = slots_[column].data;
  const MysqlTargetType& target = columns_[column].target;
  switch (target.encode) {
    case Encode::kBoolean:
      *buffer = static_cast<const bool*>(data)[row] ? '1' : '0';
      return buffer + 1;
    case Encode::kInt8:
      return std::to_chars(buffer, buffer + 8, static_cast<const int8_t*>(data)[row]).ptr;
    case Encode::kInt16:
      return std::to_chars(buffer, buffer + 8, static_cast<const int16_t*>(data)[row]).ptr;
    case Encode::kInt32:
      return std::to_chars(buffer, buffer + 16, static_cast<const int32_t*>(data)[row]).ptr;
    case Encode::kInt64:
      return std::to_chars(buffer, buffer + 24, static_cast<const int64_t*>(data)[row]).ptr;
    case Encode::kUInt8:
      return std::to_chars(buffer, buffer + 8, static_cast<const uint8_t*>(data)[row]).ptr;
    case Encode::kUInt16:
      return std::to_chars(buffer, buffer + 8, static_cast<const uint16_t*>(data)[row]).ptr;
    case Encode::kUInt32:
      return std::to_chars(buffer, buffer + 16, static_cast<const uint32_t*>(data)[row]).ptr;
    case Encode::kUInt64:
      return std::to_chars(buffer, buffer + 24, static_cast<const uint64_t*>(data)[row]).ptr;
    case Encode::kFloat: {
      // The float's exact value as a double: MySQL parses text to double and
      // rounds that to float, which gives back exactly this float.
      float value = static_cast<const float*>(data)[row];
      if (!std::isfinite(value)) reject(column, row, "NaN and infinity cannot be stored in MySQL");
      return format_double(buffer, static_cast<double>(value));
    }
    case Encode::kDouble: {
      double value = static_cast<const double*>(data)[row];
      if (!std::isfinite(value)) reject(column, row, "NaN and infinity cannot be stored in MySQL");
      return format_double(buffer, value);
    }
    case Encode::kDecimal:
      return format_decimal(buffer, get_unscaled(decimal_storage(target.wire.width), data, row),
                            target.wire.scale);
    case Encode::kDate: {
      duckdb_date date = static_cast<const duckdb_date*>(data)[row];
      if (!duckdb_is_finite_date(date))
        reject(column, row, "an infinite date cannot be stored in MySQL");
      duckdb_date_struct parts = duckdb_from_date(date);
      if (parts.year < 0 || parts.year > 9999) {
        reject(column, row, fmt::format("year {} is outside MySQL's 0000-9999", parts.year));
      }
      return format_date(buffer, CivilDate{parts.year, parts.month, parts.day});
    }
    case Encode::kTime:
      return format_time(buffer, static_cast<const int64_t*>(data)[row]);
    case Encode::kTimestamp:
    case Encode::kTimestampSec:
    case Encode::kTimestampMs:
    case Encode::kTimestampNs: {
      int64_t value = static_cast<const int64_t*>(data)[row];
      if (!duckdb_is_finite_timestamp(duckdb_timestamp{value})) {
        reject(column, row, "an infinite timestamp cannot be stored in MySQL");
      }
      int64_t micros = value;
      if (target.encode == Encode::kTimestampSec) micros = value * kMicrosPerSecond;
      if (target.encode == Encode::kTimestampMs) micros = value * 1000;
      if (target.encode == Encode::kTimestampNs) {
        if (value % 1000 != 0) {
          reject(column, row, "has nanoseconds, and MySQL keeps at most microseconds");
        }
        micros = value / 1000;
      }
      int64_t days = micros / kMicrosPerDay;
      int64_t of_day = micros % kMicrosPerDay;
      if (of_day < 0) {
        of_day += kMicrosPerDay;
        --days;
      }
      duckdb_date_struct parts = duckdb_from_date(duckdb_date{static_cast<int32_t>(days)});
      if (parts.year < 0 || parts.year > 9999) {
        reject(column, row, fmt::format("year {} is outside MySQL's 0000-9999", parts.year));
      }
      char* out = format_date(buffer, CivilDate{parts.year, parts.month, parts.day});
      *out++ = ' ';
      return format_time(out, of_day);
    }
    case Encode::kText:
    case Encode::kBlob:
      break;
  }
  throw InternalError("MySQL encoder: format_scalar called for a string column");
}

void MysqlRowEncoder::append_load_data_row(idx_t row, std::string& out) {
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (c) out += '\t';
    const Slot& slot = slots_[c];
    if (!is_valid(slot.validity, row)) {
      out += "\\N";
      continue;
    }
    switch (columns_[c].target.encode) {
      case Encode::kText: {
        auto* value = &static_cast<duckdb_string_t*>(slot.data)[row];
        append_load_data_escaped(out, duckdb_string_t_data(value), duckdb_string_t_length(*value));
        break;
      }
      case Encode::kBlob: {
        auto* value = &static_cast<duckdb_string_t*>(slot.data)[row];
        append_hex(out, duckdb_string_t_data(value), duckdb_string_t_length(*value));
        break;
      }
      default:
        append_scalar(c, row, out);
    }
  }
  out += '\n';
}

void MysqlRowEncoder::append_scalar(size_t column, idx_t row, std::string& out) {
  char buffer[64];
  char* end = format_scalar(column, row, buffer);
  if (columns_[column].year_target) {
    // 0 -> "0000", 5 -> "0005" (which MySQL refuses as a YEAR, loudly).
    size_t digits = static_cast<size_t>(end - buffer);
    if (digits < 4 && buffer[0] != '-') out.append(4 - digits, '0');
  }
  out.append(buffer, end);
}

void MysqlRowEncoder::append_insert_row(idx_t row, std::string& out) {
  char buffer[64];
  out += '(';
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (c) out += ',';
    const Slot& slot = slots_[c];
    if (!is_valid(slot.validity, row)) {
      out += "NULL";
      continue;
    }
    const EncodedColumn& column = columns_[c];
    switch (column.target.encode) {
      case Encode::kText: {
        auto* value = &static_cast<duckdb_string_t*>(slot.data)[row];
        // A quoted string bound for a BIT column would be taken as its bytes.
        if (column.bit_target) out += "CAST(";
        out += '\'';
        append_sql_escaped(out, duckdb_string_t_data(value), duckdb_string_t_length(*value));
        out += '\'';
        if (column.bit_target) out += " AS UNSIGNED)";
        break;
      }
      case Encode::kBlob: {
        auto* value = &static_cast<duckdb_string_t*>(slot.data)[row];
        out += "X'";
        append_hex(out, duckdb_string_t_data(value), duckdb_string_t_length(*value));
        out += '\'';
        break;
      }
      case Encode::kDate:
      case Encode::kTime:
      case Encode::kTimestamp:
      case Encode::kTimestampSec:
      case Encode::kTimestampMs:
      case Encode::kTimestampNs:
        out += '\'';
        out.append(buffer, format_scalar(c, row, buffer));
        out += '\'';
        break;
      default:
        if (column.year_target) {
          out += '\'';
          append_scalar(c, row, out);
          out += '\'';
        } else {
          append_scalar(c, row, out);
        }
    }
  }
  out += ')';
}

std::string MysqlRowEncoder::load_data_columns() const {
  std::string list, assignments;
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (c) list += ", ";
    const EncodedColumn& column = columns_[c];
    std::string variable = fmt::format("@dvt_{}", c + 1);
    if (column.target.encode == Encode::kBlob) {
      list += variable;
      assignments += fmt::format("{}{} = UNHEX({})", assignments.empty() ? "" : ", ",
                                 quote(column.name), variable);
    } else if (column.bit_target) {
      // LOAD DATA would store the digits' bytes in a BIT column.
      list += variable;
      assignments += fmt::format("{}{} = CAST({} AS UNSIGNED)", assignments.empty() ? "" : ", ",
                                 quote(column.name), variable);
    } else {
      list += quote(column.name);
    }
  }
  std::string sql = "(" + list + ")";
  if (!assignments.empty()) sql += " SET " + assignments;
  return sql;
}

}  // namespace dvt::mysql
