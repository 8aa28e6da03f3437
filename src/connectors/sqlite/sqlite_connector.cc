#include "connectors/sqlite/sqlite_connector.h"

#include <sqlite3.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "connectors/load_plan.h"
#include "connectors/load_runner.h"
#include "connectors/sqlite/sqlite_dialect.h"
#include "connectors/sqlite/sqlite_types.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/output_config.h"
#include "core/utf8.h"
#include "engine/chunk_columns.h"

namespace dvt {
namespace {

using sqlite::SqliteColumnType;
using sqlite::WireKind;

// SQLite quotes identifiers the standard way.
std::string quote(const std::string& identifier) {
  return sql_identifier(identifier);
}

std::string qualified(const TableRef& table) {
  return table.schema.empty() ? quote(table.name) : quote(table.schema) + "." + quote(table.name);
}

// The SQLite files this process is reading right now. A writer into one of
// them would wait forever for the reader's lock in rollback-journal mode.
class OpenReads {
 public:
  static OpenReads& instance() {
    static OpenReads reads;
    return reads;
  }
  void add(const std::string& path) {
    std::lock_guard lock(mutex_);
    paths_.insert(path);
  }
  void remove(const std::string& path) {
    std::lock_guard lock(mutex_);
    if (auto found = paths_.find(path); found != paths_.end()) paths_.erase(found);
  }
  bool contains(const std::string& path) {
    std::lock_guard lock(mutex_);
    return paths_.contains(path);
  }

 private:
  std::mutex mutex_;
  std::multiset<std::string> paths_;
};

std::string canonical_path(const std::string& path) {
  std::error_code error;
  auto canonical = std::filesystem::weakly_canonical(path, error);
  return error ? path : canonical.string();
}

// Owns one sqlite3 connection.
class SqliteDatabase {
 public:
  SqliteDatabase(const std::string& path, bool writable, const std::string& output_name)
      : path_(path) {
    int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    if (!writable && !std::filesystem::exists(path)) {
      throw ConnectionError(
          fmt::format("output '{}': SQLite database {} does not exist", output_name, path));
    }
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw ConnectionError(fmt::format("output '{}': cannot open SQLite database {}: {}",
                                        output_name, path, message));
    }
    sqlite3_busy_handler(db_, &SqliteDatabase::on_busy, nullptr);
  }
  ~SqliteDatabase() { sqlite3_close_v2(db_); }
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

  // Another connection holds the lock: wait up to 10 s, but stop at once on Ctrl-C.
  static int on_busy(void*, int attempts) {
    if (interrupted() || attempts >= 200) return 0;
    sqlite3_sleep(50);
    return 1;
  }
  std::string error() const { return sqlite3_errmsg(db_); }

