// A connector is one database family's way in and out: it describes tables
// with exact types, opens sources (rows flowing into the engine) and sinks
// (rows flowing out of it into a table), choosing a method (tier) for each.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/dialect.h"
#include "connectors/method.h"
#include "core/batch.h"
#include "core/progress.h"
#include "core/schema.h"
#include "engine/engine.h"

namespace dvt {

class OutputConfig;
class Dialect;
class SqlSession;
struct TargetTable;
struct LoadSteps;

struct ScanRequest {
  TableRef table;                    // used when query is empty
  std::string query;                 // user SQL, run in the source database
  std::vector<std::string> columns;  // empty: all
  std::string where;                 // SQL predicate in the source's dialect
  std::optional<uint64_t> limit;
  Method method = Method::kAuto;
  // A Parquet target keeps the rows in the order the source sends them (one
  // encoding thread). Otherwise only a query with ORDER BY keeps its order.
  bool keep_order = false;
};

// Rows of a scan, as a relation in the engine.
struct Source {
  TableSchema schema;                   // exact columns and types of the relation
  std::string relation;                 // SQL usable in a FROM clause
  std::string method;                   // the tier that moves the rows
  std::vector<std::string> fallbacks;   // why earlier tiers were not used
  std::unique_ptr<BatchReader> reader;  // the reader behind `relation`, if any
  std::optional<RegisteredScan> scan;   // its registration with the engine
};

// What a load does to its target (the contract: load_plan.h).
enum class LoadMode { kOverwrite, kAppend, kMerge, kDeleteInsert };

struct LoadRequest {
  TableRef table;
  LoadMode mode = LoadMode::kOverwrite;
  bool full_refresh = false;
  // The columns merge and delete+insert match rows by; empty: the target's
  // primary key.
  std::vector<std::string> unique_key;
  Method method = Method::kAuto;
};

struct LoadResult {
  uint64_t rows = 0;  // rows loaded
  // What a merge or delete+insert did to the target, where the database
  // reports it.
  std::optional<uint64_t> inserted, updated, deleted;
  std::string method;
  std::vector<std::string> fallbacks;
};

// Where rows go. consume() is atomic: on any exception the target is as it was.
class Sink {
 public:
  virtual ~Sink() = default;
  // Stores every row `select_sql` yields (its columns are `schema`).
  virtual LoadResult consume(Engine& engine, const std::string& select_sql,
                             const TableSchema& schema, Progress* progress) = 0;
};

// A summary of the rows of a scan, computed inside the source so that one row
// crosses the network: equal fingerprints mean the same rows (up to the odds
// of a hash collision, 2^-60 for "md5").
struct Fingerprint {
  // How `value` was computed; fingerprints of different methods never match.
  //   "md5"  the content fingerprint: Dialect::hash_aggregate of the row
  //          hashes (open_row_hashes) of the scan's columns;
  //   a connector may offer a cheaper one for a table (connector.cc lists
  //   them), which may change when no value did (never the other way).
  std::string method;
  uint64_t rows = 0;
  std::string value;

  bool operator==(const Fingerprint&) const = default;
};

// Columns open_annotated_source adds to the rows it reads.
struct RowAnnotations {
  // Non-empty: `_dvt_pk`, each row's key text (as open_row_hashes' `_pk`)
  // by these columns.
  std::vector<std::string> key;
  // Non-empty: `_dvt_cursor`, the source's canonical text (Dialect::text_of)
  // of this column's value, NULL for NULL.
  std::string cursor;
  // Non-zero (with `key`): also `_dvt_version` (row_version_sql) and
  // `_dvt_bucket`, the key's bucket of so many (Dialect::text_bucket).
  uint64_t buckets = 0;
};

class Connector {
 public:
  virtual ~Connector() = default;
  // Exact columns, key and row estimate of a table. Throws ConfigError when
  // the table does not exist.
  virtual TableSchema describe(const TableRef& table) = 0;
  virtual Source open_source(Engine& engine, const ScanRequest& request, Progress* progress) = 0;
  virtual std::unique_ptr<Sink> open_sink(const LoadRequest& request) = 0;

  // --- source state (the same for every connector that has a dialect) -------

  // The quoted name a scan reads `table` by: qualified_name(), unless the
  // connector reads through another name (DuckDB: its read-only attachment).
  virtual std::string read_name(const TableRef& table) { return qualified_name(table); }
  // The columns that identify a row of `table`: its primary key, else a
  // unique key on NOT NULL columns, in the key's order. Throws ConfigError
  // naming the table when it has none.
  virtual std::vector<std::string> row_key(const TableRef& table);

  // The columns `request` reads, with the source's own type spellings (the
  // catalog's for a table, the result's for a query) and, for a table, its
  // primary key. Throws ConfigError for a column the table lacks.
  virtual TableSchema describe_scan(Engine& engine, const ScanRequest& request);

  // The fingerprint of the rows `request` reads (its table or query, columns
  // and predicate): the cheapest method this source has for it. Throws
  // ConfigError for a request with a limit (which rows it reads is not fixed)
  // or an adapter without a dialect.
  virtual Fingerprint fingerprint(Engine& engine, const ScanRequest& request);
  // A number of at most 40 bits per row of `request`'s table, computed by the
  // source, that changes whenever the row does (and may when it does not),
  // for --delta to find changed rows without reading them: by default the
  // first 10 hex digits of the row hash; a connector whose rows carry a
  // cheaper version offers that.
  virtual std::string row_version_sql(Engine& engine, const ScanRequest& request,
                                      const TableSchema& scan);
  // Whether the database refuses two rows with the same row_key() (false
  // for ClickHouse, whose keys order rows but do not make them unique).
  virtual bool enforces_unique_keys() const { return true; }
  // The "md5" fingerprint, whatever cheaper method the source has.
  Fingerprint content_fingerprint(Engine& engine, const ScanRequest& request);

