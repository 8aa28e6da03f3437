// Small helpers for tests that pin byte layouts and read engine chunks.
#pragma once

#include <stdexcept>
#include <string>

#include "engine/engine.h"
#include "engine/handles.h"

namespace dvt::test {

// "0a ff" -> bytes; spaces between byte pairs are ignored.
inline std::string unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    if (hex[i] == ' ') {
      --i;
      continue;
    }
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return out;
}

// Bytes as lowercase hex, no separators.
inline std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// The first chunk a small query yields.
inline DataChunk query_chunk(Engine& engine, const std::string& sql) {
  auto stream = engine.stream(sql);
  DataChunk chunk = stream->next();
  if (!chunk) throw std::runtime_error("no rows");
  return chunk;
}

}  // namespace dvt::test
