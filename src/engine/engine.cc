#include "engine/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/allocator.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/sql_text.h"

namespace dvt {

// One registered reader: what the table function callbacks reach through
// their extra info. Outlives the reader (the function stays in DuckDB's
// catalog), so the reader pointer is cleared when the statement ends.
struct ScanSlot {
  const int* max_threads = nullptr;  // the engine's reader_threads_
  std::mutex mutex;                  // one caller of the reader at a time
  bool finished = false;             // the reader ended or failed
  BatchReader* reader = nullptr;
  Progress* progress = nullptr;
  std::vector<Type> wire_types;
  std::vector<std::string> names;
  std::exception_ptr failure;
};

namespace {

// Asks DuckDB to stop the running statement once Ctrl-C arrives, for
// statements whose rows never pass through our own callbacks.
class InterruptWatcher {
 public:
  explicit InterruptWatcher(duckdb_connection connection)
      : thread_([this, connection] {
          std::unique_lock lock(mutex_);
          while (!done_) {
            if (interrupted()) {
              duckdb_interrupt(connection);
              return;
            }
            wake_.wait_for(lock, std::chrono::milliseconds(50));
          }
        }) {}
  ~InterruptWatcher() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;
};

void scan_bind(duckdb_bind_info info) {
  auto* slot = static_cast<ScanSlot*>(duckdb_bind_get_extra_info(info));
  for (size_t i = 0; i < slot->wire_types.size(); ++i) {
    LogicalType type(slot->wire_types[i]);
    duckdb_bind_add_result_column(info, slot->names[i].c_str(), type.get());
  }
}

void scan_init(duckdb_init_info info) {
  auto* slot = static_cast<ScanSlot*>(duckdb_init_get_extra_info(info));
  duckdb_init_set_max_threads(info, static_cast<idx_t>(*slot->max_threads));
}

void scan_function(duckdb_function_info info, duckdb_data_chunk output) {
  auto* slot = static_cast<ScanSlot*>(duckdb_function_get_extra_info(info));
  // Several engine threads may ask at once (ParallelReaders); readers are not
  // thread-safe, so each chunk is decoded under the lock and the thread then
  // carries it on (casts, encoding) while the next one decodes.
  std::lock_guard lock(slot->mutex);
  // No C++ exception may cross into DuckDB: keep it for the caller to rethrow.
  try {
    if (!slot->reader) throw InternalError("scan used after its reader was released");
    if (slot->finished) {
      duckdb_data_chunk_set_size(output, 0);
      return;
    }
    check_interrupted();
    if (!slot->reader->next(output)) {
      slot->finished = true;
      duckdb_data_chunk_set_size(output, 0);
      return;
    }
    if (slot->progress) {
      slot->progress->add_rows(duckdb_data_chunk_get_size(output));
      slot->progress->set_bytes(slot->reader->bytes_read());
    }
  } catch (...) {
    if (!slot->failure) slot->failure = std::current_exception();
    slot->finished = true;
    duckdb_data_chunk_set_size(output, 0);
    duckdb_function_set_error(info, "dvt reader failed");
  }
}

std::string cast_projection(const ScanSlot& slot, const TableSchema& schema,
                            const std::string& from) {
  std::string select;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    if (i) select += ", ";
    std::string name = duck_quote(schema.columns[i].name);
    if (slot.wire_types[i] == schema.columns[i].type) {
      select += name;
    } else {
      select += fmt::format("CAST({} AS {}) AS {}", name, schema.columns[i].type.sql(), name);
    }
  }
  return fmt::format("(SELECT {} FROM {})", select, from);
}

}  // namespace

Engine::ErrorKind Engine::error_kind(duckdb_error_type type) {
  switch (type) {
    case DUCKDB_ERROR_PARSER:
    case DUCKDB_ERROR_SYNTAX:
    case DUCKDB_ERROR_BINDER:
    case DUCKDB_ERROR_CATALOG:
    case DUCKDB_ERROR_PARAMETER_NOT_RESOLVED:
    case DUCKDB_ERROR_PARAMETER_NOT_ALLOWED:
      return ErrorKind::kSql;
    default:
      return ErrorKind::kData;
  }
}

