#include "connectors/clickhouse/ch_native.h"

#include <cstring>

#include "core/error.h"

namespace dvt::ch {
namespace {

inline bool is_valid(const uint64_t* validity, idx_t row) {
  return !validity || (validity[row / 64] >> (row % 64)) & 1;
}

void write_text(std::string& out, const std::string& text) {
  write_varuint(out, text.size());
  out += text;
}

}  // namespace

bool NativeEncoder::supports(const ChType& target) {
  if (target.kind == ChKind::kLowCardinality) return false;
  for (const auto& child : target.children) {
    if (!supports(child)) return false;
  }
  return true;
}

NativeEncoder::NativeEncoder(const std::vector<ChType>& targets, const std::vector<Type>& wires,
                             std::vector<std::string> names, std::string label)
    : ValueEncoder(targets, wires, std::move(names), std::move(label)), targets_(targets) {
  for (const auto& target : targets_) {
    if (!supports(target)) {
      throw InternalError("Native encoder: no Native encoding for ClickHouse " + target.spelling);
    }
  }
  streams_.resize(nodes_.size());
}

size_t NativeEncoder::bytes() const {
  size_t total = 0;
  for (const auto& streams : streams_) {
    total += streams.null_map.size() + streams.offsets.size() + streams.values.size();
  }
  return total;
}

void NativeEncoder::add(duckdb_data_chunk chunk, uint64_t first_row) {
  const idx_t rows = duckdb_data_chunk_get_size(chunk);
  bind_chunk(chunk);
  first_row_ = first_row;
  for (int root : roots_) add_values(root, 0, rows, true);
  rows_ += rows;
}

void NativeEncoder::add_default(const Node& node, Streams& streams) {
  switch (node.op) {
    case Op::kString:
      streams.values += '\0';  // length 0
      return;
    case Op::kArray: {
      uint64_t end = streams.elements;  // an empty array
      streams.offsets.append(reinterpret_cast<const char*>(&end), sizeof(end));
      return;
    }
    default:
      streams.values.append(node.ch_bytes, '\0');
  }
}

void NativeEncoder::add_values(int index, idx_t begin, idx_t count, bool top) {
  Node& node = this->node(index);
  Streams& streams = streams_[static_cast<size_t>(index)];
  const uint64_t* validity = node.validity;
  if (node.nullable) {
    size_t at = streams.null_map.size();
    streams.null_map.resize(at + count, '\0');
    if (validity) {
      for (idx_t i = 0; i < count; ++i) {
        if (!is_valid(validity, begin + i)) streams.null_map[at + i] = 1;
      }
    }
  } else if (validity) {
    for (idx_t i = 0; i < count; ++i) {
      if (!is_valid(validity, begin + i)) {
        if (top) row_number_ = first_row_ + begin + i + 1;
        fail_null(node);
      }
    }
  }
  if (node.op == Op::kCopy) {
    // DuckDB holds these values in ClickHouse's bytes: copy them at once,
    // then zero the places of NULLs (whatever the vector held there).
    size_t at = streams.values.size();
    streams.values.append(static_cast<const char*>(node.data) + begin * node.bytes,
                          count * node.bytes);
    if (node.nullable && validity) {
      for (idx_t i = 0; i < count; ++i) {
        if (!is_valid(validity, begin + i))
          std::memset(streams.values.data() + at + i * node.bytes, 0, node.bytes);
      }
    }
    return;
  }
  for (idx_t i = 0; i < count; ++i) {
    idx_t row = begin + i;
    if (top) row_number_ = first_row_ + row + 1;
    if (!is_valid(validity, row)) {  // a NULL of a Nullable node (checked above)
      add_default(node, streams);
      continue;
    }
    if (node.op != Op::kArray) {
      encode_scalar(node, row, streams.values);
      continue;
    }
    const auto& entry = static_cast<const duckdb_list_entry*>(node.data)[row];
    streams.elements += entry.length;
    streams.offsets.append(reinterpret_cast<const char*>(&streams.elements),
                           sizeof(streams.elements));
    add_values(node.child, entry.offset, entry.length, false);
  }
}

void NativeEncoder::write_column(int index, std::string& out) {
  const Node& node = this->node(index);
  const Streams& streams = streams_[static_cast<size_t>(index)];
  out += streams.null_map;
  if (node.op == Op::kArray) {
    out += streams.offsets;
    write_column(node.child, out);
  } else {
    out += streams.values;
  }
}

void NativeEncoder::clear(int index) {
  Streams& streams = streams_[static_cast<size_t>(index)];
  streams.null_map.clear();
  streams.offsets.clear();
  streams.values.clear();
  streams.elements = 0;
  const Node& node = this->node(index);
  if (node.op == Op::kArray) clear(node.child);
}

void NativeEncoder::flush(std::string& out) {
  if (rows_ == 0) return;
  // Block: column count, row count, then each column's name, type and values.
  write_varuint(out, roots_.size());
  write_varuint(out, rows_);
  for (size_t c = 0; c < roots_.size(); ++c) {
    write_text(out, names_[c]);
    write_text(out, targets_[c].spelling);
    write_column(roots_[c], out);
    clear(roots_[c]);
  }
  rows_ = 0;
}

}  // namespace dvt::ch
