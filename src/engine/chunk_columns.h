// Read access to the columns of one DuckDB data chunk, for the writers that
// encode it value by value: each column's vector, data and validity mask are
// fetched once per chunk rather than once per value.
#pragma once

#include <duckdb.h>

#include <cstddef>
#include <vector>

namespace dvt {

class ChunkColumns {
 public:
  ChunkColumns(duckdb_data_chunk chunk, size_t count)
      : vectors_(count), data_(count), validity_(count) {
    for (size_t c = 0; c < count; ++c) {
      vectors_[c] = duckdb_data_chunk_get_vector(chunk, c);
      data_[c] = duckdb_vector_get_data(vectors_[c]);
      validity_[c] = duckdb_vector_get_validity(vectors_[c]);
    }
  }

  duckdb_vector vector(size_t column) const { return vectors_[column]; }
  void* data(size_t column) const { return data_[column]; }
  // A column with no validity mask has no NULLs.
  bool is_null(size_t column, idx_t row) const {
    return validity_[column] && !duckdb_validity_row_is_valid(validity_[column], row);
  }

 private:
  std::vector<duckdb_vector> vectors_;
  std::vector<void*> data_;
  std::vector<uint64_t*> validity_;
};

}  // namespace dvt
