#include "connectors/postgres/pg_copy_writer.h"

#include <unistd.h>

#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "connectors/postgres/pg_dialect.h"
#include "connectors/postgres/pg_numeric.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "engine/chunk_columns.h"
#include "engine/decimal_values.h"

namespace dvt::pg {
namespace {

constexpr size_t kFlushSize = 1 << 20;

inline void put_u16(std::string& out, uint16_t v) {
  v = __builtin_bswap16(v);
  out.append(reinterpret_cast<const char*>(&v), 2);
}
inline void put_u32(std::string& out, uint32_t v) {
  v = __builtin_bswap32(v);
  out.append(reinterpret_cast<const char*>(&v), 4);
}
inline void put_u64(std::string& out, uint64_t v) {
  v = __builtin_bswap64(v);
  out.append(reinterpret_cast<const char*>(&v), 8);
}
inline void put_i32(std::string& out, int32_t v) {
  put_u32(out, static_cast<uint32_t>(v));
}
inline void put_i64(std::string& out, int64_t v) {
  put_u64(out, static_cast<uint64_t>(v));
}

// Writes the length word of a value whose bytes were appended after `start`.
inline void patch_length(std::string& out, size_t start) {
  uint32_t length = __builtin_bswap32(static_cast<uint32_t>(out.size() - start - 4));
  std::memcpy(out.data() + start, &length, 4);
}

std::string_view string_at(void* data, idx_t row) {
  auto* value = &static_cast<duckdb_string_t*>(data)[row];
  return {duckdb_string_t_data(value), duckdb_string_t_length(*value)};
}

}  // namespace

void check_loadable(const PgTable& table, const std::string& label) {
  if (table.kind != 'r' && table.kind != 'p') {
    throw ConfigError(fmt::format("{}: {} is not a table (relkind '{}'); load into a table", label,
                                  table.qualified(), table.kind));
  }
}

std::optional<uint64_t> PgSession::execute(const std::string& sql) {
  return conn_.execute(sql).command_rows();
}

std::vector<std::vector<std::optional<std::string>>> PgSession::rows(const std::string& sql) {
  PgResult result = conn_.execute(sql);
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (int row = 0; row < result.rows(); ++row) {
    std::vector<std::optional<std::string>> values;
    for (int column = 0; column < result.columns(); ++column) {
      if (result.is_null(row, column)) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(result.text(row, column));
      }
    }
    rows.push_back(std::move(values));
  }
  return rows;
}

PgBinaryEncoder::PgBinaryEncoder(std::vector<WritePlan> plans, std::vector<std::string> names,
                                 std::string label)
    : names_(std::move(names)), label_(std::move(label)) {
  for (auto& plan : plans) {
    const Type& value_type = plan.codec == Codec::kArray ? plan.wire.children.at(0) : plan.wire;
    ColumnState state{std::move(plan), decimal_storage(value_type.width), value_type.scale};
    columns_.push_back(std::move(state));
  }
}

void PgBinaryEncoder::append_header(std::string& out) {
  out.append("PGCOPY\n\377\r\n\0", 11);
  put_u32(out, 0);  // flags
  put_u32(out, 0);  // header extension length
}

void PgBinaryEncoder::append_trailer(std::string& out) {
  put_u16(out, 0xFFFF);
}

void PgBinaryEncoder::fail(size_t column, const std::string& what) const {
  throw DataError(fmt::format("{}: row {} column \"{}\": {}", label_, rows_encoded_ + 1,
                              names_.at(column), what));
}