  void execute(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : error();
      sqlite3_free(message);
      throw DataError(fmt::format("SQLite {}: {} (in: {})", path_, text, sql));
    }
  }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// Owns one prepared statement.
class SqliteStatement {
 public:
  SqliteStatement(SqliteDatabase& db, const std::string& sql) {
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK) {
      throw SqlError(
          fmt::format("SQLite {}: SQL error (in SQLite): {} (in: {})", db.path(), db.error(), sql));
    }
  }
  ~SqliteStatement() { sqlite3_finalize(statement_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  sqlite3_stmt* get() const { return statement_; }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

// Shortest text that reads back as exactly `value`.
std::string exact_double_text(double value) {
  char buffer[32];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

class SqliteReader : public BatchReader {
 public:
  SqliteReader(std::unique_ptr<SqliteDatabase> db, const std::string& sql, std::string label)
      : db_(std::move(db)),
        statement_(*db_, sql),
        label_(std::move(label)),
        file_(canonical_path(db_->path())) {
    OpenReads::instance().add(file_);
    sqlite3_stmt* statement = statement_.get();
    int count = sqlite3_column_count(statement);
    for (int i = 0; i < count; ++i) {
      const char* declared = sqlite3_column_decltype(statement, i);
      SqliteColumnType mapped = sqlite::map_declared_type(declared ? declared : "");
      Column column;
      column.name = sqlite3_column_name(statement, i);
      column.type = mapped.type;
      column.source_type = declared ? declared : "";
      schema_.columns.push_back(column);
      columns_.push_back(mapped);
    }
  }

  ~SqliteReader() override { OpenReads::instance().remove(file_); }

  const TableSchema& schema() const override { return schema_; }
  void set_schema_details(const TableSchema& described) {
    schema_.primary_key = described.primary_key;
    schema_.estimated_rows = described.estimated_rows;
    for (auto& column : schema_.columns) {
      int found = described.find(column.name);
      if (found >= 0) column.nullable = described.columns[found].nullable;
    }
  }

  std::vector<Type> wire_types() const override {
    std::vector<Type> types;
    for (const auto& column : columns_) types.push_back(column.wire_type);
    return types;
  }

  uint64_t bytes_read() const override { return bytes_; }

  bool next(duckdb_data_chunk out) override {
    if (done_) return false;
    sqlite3_stmt* statement = statement_.get();
    const idx_t capacity = duckdb_vector_size();
    const size_t column_count = columns_.size();
    std::vector<duckdb_vector> vectors(column_count);
    for (size_t c = 0; c < column_count; ++c) {
      vectors[c] = duckdb_data_chunk_get_vector(out, c);
      duckdb_vector_ensure_validity_writable(vectors[c]);
    }
    idx_t row = 0;
    while (row < capacity) {
      int rc = sqlite3_step(statement);
      if (rc == SQLITE_DONE) {
        done_ = true;
        break;
      }
      if (rc != SQLITE_ROW) {
        throw DataError(fmt::format("reading {}: {}", label_, db_->error()));
      }
      ++row_number_;
      for (size_t c = 0; c < column_count; ++c)
        decode(statement, static_cast<int>(c), vectors[c], row);
      ++row;
    }
    duckdb_data_chunk_set_size(out, row);
    return row > 0;
  }

 private:
  [[noreturn]] void mismatch(int column, const std::string& what) const {
    const Column& col = schema_.columns[column];
    throw DataError(fmt::format(
        "{}: row {} column \"{}\" (declared '{}', read as {}): {}; fix the value or declare the "
        "column with a type that holds it (see docs/types.md#sqlite)",
        label_, row_number_, col.name, col.source_type, col.type.sql(), what));
  }

  void decode(sqlite3_stmt* statement, int c, duckdb_vector vector, idx_t row) {
    int storage = sqlite3_column_type(statement, c);
    if (storage == SQLITE_NULL) {
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), row);
      return;
    }
    switch (columns_[c].wire) {
      case WireKind::kInteger: {
        int64_t value = 0;
        if (storage == SQLITE_INTEGER) {
          value = sqlite3_column_int64(statement, c);
        } else if (storage == SQLITE_FLOAT) {
          double real = sqlite3_column_double(statement, c);
          if (!(std::trunc(real) == real && real >= -9223372036854775808.0 &&
                real < 9223372036854775808.0)) {
            mismatch(c, fmt::format("REAL value {} is not an integer", exact_double_text(real)));
          }
          value = static_cast<int64_t>(real);
        } else {
          mismatch(c, fmt::format("{} value is not an integer", storage_name(storage)));
        }
        static_cast<int64_t*>(duckdb_vector_get_data(vector))[row] = value;
        bytes_ += 8;
        return;
      }
      case WireKind::kReal: {
        double value = 0;
        if (storage == SQLITE_FLOAT) {
          value = sqlite3_column_double(statement, c);
        } else if (storage == SQLITE_INTEGER) {
          int64_t integer = sqlite3_column_int64(statement, c);
          if (integer > (int64_t{1} << 53) || integer < -(int64_t{1} << 53)) {
            mismatch(c, fmt::format("INTEGER value {} has no exact DOUBLE", integer));
          }
          value = static_cast<double>(integer);
        } else {
          mismatch(c, fmt::format("{} value is not a number", storage_name(storage)));
        }
        static_cast<double*>(duckdb_vector_get_data(vector))[row] = value;
        bytes_ += 8;
        return;
      }
      case WireKind::kBoolean: {
        bool value = false;
        if (storage == SQLITE_INTEGER && sqlite3_column_int64(statement, c) == 0) {
          value = false;
        } else if (storage == SQLITE_INTEGER && sqlite3_column_int64(statement, c) == 1) {
          value = true;
        } else {
          const char* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
          std::string word = text ? text : "";
          for (auto& ch : word)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          if (storage == SQLITE_TEXT && (word == "true" || word == "t")) {
            value = true;
          } else if (storage == SQLITE_TEXT && (word == "false" || word == "f")) {
            value = false;
          } else {
            mismatch(c, fmt::format("value '{}' is not 0, 1, true or false", text ? text : ""));
          }
        }
        static_cast<bool*>(duckdb_vector_get_data(vector))[row] = value;
        bytes_ += 1;
        return;
      }
      case WireKind::kText: {
        if (storage == SQLITE_FLOAT) {
          std::string text = exact_double_text(sqlite3_column_double(statement, c));
          duckdb_vector_assign_string_element_len(vector, row, text.data(), text.size());
          bytes_ += text.size();
          return;
        }
        // Integers and text (and blobs, if they hold valid UTF-8) as SQLite renders them.
        const char* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, c));
        int length = sqlite3_column_bytes(statement, c);
        if (!is_valid_utf8(text, static_cast<size_t>(length))) {
          mismatch(c, fmt::format("{} value is not valid UTF-8 text", storage_name(storage)));
        }
        duckdb_vector_assign_string_element_len(vector, row, text, static_cast<idx_t>(length));
        bytes_ += static_cast<uint64_t>(length);
        return;
      }
      case WireKind::kBlob: {
        const void* data = sqlite3_column_blob(statement, c);
        int length = sqlite3_column_bytes(statement, c);
        duckdb_vector_assign_string_element_len(vector, row, static_cast<const char*>(data),
                                                static_cast<idx_t>(length));
        bytes_ += static_cast<uint64_t>(length);
        return;
      }
    }
  }