Engine::Engine(const EngineOptions& options) {
  // One Engine per process, created before any data moves.
  keep_freed_memory_for_reuse();
  std::vector<std::pair<std::string, std::string>> settings = {
      {"threads", std::to_string(options.threads > 0 ? options.threads : 2)},
      {"memory_limit", options.memory_limit},
      // Nothing may be downloaded at run time.
      {"autoinstall_known_extensions", "false"},
      {"autoload_known_extensions", "false"},
      // DuckDB keeps the blocks of every file it reads in its buffer pool, up
      // to memory_limit, in case they are read again. dvt reads a staging file
      // once, from start to end: the cache only made peak RSS grow with the
      // file (a 10M-row PostgreSQL load: 82 MB with it, 68 MB without).
      {"enable_external_file_cache", "false"},
  };
  if (!options.temp_directory.empty())
    settings.emplace_back("temp_directory", options.temp_directory);
  database_ = std::make_unique<Database>("", settings);
  requested_threads_ = options.threads;
  // Instants print and parse as UTC whatever the machine's zone.
  execute("SET TimeZone = 'UTC'");
}

Engine::~Engine() = default;

void Engine::raise(const std::string& context, const std::string& duckdb_error, ErrorKind kind) {
  for (auto& slot : scans_) {
    if (slot->failure) {
      std::exception_ptr failure = slot->failure;
      slot->failure = nullptr;
      std::rethrow_exception(failure);
    }
  }
  if (interrupted()) throw Interrupted();
  std::string message = context.empty() ? duckdb_error : context + ": " + duckdb_error;
  if (kind == ErrorKind::kSql) throw SqlError("SQL error (in DuckDB): " + message);
  throw DataError(message);
}

uint64_t Engine::execute(const std::string& sql) {
  InterruptWatcher watcher(connection());
  Result result;
  if (duckdb_query(connection(), sql.c_str(), result.get()) == DuckDBError) {
    raise("", result.error(), error_kind(duckdb_result_error_type(result.get())));
  }
  // The catalog in USE is tracked however it was set.
  if (sql.starts_with("USE ")) default_catalog_ = sql.substr(4);
  duckdb_result* raw = result.get();
  if (duckdb_column_count(raw) >= 1 && duckdb_row_count(raw) >= 1) {
    duckdb_type type = duckdb_column_type(raw, 0);
    if (type == DUCKDB_TYPE_BIGINT || type == DUCKDB_TYPE_UBIGINT || type == DUCKDB_TYPE_INTEGER) {
      return duckdb_value_uint64(raw, 0, 0);
    }
  }
  return 0;
}

std::vector<std::vector<std::optional<std::string>>> Engine::query_strings(const std::string& sql) {
  Result result;
  if (duckdb_query(connection(), sql.c_str(), result.get()) == DuckDBError)
    raise("", result.error(), error_kind(duckdb_result_error_type(result.get())));
  duckdb_result* raw = result.get();
  std::vector<std::vector<std::optional<std::string>>> rows;
  idx_t columns = duckdb_column_count(raw);
  idx_t count = duckdb_row_count(raw);
  for (idx_t row = 0; row < count; ++row) {
    std::vector<std::optional<std::string>> values;
    for (idx_t column = 0; column < columns; ++column) {
      if (duckdb_value_is_null(raw, column, row)) {
        values.emplace_back(std::nullopt);
        continue;
      }
      char* text = duckdb_value_varchar(raw, column, row);
      values.emplace_back(std::string(text ? text : ""));
      duckdb_free(text);
    }
    rows.push_back(std::move(values));
  }
  return rows;
}

void Engine::use(const std::string& catalog) {
  execute("USE " + catalog);
}

CatalogInUse::CatalogInUse(Engine& engine, const std::string& catalog)
    : engine_(engine), previous_(engine.default_catalog()) {
  if (catalog != previous_) engine_.use(catalog);
}

CatalogInUse::~CatalogInUse() {
  if (engine_.default_catalog() == previous_) return;
  try {
    engine_.use(previous_);
  } catch (...) {
    // In a transaction a failure aborted, nothing runs before ROLLBACK:
    // default_catalog() still tells, for the caller to put back after it.
  }
}

