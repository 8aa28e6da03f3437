#include "connectors/duckdb/duckdb_connector.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "connectors/duckdb/duckdb_dialect.h"
#include "connectors/load_plan.h"
#include "connectors/load_runner.h"
#include "core/error.h"
#include "core/output_config.h"

namespace dvt {
namespace {

std::string schema_or_main(const TableRef& table) {
  return table.schema.empty() ? "main" : table.schema;
}

std::string qualified(const std::string& catalog, const TableRef& table) {
  return fmt::format("{}.{}.{}", catalog, duck_quote(schema_or_main(table)),
                     duck_quote(table.name));
}

// The catalog name of an attached alias, unquoted, for duckdb_* table functions.
std::string unquoted(const std::string& quoted) {
  return quoted.substr(1, quoted.size() - 2);
}

// The condition that picks `table` of `catalog` out of duckdb_tables(),
// duckdb_columns(), duckdb_indexes() and duckdb_constraints().
std::string table_filter(const std::string& catalog, const TableRef& table) {
  return fmt::format("database_name = {} AND schema_name = {} AND table_name = {}",
                     duck_literal(unquoted(catalog)), duck_literal(schema_or_main(table)),
                     duck_literal(table.name));
}

bool table_exists(Engine& engine, const std::string& catalog, const TableRef& table) {
  return !engine
              .query_strings("SELECT 1 FROM duckdb_tables() WHERE " + table_filter(catalog, table))
              .empty();
}

// The rows of a source that reads the table its load empties.
constexpr const char* kIncoming = "temp.main.dvt_incoming";

// `text` as a regular expression (RE2) that matches only itself.
std::string regex_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// The statements that empty an existing table inside the load's
// transaction, keeping its definition. DELETE keeps a marker for every deleted
// row until the transaction ends, outside memory_limit (about 16 bytes a row:
// overwriting a 60M-row table took 1 GB), so a table no foreign key points at
// is dropped and created again from its own DDL instead; its indexes are
// built after the insert, and its comments put back. Reads the catalog;
// changes nothing. `previous` is the engine's default catalog, put back after
// each statement that needs the file in USE.
TransactionalLoadPlan::Emptying plan_emptying(Engine& engine, const std::string& catalog,
                                              const TableRef& table, const std::string& previous) {
  const std::string where = table_filter(catalog, table);
  const std::string qualified_table = qualified(catalog, table);
  const std::string use_file = "USE " + catalog;
  const std::string use_previous = "USE " + previous;
  // Whether another table's DDL holds a foreign key to this one: DuckDB
  // keeps foreign keys within a schema, and writes them REFERENCES name(...),
  // the name as the user spelled it (any case, maybe quoted or qualified).
  // duckdb_constraints() would tell directly, but it binds every CHECK in
  // every attached file, and fails on one calling a macro of another file.
  const bool referenced =
      !engine
           .query_strings(fmt::format(
               "SELECT 1 FROM duckdb_tables() WHERE database_name = {} AND schema_name = {} AND "
               "table_name <> {} AND regexp_matches(sql, {}, 'i')",
               duck_literal(unquoted(catalog)), duck_literal(schema_or_main(table)),
               duck_literal(table.name),
               duck_literal(R"(REFERENCES\s+(\S+\.)?"?)" + regex_escaped(table.name) +
                            R"("?\s*\()")))
           .empty();
  if (referenced) {
    // Its CHECKs bind as the file's own DDL does: with the file in USE.
    return {{use_file, "DELETE FROM " + qualified_table, use_previous}, {}};
  }
  const auto definition =
      engine.query_strings("SELECT sql, comment FROM duckdb_tables() WHERE " + where).at(0);
  TransactionalLoadPlan::Emptying emptying;
  // The stored DDL names its table without a catalog.
  emptying.before = {"DROP TABLE " + qualified_table, use_file, definition[0].value(),
                     use_previous};
  // Index DDL (NULL for the indexes of PRIMARY KEY and UNIQUE, which the
  // table's DDL makes), then the comments, all with the file in USE.
  std::vector<std::string>& after = emptying.after;
  after.push_back(use_file);
  for (const auto& row : engine.query_strings(
           "SELECT sql, schema_name, index_name, comment FROM duckdb_indexes() WHERE " + where +
           " ORDER BY index_oid")) {
    if (row[0]) after.push_back(*row[0]);
    if (row[3]) {
      after.push_back(fmt::format("COMMENT ON INDEX {}.{}.{} IS {}", catalog,
                                  duck_quote(row[1].value_or("")), duck_quote(row[2].value_or("")),
                                  duck_literal(*row[3])));
    }
  }
  if (definition[1]) {
    after.push_back(
        fmt::format("COMMENT ON TABLE {} IS {}", qualified_table, duck_literal(*definition[1])));
  }
  for (const auto& row :
       engine.query_strings("SELECT column_name, comment FROM duckdb_columns() WHERE " + where +
                            " AND comment IS NOT NULL ORDER BY column_index")) {
    after.push_back(fmt::format("COMMENT ON COLUMN {}.{} IS {}", qualified_table,
                                duck_quote(row[0].value_or("")), duck_literal(*row[1])));
  }
  after.push_back(use_previous);
  return emptying;
}

// DuckDB's plan: the generic one, with the table emptied as above.
class DuckDbLoadPlan : public TransactionalLoadPlan {
 public:
  DuckDbLoadPlan(Emptying emptying)
      : TransactionalLoadPlan(duck::dialect()), emptying_(std::move(emptying)) {}

 protected:
  Emptying empty_target(const TargetTable& /*target*/) const override { return emptying_; }

 private:
  Emptying emptying_;
};

// What DuckDB's catalog says of a load's target table. A generated column
// shows as one with a default (DuckDB's catalog does not tell them apart), so
// a load that sets one fails in DuckDB itself.
TargetTable describe_target(Engine& engine, const std::string& catalog, const TableRef& table,
                            const std::string& label) {
  TargetTable target;
  target.qualified = qualified(catalog, table);
  target.display = label;
  target.schema = catalog + "." + duck_quote(schema_or_main(table));
  target.schema_exists =
      !engine
           .query_strings(fmt::format("SELECT 1 FROM duckdb_schemas() WHERE database_name = {} AND "
                                      "schema_name = {}",
                                      duck_literal(unquoted(catalog)),
                                      duck_literal(schema_or_main(table))))
           .empty();
  for (const auto& row : engine.query_strings(
           "SELECT column_name, is_nullable, column_default IS NOT NULL FROM duckdb_columns() "
           "WHERE " +
           table_filter(catalog, table) + " ORDER BY column_index")) {
    TargetColumn column;
    column.name = row[0].value_or("");
    column.nullable = row[1].value_or("true") == "true";
    column.has_default = row[2].value_or("false") == "true";
    target.columns.push_back(std::move(column));
  }
  target.exists = !target.columns.empty();
  return target;
}

// The load plan's statements, run by the engine itself.
class EngineSession : public SqlSession {
 public:
  explicit EngineSession(Engine& engine) : engine_(engine) {}
  std::optional<uint64_t> execute(const std::string& sql) override { return engine_.execute(sql); }
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) override {
    return engine_.query_strings(sql);
  }
  void execute_quietly(const std::string& sql) noexcept override {
    try {
      engine_.execute(sql);
    } catch (...) {
    }
  }

 private:
  Engine& engine_;
};

class DuckDbConnector : public Connector {
 public:
  DuckDbConnector(const OutputConfig& output, Engine& engine)
      : engine_(engine),
        name_(output.name()),
        path_(output.require("path")),
        catalog_name_(output.get("database")
                          .value_or(path_ == ":memory:"
                                        ? ""
                                        : std::filesystem::path(path_).stem().string())) {}

  TableSchema describe(const TableRef& table) override {
    std::string catalog = attach_for_reading();
    if (!table_exists(engine_, catalog, table)) {
      throw ConfigError(fmt::format("output '{}': DuckDB database {} has no table {}", name_, path_,
                                    table.display()));
    }
    TableSchema schema = engine_.describe("SELECT * FROM " + qualified(catalog, table));
    const std::string where = table_filter(catalog, table);
    auto nullability = engine_.query_strings(
        "SELECT column_name, is_nullable FROM duckdb_columns() WHERE " + where);
    for (const auto& row : nullability) {
      int index = schema.find(row[0].value_or(""));
      if (index >= 0) schema.columns[index].nullable = row[1].value_or("true") == "true";
    }
    // duckdb_constraints() binds the file's CHECKs, which may call its macros.
    auto key = [&] {
      CatalogInUse in_file(engine_, catalog);
      return engine_.query_strings(
          "SELECT unnest(constraint_column_names) FROM duckdb_constraints() WHERE " + where +
          " AND constraint_type = 'PRIMARY KEY'");
    }();
    for (const auto& row : key) schema.primary_key.push_back(row[0].value_or(""));
    auto estimate =
        engine_.query_strings("SELECT estimated_size FROM duckdb_tables() WHERE " + where);
    if (!estimate.empty() && estimate[0][0]) schema.estimated_rows = std::stoull(*estimate[0][0]);
    return schema;
  }

  Source open_source(Engine& engine, const ScanRequest& request, Progress* /*progress*/) override {
    require_in_process(request.method, name_, "DuckDB");
    std::string catalog = attach_for_reading();
    Source source;
    std::string sql;
    if (request.query.empty()) {
      TableSchema described = describe(request.table);
      sql = build_scan_sql(request, duck_quote, qualified(catalog, request.table));
      source.schema = engine.describe(sql);
      source.schema.primary_key = described.primary_key;
      source.schema.estimated_rows = described.estimated_rows;
      for (auto& column : source.schema.columns) {
        int found = described.find(column.name);
        if (found >= 0) column.nullable = described.columns[found].nullable;
      }
    } else {
      // User SQL names the file's tables without a catalog.
      engine.use(catalog);
      sql = build_scan_sql(request, duck_quote, "");
      source.schema = engine.describe(sql);
    }
    source.relation = "(" + sql + ")";
    source.method = "native";
    return source;
  }

  std::unique_ptr<Sink> open_sink(const LoadRequest& request) override {
    require_in_process(request.method, name_, "DuckDB");
    // Attached already: the job's source reads this file.
    const bool read_by_source = engine_.is_attached(path_);
    return std::make_unique<AttachedTableSink>(attach(false), name_, request, read_by_source);
  }

  // --- SQL run in the database: the file attached to the job's engine ---

  const Dialect& dialect() const override { return duck::dialect(); }

  std::unique_ptr<SqlSession> open_session() override {
    // Statements name the file's tables without a catalog.
    engine_.use(attach(false));
    return std::make_unique<EngineSession>(engine_);
  }

  bool relation_exists(const TableRef& table) override {
    if (!std::filesystem::exists(path_)) return false;
    std::string catalog = attach(true);
    return !engine_
                .query_strings(fmt::format(
                    "SELECT 1 FROM duckdb_tables() WHERE {0} UNION ALL SELECT 1 FROM "
                    "duckdb_views() WHERE database_name = {1} AND schema_name = {2} AND "
                    "view_name = {3}",
                    table_filter(catalog, table), duck_literal(unquoted(catalog)),
                    duck_literal(schema_or_main(table)), duck_literal(table.name)))
                .empty();
  }

  LoadResult materialize(const LoadRequest& request, const std::string& query) override {
    require_in_process(request.method, name_, "DuckDB");
    const std::string catalog = attach(false);
    // The model's SQL names the file's tables without a catalog.
    CatalogInUse in_file(engine_, catalog);
    const std::string label = fmt::format("{}:{}", name_, request.table.display());
    TableSchema incoming = engine_.describe(query);
    TargetTable target = describe_target(engine_, catalog, request.table, label);
    check_incoming_columns(request, target, incoming, duck::dialect());
    TransactionalLoadPlan::Emptying emptying;
    if (target.exists && !request.full_refresh && request.mode == LoadMode::kOverwrite)
      emptying = plan_emptying(engine_, catalog, request.table, catalog);
    LoadSteps steps = DuckDbLoadPlan(std::move(emptying)).plan(request, target, incoming, &query);
    steps.on_failure.push_back("USE " + catalog);
    EngineSession session(engine_);
    return load_query_rows(session, duck::dialect(), std::move(steps), incoming, query, label);
  }

  std::string qualified_name(const TableRef& table) override {
    return qualified(attach(false), table);
  }

  // Read-only, as a scan of the file attaches it.
  std::string read_name(const TableRef& table) override {
    std::string catalog = attach_for_reading();
    if (!table_exists(engine_, catalog, table)) {
      throw ConfigError(fmt::format("output '{}': DuckDB database {} has no table {}", name_, path_,
                                    table.display()));
    }
    return qualified(catalog, table);
  }

  bool one_session_at_a_time() const override { return true; }

  std::string check(Method tier) override {
    require_in_process(tier, name_, "DuckDB");
    std::string catalog = attach_for_reading();
    auto tables = engine_.query_strings(
        fmt::format("SELECT count(*) FROM duckdb_tables() WHERE database_name = {}",
                    duck_literal(unquoted(catalog))));
    return fmt::format("DuckDB {}, {} ({} tables)", duckdb_library_version(), path_,
                       tables.empty() ? "0" : tables[0][0].value_or("0"));
  }

 private:
  std::string attach_for_reading() {
    if (!std::filesystem::exists(path_)) {
      throw ConnectionError(
          fmt::format("output '{}': DuckDB database {} does not exist", name_, path_));
    }
    return attach(true);
  }

  // The file's catalog in the engine, named as dbt-duckdb names it (the
  // output's `database`, else the file's stem) when that name is free.
  std::string attach(bool read_only) { return engine_.attach(path_, read_only, catalog_name_); }

  Engine& engine_;
  std::string name_;
  std::string path_;
  std::string catalog_name_;
};

}  // namespace

LoadResult AttachedTableSink::consume(Engine& engine, const std::string& select_sql,
                                      const TableSchema& schema, Progress* progress) {
  const std::string default_catalog = engine.default_catalog();
  const std::string label = fmt::format("{}:{}", output_name_, request_.table.display());
  TargetTable target = describe_target(engine, catalog_, request_.table, label);
  check_incoming_columns(request_, target, schema, duck::dialect());
  TransactionalLoadPlan::Emptying emptying;
  if (target.exists && !request_.full_refresh && request_.mode == LoadMode::kOverwrite)
    emptying = plan_emptying(engine, catalog_, request_.table, default_catalog);
  LoadSteps steps = DuckDbLoadPlan(std::move(emptying)).plan(request_, target, schema);
  // A statement run in the target's catalog that failed leaves it the default.
  steps.on_failure.push_back("USE " + default_catalog);
  // The source may read the very table this load empties (a query over it,
  // or the table itself): its rows are taken before it is emptied.
  const bool staged = read_by_source_ && target.exists &&
                      (request_.full_refresh || request_.mode == LoadMode::kOverwrite);
  std::string rows_sql = select_sql;
  if (staged) {
    steps.before.insert(
        steps.before.begin() + 1,
        Statement(fmt::format("CREATE TEMP TABLE {} AS {}", kIncoming, select_sql)));
    // Gone before the index DDL runs: its table names are resolved in temp first.
    steps.apply.insert(steps.apply.begin(), Statement(fmt::format("DROP TABLE {}", kIncoming)));
    rows_sql = "SELECT * FROM " + std::string(kIncoming);
  }
  EngineSession session(engine);
  LoadRunner runner(session, std::move(steps), label);
  runner.begin();
  uint64_t before = progress ? progress->rows() : 0;
  // Not with the file in USE: its macros would then shadow the functions
  // the source relation calls (read_parquet, a reader's scan, upper, ...).
  uint64_t inserted = engine.execute(fmt::format(
      "INSERT INTO {} BY NAME SELECT * FROM ({}) AS dvt_source", runner.rows_into(), rows_sql));
  // Rows counted by a reader feeding the statement must all have arrived.
  if (progress && progress->rows() != before && progress->rows() - before != inserted) {
    throw DataError(fmt::format("{}: {} rows read but {} inserted", label,
                                progress->rows() - before, inserted));
  }
  TableChanges changes = runner.finish(inserted);
  if (progress) progress->set_rows(inserted);
  LoadResult result;
  result.rows = changes.rows;
  result.inserted = changes.inserted;
  result.updated = changes.updated;
  result.deleted = changes.deleted;
  result.method = "native";
  return result;
}

std::unique_ptr<Connector> make_duckdb_connector(const OutputConfig& output, Engine& engine) {
  return std::make_unique<DuckDbConnector>(output, engine);
}

}  // namespace dvt