void PgBinaryEncoder::encode(duckdb_data_chunk chunk, std::string& out) {
  const idx_t rows = duckdb_data_chunk_get_size(chunk);
  const size_t column_count = columns_.size();
  const ChunkColumns view(chunk, column_count);
  for (idx_t row = 0; row < rows; ++row) {
    put_u16(out, static_cast<uint16_t>(column_count));
    for (size_t c = 0; c < column_count; ++c) {
      if (view.is_null(c, row)) {
        put_i32(out, -1);
        continue;
      }
      ColumnState& state = columns_[c];
      if (state.plan.codec != Codec::kArray) {
        encode_scalar(state.plan.codec, state.decimal_storage, state.scale, view.data(c), row, c,
                      out);
        continue;
      }
      // One-dimensional array: ndim, has-null flag, element OID, length,
      // lower bound 1, then the elements with their own length words.
      auto entry = static_cast<duckdb_list_entry*>(view.data(c))[row];
      duckdb_vector child = duckdb_list_vector_get_child(view.vector(c));
      void* child_data = duckdb_vector_get_data(child);
      uint64_t* child_validity = duckdb_vector_get_validity(child);
      size_t start = out.size();
      put_i32(out, 0);
      bool has_null = false;
      if (child_validity) {
        for (idx_t i = 0; i < entry.length; ++i) {
          if (!duckdb_validity_row_is_valid(child_validity, entry.offset + i)) has_null = true;
        }
      }
      put_i32(out, entry.length == 0 ? 0 : 1);
      put_i32(out, has_null ? 1 : 0);
      put_u32(out, state.plan.element_oid);
      if (entry.length > 0) {
        if (entry.length > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
          fail(c, "array too long");
        put_i32(out, static_cast<int32_t>(entry.length));
        put_i32(out, 1);
        for (idx_t i = 0; i < entry.length; ++i) {
          idx_t slot = entry.offset + i;
          if (child_validity && !duckdb_validity_row_is_valid(child_validity, slot)) {
            put_i32(out, -1);
          } else {
            encode_scalar(state.plan.element_codec, state.decimal_storage, state.scale, child_data,
                          slot, c, out);
          }
        }
      }
      patch_length(out, start);
    }
    ++rows_encoded_;
  }
}

void PgBinaryEncoder::encode_scalar(Codec codec, duckdb_type storage, uint8_t scale, void* data,
                                    idx_t row, size_t column, std::string& out) {
  switch (codec) {
    case Codec::kBool:
      put_i32(out, 1);
      out += static_cast<bool*>(data)[row] ? '\1' : '\0';
      return;
    case Codec::kInt2:
      put_i32(out, 2);
      put_u16(out, static_cast<uint16_t>(static_cast<int16_t*>(data)[row]));
      return;
    case Codec::kInt4:
      put_i32(out, 4);
      put_i32(out, static_cast<int32_t*>(data)[row]);
      return;
    case Codec::kOid:
      put_i32(out, 4);
      put_u32(out, static_cast<uint32_t*>(data)[row]);
      return;
    case Codec::kInt8:
      put_i32(out, 8);
      put_i64(out, static_cast<int64_t*>(data)[row]);
      return;
    case Codec::kFloat4: {
      uint32_t bits;
      std::memcpy(&bits, &static_cast<float*>(data)[row], 4);
      put_i32(out, 4);
      put_u32(out, bits);
      return;
    }
    case Codec::kFloat8: {
      uint64_t bits;
      std::memcpy(&bits, &static_cast<double*>(data)[row], 8);
      put_i32(out, 8);
      put_u64(out, bits);
      return;
    }
    case Codec::kNumeric: {
      size_t start = out.size();
      put_i32(out, 0);
      numeric_from_scaled(get_unscaled(storage, data, row), scale, out);
      patch_length(out, start);
      return;
    }
    case Codec::kNumericText: {
      std::string_view text = string_at(data, row);
      size_t start = out.size();
      put_i32(out, 0);
      if (!numeric_from_text(text, out)) {
        fail(column, fmt::format("'{}' is not a number for a numeric column", text.substr(0, 80)));
      }
      patch_length(out, start);
      return;
    }
    case Codec::kText:
    case Codec::kBytea: {
      std::string_view text = string_at(data, row);
      put_i32(out, static_cast<int32_t>(text.size()));
      out.append(text);
      return;
    }
    case Codec::kJsonb: {
      std::string_view text = string_at(data, row);
      put_i32(out, static_cast<int32_t>(text.size() + 1));
      out += '\1';  // jsonb binary format version
      out.append(text);
      return;
    }
    case Codec::kDate: {
      int32_t days = static_cast<int32_t*>(data)[row];
      int32_t pg_days;
      if (days == std::numeric_limits<int32_t>::max()) {
        pg_days = days;
      } else if (days == -std::numeric_limits<int32_t>::max()) {
        pg_days = std::numeric_limits<int32_t>::min();
      } else {
        // Before 4713 BC the server refuses the value itself ("date out of range").
        pg_days = days - kPgEpochDays;
      }
      put_i32(out, 4);
      put_i32(out, pg_days);
      return;
    }
    case Codec::kTimestamp: {
      int64_t micros = static_cast<int64_t*>(data)[row];
      int64_t pg_micros;
      if (micros == std::numeric_limits<int64_t>::max()) {
        pg_micros = micros;
      } else if (micros == -std::numeric_limits<int64_t>::max()) {
        pg_micros = std::numeric_limits<int64_t>::min();
      } else if (__builtin_sub_overflow(micros, kPgEpochMicros, &pg_micros) ||
                 pg_micros == std::numeric_limits<int64_t>::min()) {
        fail(column, "timestamp is before PostgreSQL's range (4713 BC)");
      }
      put_i32(out, 8);
      put_i64(out, pg_micros);
      return;
    }
    case Codec::kTime:
      put_i32(out, 8);
      put_i64(out, static_cast<duckdb_time*>(data)[row].micros);
      return;
    case Codec::kInterval: {
      const duckdb_interval& interval = static_cast<duckdb_interval*>(data)[row];
      put_i32(out, 16);
      put_i64(out, interval.micros);
      put_i32(out, interval.days);
      put_i32(out, interval.months);
      return;
    }
    case Codec::kUuid: {
      const duckdb_hugeint& uuid = static_cast<duckdb_hugeint*>(data)[row];
      put_i32(out, 16);
      put_u64(out, static_cast<uint64_t>(uuid.upper) ^ (uint64_t{1} << 63));
      put_u64(out, uuid.lower);
      return;
    }
    case Codec::kArray:
      break;
  }
  throw InternalError("nested array codec in the encoder");
}

PgCopyWriter::PgCopyWriter(std::unique_ptr<PgConnection> conn, const LoadRequest& request,
                           const std::string& schema, const TableSchema& incoming,
                           std::string label)
    : conn_(std::move(conn)), session_(*conn_), label_(std::move(label)) {
  std::optional<PgTable> existing = find_table(*conn_, schema, request.table.name);
  if (existing) check_loadable(*existing, label_);
  TargetTable target = target_table(existing, schema, request.table.name,
                                    existing || schema_exists(*conn_, schema), label_);
  check_incoming_columns(request, target, incoming, dialect());
  runner_ = std::make_unique<LoadRunner>(
      session_, TransactionalLoadPlan(dialect()).plan(request, target, incoming), label_);
  runner_->begin();
  // The column types the rows are encoded for: the table's (a staging table
  // has the same), as found after its DDL.
  std::optional<PgTable> table = find_table(*conn_, schema, request.table.name);
  if (!table)
    throw InternalError(
        fmt::format("{}: table {} missing right after its DDL", label_, target.qualified));
  table_sql_ = runner_->rows_into();

  std::vector<std::string> names = incoming.names();
  bool staged = false;
  std::string staging_columns, select_list;
  for (size_t i = 0; i < incoming.columns.size(); ++i) {
    const PgColumn& column =
        table->columns[static_cast<size_t>(table->find(incoming.columns[i].name))];
    WritePlan plan = plan_write(incoming.columns[i].type, column.type);
    staged |= plan.staged_as_text;
    std::string name = quote_identifier(column.name);
    if (i) {
      columns_sql_ += ", ";
      staging_columns += ", ";
      select_list += ", ";
    }
    columns_sql_ += name;
    staging_columns += name + " " + (plan.staged_as_text ? std::string("text") : column.type.name);
    select_list += plan.staged_as_text ? name + "::" + column.type.name : name;
    plans_.push_back(std::move(plan));
  }
  std::string copy_target = table_sql_;
  if (staged) {
    // Types without a binary encoder here (inet, money, timetz, ranges, ...)
    // are copied as text into a temporary table and cast by PostgreSQL's
    // own input functions on the way into the rows' table.
    staging_sql_ = quote_identifier(fmt::format("dvt_text_{}", ::getpid()));
    conn_->execute(fmt::format("CREATE TEMPORARY TABLE {} ({}) ON COMMIT DROP", staging_sql_,
                               staging_columns));
    insert_select_ = fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", table_sql_, columns_sql_,
                                 select_list, staging_sql_);
    copy_target = staging_sql_;
  }
  encoder_ = std::make_unique<PgBinaryEncoder>(plans_, names, label_);
  conn_->begin_copy_in(
      fmt::format("COPY {} ({}) FROM STDIN (FORMAT binary)", copy_target, columns_sql_));
  copy_open_ = true;
  buffer_.reserve(kFlushSize + (kFlushSize >> 2));
  PgBinaryEncoder::append_header(buffer_);
}

