// Reads a result through an ODBC driver with column-wise bound row arrays:
// each fetch fills one block of rows, whose size is chosen by bytes (about
// 4 MiB of buffers), and the values are copied from the buffers straight
// into the engine's vectors. A value longer than its bound buffer (text and
// bytes whose length the driver cannot bound) is read in full with
// SQLGetData, in parts: on the row of the block where the driver can
// position there (SQLSetPos), else with blocks of one row.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/odbc/odbc_connection.h"
#include "connectors/odbc/odbc_types.h"
#include "core/batch.h"

namespace dvt::odbc {

// Reading a table in pages of its key, for drivers that hold a whole result
// in memory: the first page's SQL, the next pages' (one `?` for each key
// column, the last key read), and the rows a page holds.
struct KeyPages {
  std::string next_sql;
  std::vector<size_t> key;  // result columns of the key (integers or text)
  uint64_t page_rows = 0;
  std::string end_sql;  // ends the snapshot the pages are read in
};

class OdbcReader : public BatchReader {
 public:
  // `statement` has executed the query whose result has `columns` (mapped
  // in the same order as `schema`). Throws DataError when binding fails.
  OdbcReader(std::unique_ptr<OdbcConnection> connection, Handle statement, TableSchema schema,
             std::vector<MappedColumn> columns, std::string label,
             std::optional<KeyPages> pages = std::nullopt);
  ~OdbcReader() override;

  const TableSchema& schema() const override { return schema_; }
  std::vector<Type> wire_types() const override;
  bool next(duckdb_data_chunk out) override;
  uint64_t bytes_read() const override { return bytes_; }

  // Rows per fetch (for tests of the sizing rule).
  size_t rows_per_fetch() const { return rows_per_fetch_; }

 private:
  struct Binding {
    SQLSMALLINT c_type = SQL_C_CHAR;
    size_t stride = 0;          // bytes per row in `buffer`
    size_t value_capacity = 0;  // value bytes a row holds without a terminator
    bool variable = false;      // text or bytes
    bool wide = false;          // SQL_C_WCHAR
    bool may_truncate = false;  // a value may not fit the buffer
    std::vector<char> buffer;
    std::vector<SQLLEN> indicators;
  };

  void bind();
  bool fetch();
  // Runs the next page's query, from the last key read; false when the
  // last page was not full.
  bool next_page();
  // Keeps the key of chunk row `row` of `out` for the next page.
  void remember_key(duckdb_data_chunk out, idx_t row);
  // Copies rows [pos_, pos_ + count) of the block into `out` from row `at`;
  // returns how many it copied (fewer when the chunk's bytes are reached).
  size_t copy_rows(duckdb_data_chunk out, size_t at, size_t count);
  // A value that did not fit its buffer, read in full.
  void read_long_value(size_t column, size_t block_row, std::string& out);
  void store_text(duckdb_vector vector, size_t column, idx_t row, const char* data, size_t size);

  std::unique_ptr<OdbcConnection> connection_;
  Handle statement_;
  TableSchema schema_;
  std::vector<MappedColumn> columns_;
  std::string label_;
  std::vector<Binding> bindings_;
  size_t rows_per_fetch_ = 1;
  bool positioned_ = false;  // SQLSetPos + SQLGetData work on a block
  SQLULEN fetched_ = 0;
  size_t pos_ = 0;
  bool done_ = false;
  bool bound_ = false;
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
  uint64_t chunk_bytes_ = 0;  // value bytes in the chunk being filled
  std::string scratch_;
  std::optional<KeyPages> pages_;
  uint64_t page_rows_read_ = 0;
  std::vector<std::string> last_key_;
  std::vector<SQLLEN> last_key_lengths_;
  bool next_prepared_ = false;
};

}  // namespace dvt::odbc