  static const char* storage_name(int storage) {
    switch (storage) {
      case SQLITE_INTEGER:
        return "INTEGER";
      case SQLITE_FLOAT:
        return "REAL";
      case SQLITE_TEXT:
        return "TEXT";
      case SQLITE_BLOB:
        return "BLOB";
      default:
        return "NULL";
    }
  }

  std::unique_ptr<SqliteDatabase> db_;
  SqliteStatement statement_;
  std::string label_;
  std::string file_;
  TableSchema schema_;
  std::vector<SqliteColumnType> columns_;
  uint64_t row_number_ = 0;
  uint64_t bytes_ = 0;
  bool done_ = false;
};

// The load plan's statements on a writer's connection.
class SqliteSession : public SqlSession {
 public:
  explicit SqliteSession(SqliteDatabase& db) : db_(db) {}
  std::optional<uint64_t> execute(const std::string& sql) override {
    db_.execute(sql);
    return static_cast<uint64_t>(sqlite3_changes64(db_.get()));
  }
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) override {
    SqliteStatement statement(db_, sql);
    std::vector<std::vector<std::optional<std::string>>> rows;
    int rc;
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
      std::vector<std::optional<std::string>> row;
      for (int c = 0; c < sqlite3_column_count(statement.get()); ++c) {
        const unsigned char* text = sqlite3_column_text(statement.get(), c);
        if (text) {
          row.emplace_back(reinterpret_cast<const char*>(text));
        } else {
          row.emplace_back(std::nullopt);
        }
      }
      rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) {
      check_interrupted();
      throw DataError(fmt::format("SQLite {}: {} (in: {})", db_.path(), db_.error(), sql));
    }
    return rows;
  }
  void execute_quietly(const std::string& sql) noexcept override {
    sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
  }

 private:
  SqliteDatabase& db_;
};