std::unique_ptr<QueryStream> Engine::stream(const std::string& sql) {
  // A streamed result buffers up to streaming_buffer_size ahead of fetches,
  // but DuckDB 1.4.4 counts rows against that byte setting (about 1M rows by
  // default), so rows of 3 MB documents were held whole: 617 MB for 600 MB
  // of Parquet. On one thread each fetch runs the pipeline itself, and a
  // buffer of one chunk cost nothing (1M bench rows: same time, less memory);
  // with more threads the default keeps them busy.
  execute(threads() == 1 ? "SET streaming_buffer_size = '1B'" : "RESET streaming_buffer_size");
  return std::make_unique<QueryStream>(*this, sql);
}

int Engine::threads() {
  auto rows = query_strings("SELECT current_setting('threads')::BIGINT");
  return rows.empty() || !rows[0][0] ? 1 : std::stoi(*rows[0][0]);
}

TableSchema Engine::describe(const std::string& select_sql) {
  PreparedStatement prepared;
  if (duckdb_prepare(connection(), select_sql.c_str(), prepared.out()) == DuckDBError) {
    const char* error = duckdb_prepare_error(prepared.get());
    raise("", error ? error : "", ErrorKind::kSql);
  }
  TableSchema schema;
  idx_t count = duckdb_prepared_statement_column_count(prepared.get());
  for (idx_t i = 0; i < count; ++i) {
    LogicalType type(duckdb_prepared_statement_column_logical_type(prepared.get(), i));
    Column column;
    column.name = DuckString(duckdb_prepared_statement_column_name(prepared.get(), i)).str();
    column.type = Type::from_logical(type.get());
    column.source_type = column.type.sql();
    schema.columns.push_back(std::move(column));
  }
  return schema;
}

RegisteredScan::~RegisteredScan() {
  if (slot_) slot_->reader = nullptr;
}

RegisteredScan Engine::register_reader(BatchReader& reader, Progress* progress) {
  auto slot = std::make_unique<ScanSlot>();
  slot->max_threads = &reader_threads_;
  slot->reader = &reader;
  slot->progress = progress;
  slot->wire_types = reader.wire_types();
  slot->names = reader.schema().names();
  if (slot->wire_types.size() != slot->names.size()) {
    throw InternalError("reader wire types do not match its schema");
  }
  std::string name = fmt::format("dvt_scan_{}", scans_.size() + 1);
  if (requested_threads_ <= 0) execute("SET threads = 1");

  duckdb_table_function function = duckdb_create_table_function();
  duckdb_table_function_set_name(function, name.c_str());
  duckdb_table_function_set_extra_info(function, slot.get(), nullptr);
  duckdb_table_function_set_bind(function, scan_bind);
  duckdb_table_function_set_init(function, scan_init);
  duckdb_table_function_set_function(function, scan_function);
  duckdb_state state = duckdb_register_table_function(connection(), function);
  duckdb_destroy_table_function(&function);
  if (state == DuckDBError) throw InternalError("cannot register table function " + name);

  std::string relation = cast_projection(*slot, reader.schema(), name + "()");
  scans_.push_back(std::move(slot));
  return RegisteredScan(scans_.back().get(), relation);
}

std::string Engine::attach(const std::string& path, bool read_only, const std::string& name) {
  auto found = attached_.find(path);
  if (found != attached_.end()) {
    if (!read_only && found->second.read_only) {
      // The file is both source and target: reopen it read-write under the
      // same alias (a database in USE cannot be detached, so step out of it).
      bool in_use = default_catalog_ == found->second.alias;
      if (in_use) execute("USE memory");
      execute("DETACH " + found->second.alias);
      execute(fmt::format("ATTACH {} AS {}", duck_literal(path), found->second.alias));
      if (in_use) execute("USE " + found->second.alias);
      found->second.read_only = false;
    }
    return found->second.alias;
  }
  std::string alias = duck_quote(fmt::format("dvt_db_{}", attached_.size() + 1));
  if (!name.empty()) {
    static const char* const kReserved[] = {"memory", "system", "temp", "main"};
    bool free = std::none_of(std::begin(kReserved), std::end(kReserved),
                             [&](const char* reserved) { return ascii_lower(name) == reserved; });
    for (const auto& [other, attached] : attached_)
      free &= ascii_lower(attached.alias) != ascii_lower(duck_quote(name));
    if (free) alias = duck_quote(name);
  }
  try {
    execute(fmt::format("ATTACH {} AS {}{}", duck_literal(path), alias,
                        read_only ? " (READ_ONLY)" : ""));
  } catch (const DataError& error) {
    throw ConnectionError(fmt::format("cannot open DuckDB database {}: {}", path, error.what()));
  }
  attached_[path] = {alias, read_only};
  return alias;
}

