// RAII owners for DuckDB C API handles. Each handle type has exactly one
// owner; nothing else in dvt calls a duckdb_destroy_* function.
#pragma once

#include <duckdb.h>

#include <string>
#include <vector>

#include "core/type.h"

namespace dvt {

// Owns one data chunk.
class DataChunk {
 public:
  explicit DataChunk(const std::vector<Type>& types);
  explicit DataChunk(duckdb_data_chunk adopted) : chunk_(adopted) {}
  DataChunk() = default;
  ~DataChunk() { reset(); }
  DataChunk(DataChunk&& other) noexcept : chunk_(other.chunk_) { other.chunk_ = nullptr; }
  DataChunk& operator=(DataChunk&& other) noexcept;
  DataChunk(const DataChunk&) = delete;
  DataChunk& operator=(const DataChunk&) = delete;

  duckdb_data_chunk get() const { return chunk_; }
  explicit operator bool() const { return chunk_ != nullptr; }
  idx_t size() const { return duckdb_data_chunk_get_size(chunk_); }
  void reset();

 private:
  duckdb_data_chunk chunk_ = nullptr;
};

// Owns one materialized or streaming query result.
class Result {
 public:
  Result() = default;
  ~Result() { duckdb_destroy_result(&result_); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result(Result&&) = delete;

  duckdb_result* get() { return &result_; }
  std::string error() { return duckdb_result_error(&result_) ? duckdb_result_error(&result_) : ""; }

 private:
  duckdb_result result_ = {};
};

class PreparedStatement {
 public:
  PreparedStatement() = default;
  ~PreparedStatement() { duckdb_destroy_prepare(&statement_); }
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;
  duckdb_prepared_statement* out() { return &statement_; }
  duckdb_prepared_statement get() const { return statement_; }

 private:
  duckdb_prepared_statement statement_ = nullptr;
};

class PendingResult {
 public:
  PendingResult() = default;
  ~PendingResult() { duckdb_destroy_pending(&pending_); }
  PendingResult(const PendingResult&) = delete;
  PendingResult& operator=(const PendingResult&) = delete;
  duckdb_pending_result* out() { return &pending_; }
  duckdb_pending_result get() const { return pending_; }

 private:
  duckdb_pending_result pending_ = nullptr;
};

// Owns a string DuckDB allocated for the caller (freed with duckdb_free).
class DuckString {
 public:
  explicit DuckString(const char* adopted) : text_(adopted) {}
  ~DuckString() { duckdb_free(const_cast<char*>(text_)); }
  DuckString(const DuckString&) = delete;
  DuckString& operator=(const DuckString&) = delete;
  // The text, or "" for a null string.
  std::string str() const { return text_ ? text_ : ""; }

 private:
  const char* text_;
};

// Owns a database and one connection to it.
class Database {
 public:
  // `path` empty or ":memory:" for an in-memory database. `options` are
  // DuckDB configuration settings (name, value).
  Database(const std::string& path,
           const std::vector<std::pair<std::string, std::string>>& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  duckdb_connection connection() const { return connection_; }

 private:
  duckdb_database database_ = nullptr;
  duckdb_connection connection_ = nullptr;
};

}  // namespace dvt