// What SQLite's catalog says of a load's target table.
TargetTable describe_target(SqliteDatabase& db, const TableRef& table, const std::string& label) {
  TargetTable target;
  target.qualified = qualified(table);
  target.display = label;
  SqliteStatement info(
      db, fmt::format("SELECT name, \"notnull\", dflt_value, pk, hidden, upper(type) FROM "
                      "pragma_table_xinfo({}{}) WHERE hidden <> 1",
                      duck_literal(table.name),
                      table.schema.empty() ? "" : ", " + duck_literal(table.schema)));
  std::vector<std::pair<int, std::string>> key;
  std::string integer_key;
  while (sqlite3_step(info.get()) == SQLITE_ROW) {
    TargetColumn column;
    column.name = reinterpret_cast<const char*>(sqlite3_column_text(info.get(), 0));
    column.nullable = sqlite3_column_int(info.get(), 1) == 0;
    column.has_default = sqlite3_column_type(info.get(), 2) != SQLITE_NULL;
    column.generated = sqlite3_column_int(info.get(), 4) >= 2;
    if (int position = sqlite3_column_int(info.get(), 3)) {
      key.emplace_back(position, column.name);
      const unsigned char* type = sqlite3_column_text(info.get(), 5);
      if (type && std::string(reinterpret_cast<const char*>(type)) == "INTEGER")
        integer_key = column.name;
    }
    target.columns.push_back(std::move(column));
  }
  target.exists = !target.columns.empty();
  std::sort(key.begin(), key.end());
  for (auto& [position, name] : key) target.primary_key.push_back(name);
  // A lone INTEGER PRIMARY KEY is the rowid: SQLite fills it when left out.
  if (target.primary_key.size() == 1 && target.primary_key[0] == integer_key) {
    for (auto& column : target.columns) {
      if (column.name == integer_key) column.has_default = true;
    }
  }
  return target;
}

// Loads through a TransactionalLoadPlan: rows are bound into one prepared
// INSERT into the plan's rows_into table, inside its transaction.
class SqliteWriter : public BatchWriter {
 public:
  SqliteWriter(std::unique_ptr<SqliteDatabase> db, const LoadRequest& request,
               const TableSchema& incoming, const std::string& label)
      : db_(std::move(db)), session_(*db_), label_(label) {
    for (const auto& column : incoming.columns) {
      wire_.push_back(sqlite::target_type(column.type).wire_type);
    }
    if (OpenReads::instance().contains(canonical_path(db_->path())) && journal_mode() != "wal") {
      throw ConfigError(fmt::format(
          "SQLite {}: source and target are the same file, which this job is still reading; in "
          "rollback-journal "
          "mode the write would wait for the read forever. Switch the file to WAL (sqlite3 {} "
          "'PRAGMA "
          "journal_mode=WAL') or go through a staging file (dvt extract, then dvt load)",
          db_->path(), db_->path()));
    }
    TargetTable target = describe_target(*db_, request.table, label_);
    check_incoming_columns(request, target, incoming, sqlite::dialect());
    runner_ = std::make_unique<LoadRunner>(
        session_, TransactionalLoadPlan(sqlite::dialect()).plan(request, target, incoming), label_);
    runner_->begin();
    std::string names, placeholders;
    for (size_t i = 0; i < incoming.columns.size(); ++i) {
      names += (i ? ", " : "") + quote(incoming.columns[i].name);
      placeholders += i ? ", ?" : "?";
    }
    insert_ = std::make_unique<SqliteStatement>(
        *db_,
        fmt::format("INSERT INTO {} ({}) VALUES ({})", runner_->rows_into(), names, placeholders));
  }

  ~SqliteWriter() override { abort(); }

