#include "support/embedded.h"

#include <sqlite3.h>

#include <stdexcept>

#include "engine/engine.h"

namespace dvt::test {

namespace {

struct SqliteHandle {
  explicit SqliteHandle(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
  }
  ~SqliteHandle() { sqlite3_close(db); }
  sqlite3* db = nullptr;
};

}  // namespace

void sqlite_exec(const std::string& path, const std::string& sql) {
  SqliteHandle handle(path);
  char* error = nullptr;
  if (sqlite3_exec(handle.db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error("sqlite: " + message);
  }
}

Rows sqlite_query(const std::string& path, const std::string& sql) {
  SqliteHandle handle(path);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(handle.db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(handle.db));
  }
  Rows rows;
  while (sqlite3_step(statement) == SQLITE_ROW) {
    std::vector<std::optional<std::string>> row;
    for (int i = 0; i < sqlite3_column_count(statement); ++i) {
      if (sqlite3_column_type(statement, i) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
      } else {
        const char* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
        row.emplace_back(
            std::string(text, static_cast<size_t>(sqlite3_column_bytes(statement, i))));
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_finalize(statement);
  return rows;
}

Rows duck_query(const std::string& sql) {
  Engine engine;
  return engine.query_strings(sql);
}

}  // namespace dvt::test
