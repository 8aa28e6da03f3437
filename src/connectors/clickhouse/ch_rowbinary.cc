#include "connectors/clickhouse/ch_rowbinary.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "core/utf8.h"
#include "engine/decimal_values.h"

namespace dvt::ch {
namespace {

constexpr uint64_t kUuidSignBit = uint64_t{1} << 63;
constexpr int64_t kMicrosPerSecond = 1000000;
// ClickHouse Date: UInt16 days from 1970-01-01 (up to 2149-06-06).
constexpr int32_t kMaxDate = 65535;
// ClickHouse Date32: 1900-01-01 .. 2299-12-31.
constexpr int32_t kMinDate32 = -25567;
constexpr int32_t kMaxDate32 = 120529;

template <typename T>
inline T load(const char* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T>
inline void append(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

inline void set_validity(uint64_t* validity, idx_t row, bool valid) {
  uint64_t bit = uint64_t{1} << (row % 64);
  if (valid) {
    validity[row / 64] |= bit;
  } else {
    validity[row / 64] &= ~bit;
  }
}

inline bool is_valid(const uint64_t* validity, idx_t row) {
  return !validity || (validity[row / 64] >> (row % 64)) & 1;
}

int64_t power_of_ten(int exponent) {
  int64_t value = 1;
  for (int i = 0; i < exponent; ++i) value *= 10;
  return value;
}

uint32_t simple_width(ChKind kind) {
  switch (kind) {
    case ChKind::kInt8:
    case ChKind::kUInt8:
      return 1;
    case ChKind::kInt16:
    case ChKind::kUInt16:
      return 2;
    case ChKind::kInt32:
    case ChKind::kUInt32:
    case ChKind::kFloat32:
      return 4;
    case ChKind::kInt64:
    case ChKind::kUInt64:
    case ChKind::kFloat64:
      return 8;
    default:
      return 0;
  }
}

}  // namespace

bool read_varuint(const char** p, const char* end, uint64_t* value) {
  uint64_t result = 0;
  const char* cursor = *p;
  for (int shift = 0; shift < 70; shift += 7) {
    if (cursor >= end) return false;
    uint8_t byte = static_cast<uint8_t>(*cursor++);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *value = result;
      *p = cursor;
      return true;
    }
  }
  throw DataError("malformed RowBinary data: a length longer than 10 bytes");
}

void write_varuint(std::string& out, uint64_t value) {
  char bytes[10];
  int size = 0;
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    if (value) byte |= 0x80;
    bytes[size++] = static_cast<char>(byte);
  } while (value);
  out.append(bytes, size);
}

// ---------------------------------------------------------------- decoding

RowBinaryDecoder::RowBinaryDecoder(const std::vector<ChType>& wires, const std::vector<Type>& types,
                                   std::vector<std::string> names, std::string label)
    : names_(std::move(names)), label_(std::move(label)) {
  if (wires.size() != types.size() || wires.size() != names_.size()) {
    throw InternalError("RowBinary decoder: wire types, types and names differ in length");
  }
  nodes_.reserve(wires.size() * 2);
  for (size_t c = 0; c < wires.size(); ++c) roots_.push_back(build(wires[c], types[c], c));
}

int RowBinaryDecoder::build(const ChType& wire, const Type& type, size_t column) {
  Node node;
  node.column = column;
  const ChType* value = &wire;
  while (value->kind == ChKind::kNullable || value->kind == ChKind::kLowCardinality) {
    if (value->kind == ChKind::kNullable) node.nullable = true;
    value = &value->children[0];
  }
  auto mismatch = [&] {
    throw InternalError(fmt::format("RowBinary decoder: ClickHouse {} cannot be read as {}",
                                    wire.spelling, type.sql()));
  };
  switch (value->kind) {
    case ChKind::kInt8:
    case ChKind::kInt16:
    case ChKind::kInt32:
    case ChKind::kInt64:
    case ChKind::kUInt8:
    case ChKind::kUInt16:
    case ChKind::kUInt32:
    case ChKind::kUInt64:
    case ChKind::kFloat32:
    case ChKind::kFloat64:
      node.op = Op::kCopy;
      node.bytes = simple_width(value->kind);
      break;
    case ChKind::kDecimal:
      if (type.id != DUCKDB_TYPE_DECIMAL || type.width != value->precision) mismatch();
      node.bytes = static_cast<uint32_t>(value->decimal_bytes());
      node.op = decimal_storage(type.width) == DUCKDB_TYPE_SMALLINT ? Op::kDecimal16 : Op::kCopy;
      break;
    case ChKind::kBool:
      node.op = Op::kBool;
      node.bytes = 1;
      break;
    case ChKind::kDate:
      node.op = Op::kDate;
      node.bytes = 2;
      break;
    case ChKind::kDate32:
      node.op = Op::kDate32;
      node.bytes = 4;
      break;
    case ChKind::kDateTime:
      node.op = Op::kDateTime;
      node.bytes = 4;
      break;
    case ChKind::kDateTime64:
      if (value->precision > 6) mismatch();
      node.op = Op::kDateTime64;
      node.bytes = 8;
      node.multiplier = power_of_ten(6 - value->precision);
      break;
    case ChKind::kUuid:
      node.op = Op::kUuid;
      node.bytes = 16;
      break;
    case ChKind::kEnum8:
    case ChKind::kEnum16: {
      if (type.id != DUCKDB_TYPE_ENUM) mismatch();
      node.op = value->kind == ChKind::kEnum8 ? Op::kEnum8 : Op::kEnum16;
      node.bytes = value->kind == ChKind::kEnum8 ? 1 : 2;
      size_t dictionary = type.names.size();
      node.enum_storage = dictionary <= 255     ? DUCKDB_TYPE_UTINYINT
                          : dictionary <= 65535 ? DUCKDB_TYPE_USMALLINT
                                                : DUCKDB_TYPE_UINTEGER;
      int32_t low = std::numeric_limits<int32_t>::max(), high = std::numeric_limits<int32_t>::min();
      for (const auto& [label, code] : value->enum_values) {
        low = std::min<int32_t>(low, code);
        high = std::max<int32_t>(high, code);
      }
      node.enum_min = low;
      node.enum_index.assign(static_cast<size_t>(high - low + 1), -1);
      // duck_type() lists the labels in code order: the dictionary index of
      // the i-th smallest code is i.
      auto by_code = value->enum_values;
      std::stable_sort(by_code.begin(), by_code.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
      if (by_code.size() != dictionary) mismatch();
      for (size_t i = 0; i < by_code.size(); ++i) {
        if (type.names[i] != by_code[i].first) mismatch();
        node.enum_index[static_cast<size_t>(by_code[i].second - low)] = static_cast<int32_t>(i);
      }
      break;
    }
    case ChKind::kString:
      node.op = type.id == DUCKDB_TYPE_BLOB ? Op::kBlob : Op::kText;
      break;
    case ChKind::kFixedString:
      node.op = type.id == DUCKDB_TYPE_BLOB ? Op::kFixedBlob : Op::kFixedText;
      node.bytes = value->length;
      break;
    case ChKind::kNothing:
      node.op = Op::kNothing;
      break;
    case ChKind::kArray: {
      if (type.id != DUCKDB_TYPE_LIST) mismatch();
      node.op = Op::kArray;
      int child = build(value->children[0], type.children.at(0), column);
      node.child = child;
      break;
    }
    default:
      mismatch();
  }
  if ((node.op == Op::kText || node.op == Op::kFixedText) && type.id != DUCKDB_TYPE_VARCHAR)
    mismatch();
  nodes_.push_back(std::move(node));
  return static_cast<int>(nodes_.size() - 1);
}

void RowBinaryDecoder::bind(Node& node, duckdb_vector vector) {
  node.vector = vector;
  node.data = duckdb_vector_get_data(vector);
  if (node.nullable) {
    duckdb_vector_ensure_validity_writable(vector);
    node.validity = duckdb_vector_get_validity(vector);
  } else {
    node.validity = nullptr;
  }
  if (node.op == Op::kArray) {
    duckdb_list_vector_set_size(vector, 0);
    node.list_capacity = 0;
    bind(nodes_[static_cast<size_t>(node.child)], duckdb_list_vector_get_child(vector));
  }
}

void RowBinaryDecoder::begin_chunk(duckdb_data_chunk out) {
  row_ = 0;
  capacity_ = duckdb_vector_size();
  for (size_t c = 0; c < roots_.size(); ++c) {
    bind(nodes_[static_cast<size_t>(roots_[c])], duckdb_data_chunk_get_vector(out, c));
  }
}

void RowBinaryDecoder::fail(size_t column, const std::string& what) const {
  throw DataError(fmt::format("{}: row {} column \"{}\": {}", label_, total_rows_ + 1,
                              names_.at(column), what));
}

const char* RowBinaryDecoder::measure(const Node& node, const char* p, const char* end) const {
  if (node.nullable) {
    if (p >= end) return nullptr;
    uint8_t flag = static_cast<uint8_t>(*p++);
    if (flag == 1) return p;
    if (flag != 0)
      fail(node.column, fmt::format("malformed RowBinary data: Nullable flag {}", flag));
  }
  switch (node.op) {
    case Op::kText:
    case Op::kBlob: {
      uint64_t length;
      if (!read_varuint(&p, end, &length)) return nullptr;
      if (length > static_cast<uint64_t>(end - p)) return nullptr;
      return p + length;
    }
    case Op::kArray: {
      uint64_t count;
      if (!read_varuint(&p, end, &count)) return nullptr;
      const Node& child = nodes_[static_cast<size_t>(node.child)];
      if (!child.nullable && child.bytes && child.op != Op::kText && child.op != Op::kBlob &&
          child.op != Op::kArray) {
        if (count > static_cast<uint64_t>(end - p) / child.bytes) return nullptr;
        return p + count * child.bytes;
      }
      for (uint64_t i = 0; i < count; ++i) {
        p = measure(child, p, end);
        if (!p) return nullptr;
      }
      return p;
    }
    case Op::kNothing:
      fail(node.column, "malformed RowBinary data: a value of type Nothing");
    default:
      if (static_cast<size_t>(end - p) < node.bytes) return nullptr;
      return p + node.bytes;
  }
}

const char* RowBinaryDecoder::decode(Node& node, const char* p, idx_t row) {
  if (node.nullable) {
    bool null = *p++ == 1;
    set_validity(node.validity, row, !null);
    if (null) return p;
  }
  switch (node.op) {
    case Op::kCopy:
      std::memcpy(static_cast<char*>(node.data) + row * node.bytes, p, node.bytes);
      return p + node.bytes;
    case Op::kDecimal16:
      static_cast<int16_t*>(node.data)[row] = static_cast<int16_t>(load<int32_t>(p));
      return p + 4;
    case Op::kBool: {
      uint8_t value = static_cast<uint8_t>(*p);
      if (value > 1) fail(node.column, fmt::format("Bool value {} is neither 0 nor 1", value));
      static_cast<bool*>(node.data)[row] = value == 1;
      return p + 1;
    }
    case Op::kDate:
      static_cast<int32_t*>(node.data)[row] = load<uint16_t>(p);
      return p + 2;
    case Op::kDate32:
      static_cast<int32_t*>(node.data)[row] = load<int32_t>(p);
      return p + 4;
    case Op::kDateTime:
      static_cast<int64_t*>(node.data)[row] =
          static_cast<int64_t>(load<uint32_t>(p)) * kMicrosPerSecond;
      return p + 4;
    case Op::kDateTime64: {
      int64_t micros;
      if (__builtin_mul_overflow(load<int64_t>(p), node.multiplier, &micros)) {
        fail(node.column, "DateTime64 value is outside DuckDB's TIMESTAMP range");
      }
      static_cast<int64_t*>(node.data)[row] = micros;
      return p + 8;
    }
    case Op::kUuid: {
      duckdb_hugeint value;
      value.upper = static_cast<int64_t>(load<uint64_t>(p) ^ kUuidSignBit);
      value.lower = load<uint64_t>(p + 8);
      static_cast<duckdb_hugeint*>(node.data)[row] = value;
      return p + 16;
    }
    case Op::kEnum8:
    case Op::kEnum16: {
      int32_t code = node.op == Op::kEnum8 ? load<int8_t>(p) : load<int16_t>(p);
      int64_t slot = static_cast<int64_t>(code) - node.enum_min;
      int32_t index = slot >= 0 && slot < static_cast<int64_t>(node.enum_index.size())
                          ? node.enum_index[static_cast<size_t>(slot)]
                          : -1;
      if (index < 0)
        fail(node.column, fmt::format("Enum code {} is not in the column's type", code));
      switch (node.enum_storage) {
        case DUCKDB_TYPE_UTINYINT:
          static_cast<uint8_t*>(node.data)[row] = static_cast<uint8_t>(index);
          break;
        case DUCKDB_TYPE_USMALLINT:
          static_cast<uint16_t*>(node.data)[row] = static_cast<uint16_t>(index);
          break;
        default:
          static_cast<uint32_t*>(node.data)[row] = static_cast<uint32_t>(index);
      }
      return p + node.bytes;
    }
    case Op::kText:
    case Op::kBlob:
    case Op::kFixedText:
    case Op::kFixedBlob: {
      uint64_t length = node.bytes;
      if (node.op == Op::kText || node.op == Op::kBlob) read_varuint(&p, end_, &length);
      if ((node.op == Op::kText || node.op == Op::kFixedText) && !is_valid_utf8(p, length)) {
        fail(
            node.column,
            "String value is not valid UTF-8; set `strings: blob` on the output to read String and "
            "FixedString columns as BLOB (any bytes), see docs/clickhouse.md#strings");
      }
      duckdb_vector_assign_string_element_len(node.vector, row, p, length);
      return p + length;
    }
    case Op::kArray: {
      uint64_t count = 0;  // measure() saw the whole value
      read_varuint(&p, end_, &count);
      idx_t offset = duckdb_list_vector_get_size(node.vector);
      Node& child = nodes_[static_cast<size_t>(node.child)];
      if (offset + count > node.list_capacity) {
        idx_t capacity = std::max<idx_t>({offset + count, node.list_capacity * 2, 1024});
        if (duckdb_list_vector_reserve(node.vector, capacity) != DuckDBSuccess) {
          fail(node.column, "cannot reserve memory for an Array");
        }
        node.list_capacity = capacity;
        // Reserving moves the child's buffers; its own lists keep their sizes.
        child.data = duckdb_vector_get_data(child.vector);
        if (child.nullable) {
          duckdb_vector_ensure_validity_writable(child.vector);
          child.validity = duckdb_vector_get_validity(child.vector);
        }
      }
      auto* entries = static_cast<duckdb_list_entry*>(node.data);
      entries[row].offset = offset;
      entries[row].length = count;
      for (uint64_t i = 0; i < count; ++i) p = decode(child, p, offset + i);
      duckdb_list_vector_set_size(node.vector, offset + count);
      return p;
    }
    case Op::kNothing:
      fail(node.column, "malformed RowBinary data: a value of type Nothing");
  }
  return p;
}

size_t RowBinaryDecoder::consume(const char* data, size_t size) {
  const char* p = data;
  const char* end = data + size;
  end_ = end;
  const size_t column_count = roots_.size();
  while (row_ < capacity_) {
    // The whole row must be here before any of it is decoded.
    const char* row_end = p;
    for (size_t c = 0; c < column_count && row_end; ++c) {
      row_end = measure(nodes_[static_cast<size_t>(roots_[c])], row_end, end);
    }
    if (!row_end || column_count == 0) break;
    for (size_t c = 0; c < column_count; ++c)
      p = decode(nodes_[static_cast<size_t>(roots_[c])], p, row_);
    ++row_;
    ++total_rows_;
  }
  return static_cast<size_t>(p - data);
}

// ---------------------------------------------------------------- encoding

ValueEncoder::ValueEncoder(const std::vector<ChType>& targets, const std::vector<Type>& wires,
                           std::vector<std::string> names, std::string label)
    : names_(std::move(names)), label_(std::move(label)) {
  if (targets.size() != wires.size() || targets.size() != names_.size()) {
    throw InternalError("ClickHouse encoder: targets, wire types and names differ in length");
  }
  nodes_.reserve(targets.size() * 2);
  for (size_t c = 0; c < targets.size(); ++c) roots_.push_back(build(targets[c], wires[c], c));
}

int ValueEncoder::build(const ChType& target, const Type& wire, size_t column) {
  Node node;
  node.column = column;
  const ChType* value = &target;
  while (value->kind == ChKind::kNullable || value->kind == ChKind::kLowCardinality) {
    if (value->kind == ChKind::kNullable) node.nullable = true;
    value = &value->children[0];
  }
  if (wire != wire_type(target, wire)) {
    throw InternalError(fmt::format("ClickHouse encoder: {} cannot be written as ClickHouse {}",
                                    wire.sql(), target.spelling));
  }
  switch (value->kind) {
    case ChKind::kDecimal:
      node.bytes = static_cast<uint32_t>(value->decimal_bytes());
      node.ch_bytes = node.bytes;
      node.op =
          decimal_storage(value->precision) == DUCKDB_TYPE_SMALLINT ? Op::kDecimal16 : Op::kCopy;
      break;
    case ChKind::kBool:
      node.op = Op::kBool;
      node.ch_bytes = 1;
      break;
    case ChKind::kDate:
      node.op = Op::kDate;
      node.ch_bytes = 2;
      break;
    case ChKind::kDate32:
      node.op = Op::kDate32;
      node.ch_bytes = 4;
      break;
    case ChKind::kDateTime:
      node.op = Op::kDateTime;
      node.ch_bytes = 4;
      break;
    case ChKind::kDateTime64:
      node.op = Op::kDateTime64;
      node.ch_bytes = 8;
      if (value->precision <= 6) {
        node.divisor = power_of_ten(6 - value->precision);
      } else {
        node.multiplier = power_of_ten(value->precision - 6);
      }
      break;
    case ChKind::kUuid:
      node.op = Op::kUuid;
      node.ch_bytes = 16;
      break;
    case ChKind::kEnum8:
    case ChKind::kEnum16:
      node.op = value->kind == ChKind::kEnum8 ? Op::kEnum8 : Op::kEnum16;
      node.ch_bytes = value->kind == ChKind::kEnum8 ? 1 : 2;
      node.enum_codes = value->enum_values;
      std::sort(node.enum_codes.begin(), node.enum_codes.end());
      break;
    case ChKind::kString:
      node.op = Op::kString;
      break;
    case ChKind::kFixedString:
      node.op = Op::kFixedString;
      node.bytes = value->length;
      node.ch_bytes = value->length;
      break;
    case ChKind::kArray:
      node.op = Op::kArray;
      node.child = build(value->children[0], wire.children.at(0), column);
      break;
    default:
      node.op = Op::kCopy;
      node.bytes = simple_width(value->kind);
      node.ch_bytes = node.bytes;
      if (!node.bytes)
        throw InternalError("ClickHouse encoder: no encoding for " + target.spelling);
  }
  nodes_.push_back(std::move(node));
  return static_cast<int>(nodes_.size() - 1);
}

void ValueEncoder::bind(Node& node, duckdb_vector vector) {
  node.data = duckdb_vector_get_data(vector);
  node.validity = duckdb_vector_get_validity(vector);
  if (node.op == Op::kArray) bind(this->node(node.child), duckdb_list_vector_get_child(vector));
}

void ValueEncoder::bind_chunk(duckdb_data_chunk chunk) {
  for (size_t c = 0; c < roots_.size(); ++c) {
    bind(node(roots_[c]), duckdb_data_chunk_get_vector(chunk, c));
  }
}

void ValueEncoder::fail(size_t column, const std::string& what) const {
  throw DataError(
      fmt::format("{}: row {} column \"{}\": {}", label_, row_number_, names_.at(column), what));
}

void ValueEncoder::fail_null(const Node& node) const {
  fail(node.column, node.op == Op::kArray
                        ? "NULL array (ClickHouse arrays cannot be NULL; use an empty array)"
                        : "NULL in a ClickHouse column that is not Nullable");
}

void ValueEncoder::encode_scalar(const Node& node, idx_t row, std::string& out) const {
  switch (node.op) {
    case Op::kCopy:
      out.append(static_cast<const char*>(node.data) + row * node.bytes, node.bytes);
      return;
    case Op::kDecimal16:
      append<int32_t>(out, static_cast<const int16_t*>(node.data)[row]);
      return;
    case Op::kBool:
      out += static_cast<char>(static_cast<const bool*>(node.data)[row] ? 1 : 0);
      return;
    case Op::kDate: {
      int32_t days = static_cast<const int32_t*>(node.data)[row];
      if (days < 0 || days > kMaxDate) {
        fail(node.column, fmt::format("date {} days from 1970-01-01 is outside ClickHouse Date "
                                      "(1970-01-01 .. 2149-06-06)",
                                      days));
      }
      append<uint16_t>(out, static_cast<uint16_t>(days));
      return;
    }
    case Op::kDate32: {
      int32_t days = static_cast<const int32_t*>(node.data)[row];
      if (days < kMinDate32 || days > kMaxDate32) {
        fail(node.column, "date is outside ClickHouse Date32 (1900-01-01 .. 2299-12-31)");
      }
      append<int32_t>(out, days);
      return;
    }
    case Op::kDateTime: {
      int64_t micros = static_cast<const int64_t*>(node.data)[row];
      if (micros % kMicrosPerSecond != 0) {
        fail(node.column,
             "timestamp has a fraction of a second, which ClickHouse DateTime cannot hold "
             "(declare the column DateTime64)");
      }
      int64_t seconds = micros / kMicrosPerSecond;
      if (seconds < 0 || seconds > int64_t{std::numeric_limits<uint32_t>::max()}) {
        fail(node.column,
             "timestamp is outside ClickHouse DateTime (1970-01-01 00:00:00 .. 2106-02-07 06:28:15 "
             "UTC)");
      }
      append<uint32_t>(out, static_cast<uint32_t>(seconds));
      return;
    }
    case Op::kDateTime64: {
      int64_t micros = static_cast<const int64_t*>(node.data)[row];
      if (micros == std::numeric_limits<int64_t>::max() ||
          micros == -std::numeric_limits<int64_t>::max()) {
        fail(node.column, "infinite timestamp has no ClickHouse DateTime64 form");
      }
      int64_t ticks;
      if (micros % node.divisor != 0) {
        fail(node.column, "timestamp has more sub-second digits than the DateTime64 column holds");
      }
      if (__builtin_mul_overflow(micros / node.divisor, node.multiplier, &ticks)) {
        fail(node.column, "timestamp is outside ClickHouse DateTime64");
      }
      append<int64_t>(out, ticks);
      return;
    }
    case Op::kUuid: {
      const auto& value = static_cast<const duckdb_hugeint*>(node.data)[row];
      append<uint64_t>(out, static_cast<uint64_t>(value.upper) ^ kUuidSignBit);
      append<uint64_t>(out, value.lower);
      return;
    }
    case Op::kEnum8:
    case Op::kEnum16: {
      auto* text = &static_cast<duckdb_string_t*>(node.data)[row];
      std::string_view label(duckdb_string_t_data(text), duckdb_string_t_length(*text));
      auto found = std::lower_bound(
          node.enum_codes.begin(), node.enum_codes.end(), label,
          [](const auto& entry, std::string_view key) { return entry.first < key; });
      if (found == node.enum_codes.end() || found->first != label) {
        fail(node.column, fmt::format("'{}' is not a value of the column's Enum", label));
      }
      if (node.op == Op::kEnum8) {
        append<int8_t>(out, static_cast<int8_t>(found->second));
      } else {
        append<int16_t>(out, found->second);
      }
      return;
    }
    case Op::kString: {
      auto* text = &static_cast<duckdb_string_t*>(node.data)[row];
      uint32_t length = duckdb_string_t_length(*text);
      write_varuint(out, length);
      out.append(duckdb_string_t_data(text), length);
      return;
    }
    case Op::kFixedString: {
      auto* text = &static_cast<duckdb_string_t*>(node.data)[row];
      uint32_t length = duckdb_string_t_length(*text);
      if (length > node.bytes) {
        fail(node.column,
             fmt::format("value of {} bytes does not fit FixedString({})", length, node.bytes));
      }
      out.append(duckdb_string_t_data(text), length);
      out.append(node.bytes - length, '\0');
      return;
    }
    case Op::kArray:
      throw InternalError("ClickHouse encoder: an Array is not a scalar");
  }
}

void RowBinaryEncoder::encode_value(Node& node, idx_t row, std::string& out) {
  bool valid = is_valid(node.validity, row);
  if (node.nullable) {
    out += static_cast<char>(valid ? 0 : 1);
    if (!valid) return;
  } else if (!valid) {
    fail_null(node);
  }
  if (node.op != Op::kArray) {
    encode_scalar(node, row, out);
    return;
  }
  const auto& entry = static_cast<const duckdb_list_entry*>(node.data)[row];
  write_varuint(out, entry.length);
  Node& child = this->node(node.child);
  for (uint64_t i = 0; i < entry.length; ++i) encode_value(child, entry.offset + i, out);
}

void RowBinaryEncoder::encode(duckdb_data_chunk chunk, std::string& out, uint64_t first_row) {
  const idx_t rows = duckdb_data_chunk_get_size(chunk);
  const size_t column_count = roots_.size();
  bind_chunk(chunk);
  for (idx_t row = 0; row < rows; ++row) {
    row_number_ = first_row + row + 1;
    for (size_t c = 0; c < column_count; ++c) encode_value(node(roots_[c]), row, out);
  }
}

}  // namespace dvt::ch