  std::vector<Type> wire_types() const override { return wire_; }
  uint64_t bytes_written() const override { return bytes_; }

  void write(duckdb_data_chunk chunk) override {
    check_interrupted();
    const idx_t rows = duckdb_data_chunk_get_size(chunk);
    const size_t columns = wire_.size();
    const ChunkColumns view(chunk, columns);
    sqlite3_stmt* insert = insert_->get();
    for (idx_t row = 0; row < rows; ++row) {
      for (size_t c = 0; c < columns; ++c) {
        int index = static_cast<int>(c) + 1;
        if (view.is_null(c, row)) {
          sqlite3_bind_null(insert, index);
          continue;
        }
        switch (wire_[c].id) {
          case DUCKDB_TYPE_BIGINT:
            sqlite3_bind_int64(insert, index, static_cast<int64_t*>(view.data(c))[row]);
            bytes_ += 8;
            break;
          case DUCKDB_TYPE_DOUBLE:
            sqlite3_bind_double(insert, index, static_cast<double*>(view.data(c))[row]);
            bytes_ += 8;
            break;
          case DUCKDB_TYPE_BOOLEAN:
            sqlite3_bind_int(insert, index, static_cast<bool*>(view.data(c))[row] ? 1 : 0);
            bytes_ += 1;
            break;
          case DUCKDB_TYPE_BLOB:
          case DUCKDB_TYPE_VARCHAR: {
            auto* value = &static_cast<duckdb_string_t*>(view.data(c))[row];
            const char* text = duckdb_string_t_data(value);
            uint32_t length = duckdb_string_t_length(*value);
            if (wire_[c].id == DUCKDB_TYPE_BLOB) {
              sqlite3_bind_blob(insert, index, text, static_cast<int>(length), SQLITE_STATIC);
            } else {
              sqlite3_bind_text(insert, index, text, static_cast<int>(length), SQLITE_STATIC);
            }
            bytes_ += length;
            break;
          }
          default:
            throw InternalError("SQLite writer got an unexpected wire type " + wire_[c].sql());
        }
      }
      if (int rc = sqlite3_step(insert); rc != SQLITE_DONE) {
        check_interrupted();
        std::string hint;
        if (rc == SQLITE_BUSY) {
          hint =
              "; another connection holds the file: when source and target are the same SQLite "
              "file, "
              "switch it to WAL (PRAGMA journal_mode=WAL) or go through a staging file (dvt "
              "extract, dvt load)";
        }
        throw DataError(fmt::format("SQLite {}: insert failed at row {}: {}{}", db_->path(),
                                    rows_written_ + 1, db_->error(), hint));
      }
      rows_written_ += static_cast<uint64_t>(sqlite3_changes(db_->get()));
      sqlite3_reset(insert);
    }
    rows_sent_ += rows;
  }

  TableChanges commit() override {
    insert_.reset();
    if (rows_written_ != rows_sent_) {
      throw DataError(fmt::format("SQLite {}: {} rows sent but {} stored", db_->path(), rows_sent_,
                                  rows_written_));
    }
    return runner_->finish(rows_written_);
  }

  void abort() noexcept override {
    insert_.reset();
    if (runner_) runner_->abandon();
  }

 private:
  std::string journal_mode() {
    SqliteStatement mode(*db_, "PRAGMA journal_mode");
    if (sqlite3_step(mode.get()) != SQLITE_ROW) return "";
    return reinterpret_cast<const char*>(sqlite3_column_text(mode.get(), 0));
  }

  std::unique_ptr<SqliteDatabase> db_;
  SqliteSession session_;
  std::string label_;
  std::vector<Type> wire_;
  std::unique_ptr<LoadRunner> runner_;
  std::unique_ptr<SqliteStatement> insert_;
  uint64_t rows_sent_ = 0;
  uint64_t rows_written_ = 0;
  uint64_t bytes_ = 0;
};

class SqliteConnector : public Connector {
 public:
  explicit SqliteConnector(const OutputConfig& output)
      : name_(output.name()), path_(output.require("path")) {}