  // One row per row `request` reads (a table, with its columns and
  // predicate), computed inside the source database and streamed:
  // `_pk` VARCHAR (the row's key, row_key()) and `_hash` VARCHAR (32
  // lowercase hex digits, MD5) of the columns read. Encoding, identical for
  // every database (Dialect::row_hash):
  //   each value is rendered as text (the database's canonical text form);
  //   NULL becomes "N"; a non-NULL value becomes "V" <byte length> ":" <text>;
  //   the row's encoded values are concatenated in column order and hashed.
  //   `_pk` is the key column's text for a one-column key, else the same
  //   encoding (unhashed) of the key columns.
  // Throws ConfigError when the table has no primary or unique key, or the
  // adapter does not compute hashes.
  Source open_row_hashes(Engine& engine, const ScanRequest& request, Progress* progress);
  Source open_row_hashes(Engine& engine, const TableRef& table, Progress* progress);
  // The rows `request` reads (a table) with `annotations` as more columns,
  // computed by the same statement, so they describe exactly these rows.
  // Throws ConfigError when the table has a column of an annotation's name.
  Source open_annotated_source(Engine& engine, const ScanRequest& request,
                               const RowAnnotations& annotations, Progress* progress);

  // For `dvt debug`: connects through `tier` alone, runs a trivial query and
  // returns what the server says of itself (its version). Throws what a job
  // on that tier would: TierUnavailable when the tier cannot serve here,
  // ConnectionError for a refused login or an unreachable host.
  virtual std::string check(Method tier) = 0;

  // --- SQL run inside the database (models pushed down to their target) ---

  // The family's SQL spelling.
  virtual const Dialect& dialect() const;
  // A session for statements and small queries (tests, views, previews).
  // Throws ConfigError when the connector runs no SQL of its own.
  virtual std::unique_ptr<SqlSession> open_session();
  // Whether `table` exists as a table or view.
  virtual bool relation_exists(const TableRef& table);
  // Runs `query` (SQL of this database, run here) and stores its rows in
  // request.table under the load contract (load_plan.h), in one atomic step,
  // without a row leaving the database. Throws SqlError when the query does
  // not parse or bind, DataError when its rows cannot land (the target is
  // then as it was).
  virtual LoadResult materialize(const LoadRequest& request, const std::string& query);
  // Creates `view` as `query`, or replaces it, in one transaction where the
  // database's DDL is transactional (else drop and create).
  void create_view(const TableRef& view, const std::string& query);
  // The quoted name of `table` as this database's statements write it.
  virtual std::string qualified_name(const TableRef& table);
  // Whether the database takes one session at a time from a process: it runs
  // inside the job's engine (DuckDB), or takes one writer at a time
  // (SQLite). The model runner then runs one node at a time on it.
  virtual bool one_session_at_a_time() const { return false; }
};

// What a connector's materialize() is made of once it has planned: runs
// `INSERT INTO <rows_into> SELECT ... FROM (query)` on `session` between the
// plan's begin and finish. `incoming` are the query's columns.
LoadResult load_query_rows(SqlSession& session, const Dialect& dialect, LoadSteps steps,
                           const TableSchema& incoming, const std::string& query,
                           const std::string& label);

// The columns open_row_hashes yields: `_pk` and `_hash`, both VARCHAR NOT
// NULL, keyed by `_pk`; `text_type` is the source's name for its text type.
TableSchema row_hash_schema(const std::string& text_type, std::optional<uint64_t> estimated_rows);

// The connector for an output of a profile, working with `engine` for the
// life of one job. Throws ConfigError when this build has none for its type.
std::unique_ptr<Connector> make_connector(const OutputConfig& output, Engine& engine);

// For databases dvt reads and writes in-process (SQLite, DuckDB): throws
// ConfigError unless `method` is auto or native.
void require_in_process(Method method, const std::string& output, const char* database);

// A sink that streams the engine's result chunk by chunk into a BatchWriter
// made for the incoming schema, and commits it.
class StreamingSink : public Sink {
 public:
  using WriterFactory = std::function<std::unique_ptr<BatchWriter>(const TableSchema& incoming)>;
  StreamingSink(std::string method, WriterFactory factory)
      : method_(std::move(method)), factory_(std::move(factory)) {}
  LoadResult consume(Engine& engine, const std::string& select_sql, const TableSchema& schema,
                     Progress* progress) override;

 private:
  std::string method_;
  WriterFactory factory_;
};

// `select_sql` with every column whose type differs from `wire_types` cast
// to it (in the engine, so a value that does not convert fails loudly).
std::string cast_to_wire(const std::string& select_sql, const TableSchema& schema,
                         const std::vector<Type>& wire_types);

// "SELECT <columns> FROM <table_sql> [WHERE ...] [LIMIT n]" for a source
// whose dialect quotes identifiers with `quote`; `table_sql` is the table's
// qualified, quoted name. A request with a query selects from it instead.
std::string build_scan_sql(const ScanRequest& request,
                           const std::function<std::string(const std::string&)>& quote,
                           const std::string& table_sql);

}  // namespace dvt