PgCopyWriter::~PgCopyWriter() {
  abort();
}

std::vector<Type> PgCopyWriter::wire_types() const {
  std::vector<Type> types;
  for (const auto& plan : plans_) types.push_back(plan.wire);
  return types;
}

void PgCopyWriter::flush() {
  if (buffer_.empty()) return;
  conn_->put_copy_data(buffer_.data(), buffer_.size());
  bytes_ += buffer_.size();
  buffer_.clear();
}

void PgCopyWriter::write(duckdb_data_chunk chunk) {
  check_interrupted();
  encoder_->encode(chunk, buffer_);
  rows_sent_ += duckdb_data_chunk_get_size(chunk);
  if (buffer_.size() >= kFlushSize) flush();
}

TableChanges PgCopyWriter::commit() {
  check_interrupted();
  PgBinaryEncoder::append_trailer(buffer_);
  flush();
  copy_open_ = false;
  uint64_t stored = conn_->end_copy_in();
  if (stored != rows_sent_) {
    throw DataError(
        fmt::format("{}: {} rows sent but the server stored {}", label_, rows_sent_, stored));
  }
  if (!insert_select_.empty()) {
    uint64_t inserted = conn_->execute(insert_select_).command_rows();
    if (inserted != rows_sent_) {
      throw DataError(
          fmt::format("{}: {} rows sent but {} inserted", label_, rows_sent_, inserted));
    }
  }
  return runner_->finish(stored);
}

void PgCopyWriter::abort() noexcept {
  if (copy_open_) {
    conn_->abort_copy_in("load aborted by dvt");
    copy_open_ = false;
  }
  if (runner_) runner_->abandon();
}

}  // namespace dvt::pg
