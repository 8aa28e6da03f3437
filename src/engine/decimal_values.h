// DuckDB keeps a DECIMAL's unscaled value as a 16-, 32-, 64- or 128-bit
// integer, by precision. These read and write one value of a DECIMAL vector
// as a 128-bit integer, for the readers and writers that convert each value.
#pragma once

#include <duckdb.h>

#include <cstdint>

namespace dvt {

// The physical type of a DECIMAL of precision `width`.
constexpr duckdb_type decimal_storage(uint8_t width) {
  if (width <= 4) return DUCKDB_TYPE_SMALLINT;
  if (width <= 9) return DUCKDB_TYPE_INTEGER;
  if (width <= 18) return DUCKDB_TYPE_BIGINT;
  return DUCKDB_TYPE_HUGEINT;
}

inline __int128 get_unscaled(duckdb_type storage, const void* data, idx_t row) {
  switch (storage) {
    case DUCKDB_TYPE_SMALLINT:
      return static_cast<const int16_t*>(data)[row];
    case DUCKDB_TYPE_INTEGER:
      return static_cast<const int32_t*>(data)[row];
    case DUCKDB_TYPE_BIGINT:
      return static_cast<const int64_t*>(data)[row];
    default: {
      const duckdb_hugeint& value = static_cast<const duckdb_hugeint*>(data)[row];
      return (static_cast<__int128>(value.upper) << 64) | static_cast<__int128>(value.lower);
    }
  }
}

// `value` must fit the storage (the caller checked it against the precision).
inline void set_unscaled(duckdb_type storage, void* data, idx_t row, __int128 value) {
  switch (storage) {
    case DUCKDB_TYPE_SMALLINT:
      static_cast<int16_t*>(data)[row] = static_cast<int16_t>(value);
      return;
    case DUCKDB_TYPE_INTEGER:
      static_cast<int32_t*>(data)[row] = static_cast<int32_t>(value);
      return;
    case DUCKDB_TYPE_BIGINT:
      static_cast<int64_t*>(data)[row] = static_cast<int64_t>(value);
      return;
    default: {
      duckdb_hugeint& out = static_cast<duckdb_hugeint*>(data)[row];
      out.lower = static_cast<uint64_t>(value);
      out.upper = static_cast<int64_t>(value >> 64);
      return;
    }
  }
}

}  // namespace dvt
