// Readers of MySQL rows. The native one runs the SELECT as a prepared
// statement and fetches its binary-protocol rows unbuffered: each row is read
// off the socket as it is decoded, the client never holds the result, and
// the server never materializes it (no cursor). Binary rows cost the server
// far less than text (no number or date formatting) and carry FLOAT, DOUBLE
// and temporal values exactly. The pipe one parses `mysql --batch` text.
// Both decode through one MysqlRowDecoder straight into DuckDB vectors.
#pragma once

#include <duckdb.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_types.h"
#include "connectors/pipe/child_process.h"
#include "core/batch.h"

namespace dvt::mysql {

// Decodes text values into the vectors of one chunk, column by column.
// Knows the zero-date rule (docs/mysql.md#zero-dates) and counts its uses.
class MysqlRowDecoder {
 public:
  MysqlRowDecoder(const TableSchema& schema, std::vector<MysqlColumnType> columns,
                  ZeroDates zero_dates, std::string label);

  // Caches the vectors of `out` for the values that follow.
  void begin(duckdb_data_chunk out);
  // The source row number (1-based) for error messages.
  void set_row_number(uint64_t row_number) { row_number_ = row_number; }

  void set_null(size_t column, idx_t row) {
    duckdb_validity_set_row_invalid(slots_[column].validity, row);
  }
  // Stores one value given as text. Throws DataError naming the column and
  // row when it is not a value of the column's type (or a zero date under
  // zero_dates: error).
  void set_value(size_t column, idx_t row, const char* data, size_t size);
  // Stores a fixed-width binary value (REQUIRES: T is the vector's type).
  template <typename T>
  void set_fixed(size_t column, idx_t row, T value) {
    static_cast<T*>(slots_[column].data)[row] = value;
  }
  // Stores a binary DATE, DATETIME, TIMESTAMP or TIME value; throws as
  // set_value.
  void set_time(size_t column, idx_t row, const MYSQL_TIME& time);

  // One sentence per column that had zero dates read as NULL.
  std::vector<std::string> warnings() const;

 private:
  struct Slot {
    duckdb_vector vector = nullptr;
    void* data = nullptr;
    uint64_t* validity = nullptr;
  };
  [[noreturn]] void reject(size_t column, const char* data, size_t size, const char* why) const;
  bool zero_date(size_t column, idx_t row, const char* data, size_t size);

  TableSchema schema_;
  std::vector<MysqlColumnType> columns_;
  std::vector<Slot> slots_;
  std::vector<uint64_t> zero_dates_seen_;
  ZeroDates zero_dates_;
  std::string label_;
  uint64_t row_number_ = 0;
};

// Streams the rows of one SELECT over its own connection.
class MysqlNativeReader : public BatchReader {
 public:
  // `schema` and `columns` describe the result of `sql` (one entry per
  // result column). The query starts on the first next().
  MysqlNativeReader(std::unique_ptr<MysqlConnection> connection, std::string sql,
                    TableSchema schema, std::vector<MysqlColumnType> columns, std::string label);
  ~MysqlNativeReader() override;
  MysqlNativeReader(const MysqlNativeReader&) = delete;
  MysqlNativeReader& operator=(const MysqlNativeReader&) = delete;

  const TableSchema& schema() const override { return schema_; }
  bool next(duckdb_data_chunk out) override;
  uint64_t bytes_read() const override { return bytes_; }
  std::vector<std::string> warnings() const override { return decoder_.warnings(); }
  // Makes a next() blocked on the network fail at once. Callable from any
  // thread.
  void cancel() noexcept { connection_->cancel(); }

 private:
  // Where mysql_stmt_fetch puts one column's value of the current row.
  struct Binding {
    union {
      int64_t integer;
      double real;
      float single;
      MYSQL_TIME time;
    } fixed;
    std::vector<char> bytes;  // strings, decimals, bits; grown to the longest value
    unsigned long length = 0;
    my_bool is_null = 0;
    my_bool error = 0;
  };

  void start();
  void bind();
  void decode_row(idx_t row);
  [[noreturn]] void raise_statement(const std::string& doing) const;

  std::unique_ptr<MysqlConnection> connection_;
  std::string sql_;
  TableSchema schema_;
  std::vector<MysqlColumnType> columns_;
  MysqlRowDecoder decoder_;
  std::string label_;
  std::unique_ptr<MysqlStatement> statement_;
  std::vector<MYSQL_BIND> binds_;
  std::vector<Binding> bindings_;
  std::vector<size_t> byte_columns_;  // columns bound to a growable byte buffer
  bool started_ = false;
  bool done_ = false;
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
};

// The command line and environment of the mysql/mariadb client for `settings`
// (password in MYSQL_PWD, never in argv), running `sql` with -e. `extra`
// options go before -e.
ChildOptions client_command(const MysqlSettings& settings, const std::string& sql,
                            const std::vector<std::string>& extra);

// Streams the rows `mysql --batch` prints for one SELECT. Each column whose
// text could be the word NULL is selected as CONCAT('V', c)
// (pipe_select_expression), so the bare word NULL is always a NULL.
class MysqlPipeReader : public BatchReader {
 public:
  // `marked[i]`: column i was selected with the 'V' marker.
  MysqlPipeReader(const MysqlSettings& settings, std::string sql, TableSchema schema,
                  std::vector<MysqlColumnType> columns, std::vector<bool> marked,
                  std::string label);

  const TableSchema& schema() const override { return schema_; }
  bool next(duckdb_data_chunk out) override;
  uint64_t bytes_read() const override { return bytes_; }
  std::vector<std::string> warnings() const override { return decoder_.warnings(); }
  // Stops the client, so a next() blocked on its output ends. Callable from
  // any thread.
  void cancel() noexcept;

 private:
  // The next complete line (without its newline) in the buffer, reading more
  // from the child as needed; false at the end of the output.
  bool next_line(char*& line, size_t& size);
  void decode_line(char* line, size_t size, idx_t row);

  MysqlSettings settings_;
  std::string sql_;
  TableSchema schema_;
  std::vector<MysqlColumnType> columns_;
  std::vector<bool> marked_;
  std::vector<bool> null_word_is_null_;
  MysqlRowDecoder decoder_;
  std::string label_;
  std::unique_ptr<ChildProcess> child_;
  std::mutex child_mutex_;  // guards child_pid_ against reuse of a reaped pid
  pid_t child_pid_ = -1;    // the running client, or -1
  std::vector<char> buffer_;
  size_t begin_ = 0, end_ = 0;  // unread bytes of buffer_
  bool eof_ = false;
  bool done_ = false;
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace dvt::mysql
