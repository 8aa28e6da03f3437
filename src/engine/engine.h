// The embedded DuckDB every job runs through. Sources become relations in it
// (read_parquet, an attached DuckDB file, or a registered BatchReader exposed
// as a table function); sinks consume a SELECT over those relations (COPY TO
// Parquet, INSERT into an attached table, or a streamed result fed to a
// BatchWriter). One Engine per process; not thread-safe.
#pragma once

#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/batch.h"
#include "core/progress.h"
#include "core/schema.h"
#include "core/sql_text.h"
#include "engine/handles.h"

namespace dvt {

struct EngineOptions {
  // 0: automatic. A registered reader is scanned by one thread, and a second
  // engine thread would only spin waiting for it, so the engine then runs on
  // one thread; sources DuckDB reads itself (Parquet, DuckDB files) get two.
  int threads = 0;
  std::string memory_limit = "1GB";
  std::string temp_directory;  // spill folder; empty: DuckDB's default
};

class QueryStream;
struct ScanSlot;

// A reader exposed to the engine as a table function. Move-only; when it is
// destroyed the function refuses to run (its reader may be gone).
class RegisteredScan {
 public:
  RegisteredScan(ScanSlot* slot, std::string relation)
      : slot_(slot), relation_(std::move(relation)) {}
  RegisteredScan(RegisteredScan&& other) noexcept
      : slot_(std::exchange(other.slot_, nullptr)), relation_(std::move(other.relation_)) {}
  RegisteredScan& operator=(RegisteredScan&& other) noexcept {
    std::swap(slot_, other.slot_);
    std::swap(relation_, other.relation_);
    return *this;
  }
  ~RegisteredScan();
  const std::string& relation() const { return relation_; }

 private:
  ScanSlot* slot_;
  std::string relation_;
};

class Engine {
 public:
  explicit Engine(const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs a statement; returns the first column of the first row as a count
  // when the statement reports one (COPY, INSERT), else 0.
  // Throws the reader's own exception when a registered reader failed,
  // Interrupted on Ctrl-C, SqlError when DuckDB cannot parse or bind it,
  // DataError with DuckDB's message otherwise.
  uint64_t execute(const std::string& sql);

  // Runs a query and returns its rows as strings (NULL as nullopt). For small
  // catalog queries and tests, never for data.
  std::vector<std::vector<std::optional<std::string>>> query_strings(const std::string& sql);

  // Starts a streaming query; chunks are produced as they are fetched.
  std::unique_ptr<QueryStream> stream(const std::string& sql);

  // Names and exact types of the columns `select_sql` yields, without running it.
  TableSchema describe(const std::string& select_sql);

  // Exposes `reader` as a relation: the returned scan's relation() is SQL
  // usable in a FROM clause that yields reader.schema() (casting wire types to
  // final types). Valid while the returned scan lives; `progress`, if set, is
  // advanced by the rows and bytes the reader yields.
  RegisteredScan register_reader(BatchReader& reader, Progress* progress);

  // Attaches a DuckDB database file and returns its catalog alias (quoted,
  // ready for SQL). The same path attached twice returns the same alias; a
  // path first attached read-only is re-attached read-write when asked.
  // `name`, when given and free, is the alias (as dbt-duckdb names a file's
  // catalog by its stem, so compiled SQL finds it); else dvt_db_<n>.
  std::string attach(const std::string& path, bool read_only, const std::string& name = "");

  // Makes `catalog` (an attached alias) the default for unqualified names.
  void use(const std::string& catalog);
  // The catalog unqualified names resolve in ("memory" until use()).
  const std::string& default_catalog() const { return default_catalog_; }
  // Whether this job has attached the DuckDB file at `path` already.
  bool is_attached(const std::string& path) const { return attached_.count(path) > 0; }

  duckdb_connection connection() const { return database_->connection(); }

  // The engine's current thread count.
  int threads();

 private:
  friend class QueryStream;
  friend class ParallelReaders;
  // A failure to parse or bind is the SQL's (SqlError), any other the data's.
  enum class ErrorKind { kSql, kData };
  static ErrorKind error_kind(duckdb_error_type type);
  [[noreturn]] void raise(const std::string& context, const std::string& duckdb_error,
                          ErrorKind kind = ErrorKind::kData);

  std::unique_ptr<Database> database_;
  std::vector<std::unique_ptr<ScanSlot>> scans_;
  struct Attached {
    std::string alias;
    bool read_only;
  };
  std::map<std::string, Attached> attached_;
  std::string default_catalog_ = "memory";
  int requested_threads_ = 0;  // EngineOptions::threads; 0: automatic
  int reader_threads_ = 1;     // threads a registered reader's scan may feed
};

// Makes an attached catalog the default for unqualified names for a scope,
// then puts the previous default back.
class CatalogInUse {
 public:
  CatalogInUse(Engine& engine, const std::string& catalog);
  ~CatalogInUse();
  CatalogInUse(const CatalogInUse&) = delete;
  CatalogInUse& operator=(const CatalogInUse&) = delete;

 private:
  Engine& engine_;
  std::string previous_;
};

// Sets one engine setting for a scope and puts its previous value back after.
class ScopedSetting {
 public:
  ScopedSetting(Engine& engine, std::string name, const std::string& value);
  ~ScopedSetting();
  ScopedSetting(const ScopedSetting&) = delete;
  ScopedSetting& operator=(const ScopedSetting&) = delete;

 private:
  Engine& engine_;
  std::string name_;
  std::optional<std::string> previous_;
};

// For its lifetime, statements over registered readers run on every engine
// thread (two unless the user chose a count): each reader is still called by
// one thread at a time, under its scan's lock, but what follows it (casts,
// Parquet encoding, compression) runs on all of them, so rows come out in no
// fixed order (preserve_insertion_order is off). A reader source otherwise
// runs on one thread and keeps the order it was read in. Inactive when the
// user asked for one thread.
class ParallelReaders {
 public:
  explicit ParallelReaders(Engine& engine);
  ~ParallelReaders();
  ParallelReaders(const ParallelReaders&) = delete;
  ParallelReaders& operator=(const ParallelReaders&) = delete;
  bool active() const { return threads_.has_value(); }

 private:
  Engine& engine_;
  std::optional<ScopedSetting> threads_;
  std::optional<ScopedSetting> order_;
};

// A running streaming query. Owns its result; fetch until next() is empty.
class QueryStream {
 public:
  QueryStream(Engine& engine, const std::string& sql);
  ~QueryStream();

  const TableSchema& schema() const { return schema_; }
  // The next chunk, or an empty DataChunk at the end. Throws as Engine::execute.
  DataChunk next();

 private:
  Engine& engine_;
  std::string sql_;
  PreparedStatement prepared_;
  PendingResult pending_;
  Result result_;
  TableSchema schema_;
  bool done_ = false;
};

// Quotes an identifier for DuckDB SQL ("a""b").
inline std::string duck_quote(const std::string& identifier) {
  return sql_identifier(identifier);
}
// Quotes a string literal for DuckDB SQL ('it''s').
inline std::string duck_literal(const std::string& value) {
  return sql_literal(value);
}

}  // namespace dvt
