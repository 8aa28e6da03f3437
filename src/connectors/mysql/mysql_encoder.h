// Turns incoming chunks into the text MySQL loads: LOAD DATA lines (tab
// separated, backslash escaped, \N for NULL) or INSERT value lists. Works on
// the chunk's raw vectors, one switch per value; no strings per cell.
#pragma once

#include <duckdb.h>

#include <string>
#include <vector>

#include "connectors/mysql/mysql_types.h"

namespace dvt::mysql {

struct EncodedColumn {
  std::string name;
  MysqlTargetType target;   // encoding of the incoming values
  bool bit_target = false;  // the target column is BIT(n): numbers go in via CAST(.. AS UNSIGNED)
  // The target column is YEAR: integers go in as 4 digits, because MySQL reads
  // the strings '0'..'99' as 2000..2099 and 1970..1999.
  bool year_target = false;
};

class MysqlRowEncoder {
 public:
  // `label` names the target for error messages.
  MysqlRowEncoder(std::vector<EncodedColumn> columns, std::string label);

  // Caches the vectors of `chunk` (whose columns have the targets' wire types).
  // `first_row_number` is the 1-based number of its first row in the load.
  void begin(duckdb_data_chunk chunk, uint64_t first_row_number);

  // Appends row `row` as one LOAD DATA line, newline included.
  void append_load_data_row(idx_t row, std::string& out);
  // Appends row `row` as "(v1,v2,...)".
  void append_insert_row(idx_t row, std::string& out);

  // The column list and SET clause of LOAD DATA for these columns: bytes
  // arrive as hex (UNHEX), numbers bound for BIT columns through CAST.
  std::string load_data_columns() const;

  const std::vector<EncodedColumn>& columns() const { return columns_; }

 private:
  struct Slot {
    void* data = nullptr;
    uint64_t* validity = nullptr;
  };
  // Writes the value's text (numbers, dates, times) into `buffer`; returns its
  // end. Not for kText/kBlob.
  char* format_scalar(size_t column, idx_t row, char* buffer);
  // Appends what format_scalar writes, padded for a YEAR target.
  void append_scalar(size_t column, idx_t row, std::string& out);
  [[noreturn]] void reject(size_t column, idx_t row, const std::string& why) const;

  std::vector<EncodedColumn> columns_;
  std::vector<Slot> slots_;
  std::string label_;
  uint64_t first_row_number_ = 1;
};

// Appends `data` as the body of a single-quoted SQL string (backslash, quote,
// NUL, CR, LF and Ctrl-Z escaped as mysql_real_escape_string does). REQUIRES
// a session without NO_BACKSLASH_ESCAPES (dvt's writer sessions).
void append_sql_escaped(std::string& out, const char* data, size_t size);

}  // namespace dvt::mysql