  TableSchema describe(const TableRef& table) override {
    SqliteDatabase db(path_, false, name_);
    SqliteStatement info(
        db, fmt::format("SELECT name, type, \"notnull\", pk FROM pragma_table_info({}{})",
                        duck_literal(table.name),
                        table.schema.empty() ? "" : ", " + duck_literal(table.schema)));
    TableSchema schema;
    std::vector<std::pair<int, std::string>> key;
    while (sqlite3_step(info.get()) == SQLITE_ROW) {
      Column column;
      column.name = reinterpret_cast<const char*>(sqlite3_column_text(info.get(), 0));
      const char* declared = reinterpret_cast<const char*>(sqlite3_column_text(info.get(), 1));
      column.source_type = declared ? declared : "";
      column.type = sqlite::map_declared_type(column.source_type).type;
      column.nullable = sqlite3_column_int(info.get(), 2) == 0;
      if (int position = sqlite3_column_int(info.get(), 3)) key.emplace_back(position, column.name);
      schema.columns.push_back(std::move(column));
    }
    if (schema.columns.empty()) {
      throw ConfigError(fmt::format("output '{}': SQLite database {} has no table {}", name_, path_,
                                    table.display()));
    }
    std::sort(key.begin(), key.end());
    for (auto& [position, name] : key) schema.primary_key.push_back(name);
    // max(rowid) and min(rowid) are each one b-tree lookup (SQLite optimizes
    // a lone min() or max(), not both in one query).
    try {
      auto rowid_bound = [&](const char* function) -> std::optional<int64_t> {
        SqliteStatement bound(db,
                              fmt::format("SELECT {}(rowid) FROM {}", function, qualified(table)));
        if (sqlite3_step(bound.get()) != SQLITE_ROW ||
            sqlite3_column_type(bound.get(), 0) != SQLITE_INTEGER) {
          return std::nullopt;
        }
        return sqlite3_column_int64(bound.get(), 0);
      };
      auto high = rowid_bound("max");
      auto low = rowid_bound("min");
      schema.estimated_rows = high && low ? static_cast<uint64_t>(*high - *low + 1) : 0;
    } catch (const SqlError&) {
      // WITHOUT ROWID tables and views have no rowid: no estimate.
    }
    return schema;
  }

  Source open_source(Engine& engine, const ScanRequest& request, Progress* progress) override {
    require_in_process(request.method, name_, "SQLite");
    TableSchema described;
    if (request.query.empty()) described = describe(request.table);
    auto db = std::make_unique<SqliteDatabase>(path_, false, name_);
    // Row hashes and fingerprints are computed by the reading statement.
    sqlite::register_hash_functions(db->get());
    std::string label = request.query.empty() ? fmt::format("{}:{}", name_, request.table.display())
                                              : fmt::format("{} (query)", name_);
    auto reader = std::make_unique<SqliteReader>(
        std::move(db), build_scan_sql(request, quote, qualified(request.table)), label);
    if (request.query.empty()) reader->set_schema_details(described);
    Source source;
    source.schema = reader->schema();
    source.method = "native";
    source.scan.emplace(engine.register_reader(*reader, progress));
    source.relation = source.scan->relation();
    source.reader = std::move(reader);
    return source;
  }

  std::unique_ptr<Sink> open_sink(const LoadRequest& request) override {
    require_in_process(request.method, name_, "SQLite");
    std::string path = path_;
    std::string name = name_;
    return std::make_unique<StreamingSink>(
        "native", [path, name, request](const TableSchema& incoming) {
          return std::make_unique<SqliteWriter>(
              std::make_unique<SqliteDatabase>(path, true, name), request, incoming,
              fmt::format("{}:{}", name, request.table.display()));
        });
  }

  // --- SQL run in the database ---

  const Dialect& dialect() const override { return sqlite::dialect(); }