ScopedSetting::ScopedSetting(Engine& engine, std::string name, const std::string& value)
    : engine_(engine), name_(std::move(name)) {
  auto rows = engine_.query_strings(
      fmt::format("SELECT current_setting({})::VARCHAR", duck_literal(name_)));
  if (!rows.empty()) previous_ = rows[0][0];
  engine_.execute(fmt::format("SET {} = {}", name_, duck_literal(value)));
}

ScopedSetting::~ScopedSetting() {
  try {
    engine_.execute(previous_ ? fmt::format("SET {} = {}", name_, duck_literal(*previous_))
                              : "RESET " + name_);
  } catch (...) {
    // The engine is failing already; its error is the one reported.
  }
}

ParallelReaders::ParallelReaders(Engine& engine) : engine_(engine) {
  int threads = engine.requested_threads_ > 0 ? engine.requested_threads_ : 2;
  if (threads == 1) return;
  threads_.emplace(engine, "threads", std::to_string(threads));
  order_.emplace(engine, "preserve_insertion_order", "false");
  engine.reader_threads_ = threads;
}

ParallelReaders::~ParallelReaders() {
  engine_.reader_threads_ = 1;
}

QueryStream::QueryStream(Engine& engine, const std::string& sql) : engine_(engine), sql_(sql) {
  duckdb_connection connection = engine.connection();
  if (duckdb_prepare(connection, sql.c_str(), prepared_.out()) == DuckDBError) {
    const char* error = duckdb_prepare_error(prepared_.get());
    engine.raise("", error ? error : "prepare failed", Engine::ErrorKind::kSql);
  }
  idx_t count = duckdb_prepared_statement_column_count(prepared_.get());
  for (idx_t i = 0; i < count; ++i) {
    LogicalType type(duckdb_prepared_statement_column_logical_type(prepared_.get(), i));
    Column column;
    column.name = DuckString(duckdb_prepared_statement_column_name(prepared_.get(), i)).str();
    column.type = Type::from_logical(type.get());
    schema_.columns.push_back(std::move(column));
  }
  if (duckdb_pending_prepared_streaming(prepared_.get(), pending_.out()) == DuckDBError) {
    const char* error = duckdb_pending_error(pending_.get());
    engine.raise("", error ? error : "cannot start query");
  }
  if (duckdb_execute_pending(pending_.get(), result_.get()) == DuckDBError) {
    engine.raise("", result_.error());
  }
}

QueryStream::~QueryStream() {
  if (done_) return;
  // Abandoned half-way (the writer failed): stop the query and fetch to its
  // end, so DuckDB's worker threads are done with its tasks before the result
  // goes. Destroying it while a producer task sat descheduled on a full
  // buffer crashed a worker thread later, as the engine closed (1.4.4; seen
  // when psql's session was killed during a load).
  duckdb_interrupt(engine_.connection());
  for (;;) {
    DataChunk chunk(duckdb_fetch_chunk(*result_.get()));
    if (!chunk || chunk.size() == 0) break;
  }
}

DataChunk QueryStream::next() {
  if (done_) return DataChunk();
  if (interrupted()) {
    duckdb_interrupt(engine_.connection());
    throw Interrupted();
  }
  DataChunk chunk(duckdb_fetch_chunk(*result_.get()));
  if (!chunk || chunk.size() == 0) {
    done_ = true;
    std::string error = result_.error();
    if (!error.empty()) engine_.raise("", error);
    return DataChunk();
  }
  return chunk;
}

}  // namespace dvt
