#include "engine/handles.h"

#include <fmt/format.h>

#include "core/error.h"

namespace dvt {

DataChunk::DataChunk(const std::vector<Type>& types) {
  std::vector<LogicalType> owned;
  owned.reserve(types.size());
  std::vector<duckdb_logical_type> handles;
  for (const auto& type : types) {
    owned.emplace_back(type);
    handles.push_back(owned.back().get());
  }
  chunk_ = duckdb_create_data_chunk(handles.data(), handles.size());
}

DataChunk& DataChunk::operator=(DataChunk&& other) noexcept {
  if (this != &other) {
    reset();
    chunk_ = other.chunk_;
    other.chunk_ = nullptr;
  }
  return *this;
}

void DataChunk::reset() {
  if (chunk_) duckdb_destroy_data_chunk(&chunk_);
  chunk_ = nullptr;
}

Database::Database(const std::string& path,
                   const std::vector<std::pair<std::string, std::string>>& options) {
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError)
    throw InternalError("duckdb_create_config failed");
  for (const auto& [name, value] : options) {
    if (duckdb_set_config(config, name.c_str(), value.c_str()) == DuckDBError) {
      duckdb_destroy_config(&config);
      throw InternalError(fmt::format("DuckDB rejected setting {}={}", name, value));
    }
  }
  char* error = nullptr;
  const char* open_path = path.empty() ? nullptr : path.c_str();
  duckdb_state state = duckdb_open_ext(open_path, &database_, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error ? error : "unknown error";
    duckdb_free(error);
    throw ConnectionError(fmt::format("cannot open DuckDB database {}: {}",
                                      path.empty() ? ":memory:" : path, message));
  }
  if (duckdb_connect(database_, &connection_) == DuckDBError) {
    duckdb_close(&database_);
    throw ConnectionError("cannot connect to DuckDB database " + path);
  }
}

Database::~Database() {
  duckdb_disconnect(&connection_);
  duckdb_close(&database_);
}

}  // namespace dvt