  std::unique_ptr<SqlSession> open_session() override {
    auto db = std::make_unique<SqliteDatabase>(path_, true, name_);
    sqlite::register_hash_functions(db->get());
    return std::make_unique<OwningSession<SqliteDatabase, SqliteSession>>(std::move(db));
  }

  bool relation_exists(const TableRef& table) override {
    if (!std::filesystem::exists(path_)) return false;
    SqliteDatabase db(path_, false, name_);
    std::string master =
        table.schema.empty() ? "sqlite_master" : quote(table.schema) + ".sqlite_master";
    SqliteStatement lookup(
        db, "SELECT 1 FROM " + master + " WHERE type IN ('table', 'view') AND name = ?");
    sqlite3_bind_text(lookup.get(), 1, table.name.c_str(), -1, SQLITE_TRANSIENT);
    return sqlite3_step(lookup.get()) == SQLITE_ROW;
  }

  LoadResult materialize(const LoadRequest& request, const std::string& query) override {
    require_in_process(request.method, name_, "SQLite");
    auto db = std::make_unique<SqliteDatabase>(path_, true, name_);
    sqlite::register_hash_functions(db->get());
    const std::string label = fmt::format("{}:{}", name_, request.table.display());
    TableSchema incoming;
    {
      // The query's columns and their declared types, from the prepared statement.
      SqliteReader described(std::make_unique<SqliteDatabase>(path_, false, name_), query, label);
      incoming = described.schema();
    }
    type_expressions(*db, query, incoming);
    TargetTable target = describe_target(*db, request.table, label);
    check_incoming_columns(request, target, incoming, sqlite::dialect());
    LoadSteps steps =
        TransactionalLoadPlan(sqlite::dialect()).plan(request, target, incoming, &query);
    OwningSession<SqliteDatabase, SqliteSession> session(std::move(db));
    return load_query_rows(session, sqlite::dialect(), std::move(steps), incoming, query, label);
  }

  bool one_session_at_a_time() const override { return true; }

  // A column of an expression (count(*), sum(x)) has no declared type;
  // SQLite's CREATE TABLE AS would give it none, keeping each value's
  // storage class. Its type here is that of the first row's value (INTEGER
  // as BIGINT, REAL as DOUBLE), so the new table declares a number for a
  // number; a column whose first value is text or NULL stays TEXT.
  static void type_expressions(SqliteDatabase& db, const std::string& query,
                               TableSchema& incoming) {
    bool untyped = false;
    for (const auto& column : incoming.columns) untyped |= column.source_type.empty();
    if (!untyped) return;
    SqliteStatement first(db, "SELECT * FROM (" + query + ") LIMIT 1");
    if (sqlite3_step(first.get()) != SQLITE_ROW) return;
    for (size_t i = 0; i < incoming.columns.size(); ++i) {
      Column& column = incoming.columns[i];
      if (!column.source_type.empty()) continue;
      switch (sqlite3_column_type(first.get(), static_cast<int>(i))) {
        case SQLITE_INTEGER:
          column.type = Type(DUCKDB_TYPE_BIGINT);
          break;
        case SQLITE_FLOAT:
          column.type = Type(DUCKDB_TYPE_DOUBLE);
          break;
        default:
          break;
      }
    }
  }

  std::string check(Method tier) override {
    require_in_process(tier, name_, "SQLite");
    SqliteDatabase db(path_, false, name_);
    // Reading the schema proves the file is a database, not only a file.
    SqliteStatement tables(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'");
    int count = sqlite3_step(tables.get()) == SQLITE_ROW ? sqlite3_column_int(tables.get(), 0) : 0;
    return fmt::format("SQLite {}, {} ({} tables)", sqlite3_libversion(), path_, count);
  }

 private:
  std::string name_;
  std::string path_;
};

}  // namespace

std::unique_ptr<Connector> make_sqlite_connector(const OutputConfig& output, Engine& /*engine*/) {
  return std::make_unique<SqliteConnector>(output);
}

}  // namespace dvt
