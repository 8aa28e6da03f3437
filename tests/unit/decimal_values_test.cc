#include "engine/decimal_values.h"

#include <gtest/gtest.h>

#include <cstring>

#include "engine/engine.h"

namespace dvt {
namespace {

// The largest unscaled value of `digits` digits: 99...9.
__int128 nines(int digits) {
  __int128 value = 0;
  for (int i = 0; i < digits; ++i) value = value * 10 + 9;
  return value;
}

TEST(DecimalValues, ReadAndWriteDuckDbsOwnLayoutAtEveryWidth) {
  // The extremes of each storage size, as DuckDB itself lays them out.
  Engine engine;
  QueryStream stream(engine,
                     "SELECT -99.99::DECIMAL(4,2), 999999999::DECIMAL(9,0), "
                     "-999999999999999999::DECIMAL(18,0), "
                     "99999999999999999999999999999999999999::DECIMAL(38,0), "
                     "-99999999999999999999999999999999999999::DECIMAL(38,0), "
                     "-18446744073709551616::DECIMAL(20,0)");
  DataChunk chunk = stream.next();
  ASSERT_EQ(chunk.size(), 1u);
  const uint8_t widths[] = {4, 9, 18, 38, 38, 20};
  const __int128 expected[] = {-nines(4), nines(9),   -nines(18),
                               nines(38), -nines(38), -(__int128{1} << 64)};
  const size_t bytes[] = {2, 4, 8, 16, 16, 16};
  DataChunk written(std::vector<Type>{Type::decimal(4, 2), Type::decimal(9, 0),
                                      Type::decimal(18, 0), Type::decimal(38, 0),
                                      Type::decimal(38, 0), Type::decimal(20, 0)});
  for (size_t c = 0; c < 6; ++c) {
    SCOPED_TRACE(c);
    duckdb_vector vector = duckdb_data_chunk_get_vector(chunk.get(), c);
    duckdb_logical_type logical = duckdb_vector_get_column_type(vector);
    EXPECT_EQ(decimal_storage(widths[c]), duckdb_decimal_internal_type(logical));
    duckdb_destroy_logical_type(&logical);
    const void* data = duckdb_vector_get_data(vector);
    EXPECT_TRUE(get_unscaled(decimal_storage(widths[c]), data, 0) == expected[c]);

    void* out = duckdb_vector_get_data(duckdb_data_chunk_get_vector(written.get(), c));
    set_unscaled(decimal_storage(widths[c]), out, 0, expected[c]);
    EXPECT_EQ(std::memcmp(out, data, bytes[c]), 0);
  }
}

}  // namespace
}  // namespace dvt
