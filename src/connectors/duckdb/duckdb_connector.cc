#include "connectors/duckdb/duckdb_connector.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

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

// Empties an existing table inside the load's transaction, keeping its
// definition. DELETE keeps a marker for every deleted row until the
// transaction ends, outside memory_limit (about 16 bytes a row: overwriting a
// 60M-row table took 1 GB), so a table no foreign key points at is dropped and
// created again from its own DDL instead; its indexes are built after the
// insert, and its comments put back. Returns the statements still to run once
// the rows are in.
std::vector<std::string> empty_table(Engine& engine, const std::string& catalog,
                                     const TableRef& table) {
  const std::string where = table_filter(catalog, table);
  const std::string qualified_table = qualified(catalog, table);
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
    CatalogInUse in_file(engine, catalog);
    engine.execute("DELETE FROM " + qualified_table);
    return {};
  }
  const auto definition =
      engine.query_strings("SELECT sql, comment FROM duckdb_tables() WHERE " + where).at(0);
  const std::string create = definition[0].value();
  std::vector<std::string> after;
  // Index DDL (NULL for the indexes of PRIMARY KEY and UNIQUE, which the
  // table's DDL makes), then the comments.
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
  engine.execute("DROP TABLE " + qualified_table);
  // The stored DDL names its table without a catalog.
  CatalogInUse in_file(engine, catalog);
  engine.execute(create);
  return after;
}

class DuckDbConnector : public Connector {
 public:
  DuckDbConnector(const OutputConfig& output, Engine& engine)
      : engine_(engine), name_(output.name()), path_(output.require("path")) {}

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
    return std::make_unique<AttachedTableSink>(engine_.attach(path_, false), request,
                                               read_by_source);
  }

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
    return engine_.attach(path_, true);
  }

  Engine& engine_;
  std::string name_;
  std::string path_;
};

}  // namespace

LoadResult AttachedTableSink::consume(Engine& engine, const std::string& select_sql,
                                      const TableSchema& schema, Progress* progress) {
  const std::string table = qualified(catalog_, request_.table);
  const std::string default_catalog = engine.default_catalog();
  engine.execute("BEGIN TRANSACTION");
  try {
    engine.execute(fmt::format("CREATE SCHEMA IF NOT EXISTS {}.{}", catalog_,
                               duck_quote(schema_or_main(request_.table))));
    bool exists = table_exists(engine, catalog_, request_.table);
    // The source may read the very table this load empties (a query over it,
    // or the table itself): its rows are taken before it is emptied.
    const bool staged = read_by_source_ && exists &&
                        (request_.full_refresh || request_.mode == LoadMode::kOverwrite);
    if (staged) engine.execute(fmt::format("CREATE TEMP TABLE {} AS {}", kIncoming, select_sql));
    const std::string rows_sql = staged ? "SELECT * FROM " + std::string(kIncoming) : select_sql;
    if (request_.full_refresh && exists) {
      engine.execute("DROP TABLE " + table);
      exists = false;
    }
    if (!exists) {
      std::string columns;
      for (size_t i = 0; i < schema.columns.size(); ++i) {
        if (i) columns += ", ";
        columns += duck_quote(schema.columns[i].name) + " " + schema.columns[i].type.sql();
        if (!schema.columns[i].nullable) columns += " NOT NULL";
      }
      if (!schema.primary_key.empty()) {
        std::string key;
        for (const auto& name : schema.primary_key)
          key += (key.empty() ? "" : ", ") + duck_quote(name);
        columns += ", PRIMARY KEY (" + key + ")";
      }
      engine.execute(fmt::format("CREATE TABLE {} ({})", table, columns));
    }
    std::vector<std::string> after_insert;
    if (exists && request_.mode == LoadMode::kOverwrite) {
      after_insert = empty_table(engine, catalog_, request_.table);
    }
    uint64_t before = progress ? progress->rows() : 0;
    // Not with the file in USE: its macros would then shadow the functions
    // the source relation calls (read_parquet, a reader's scan, upper, ...).
    uint64_t inserted = engine.execute(
        fmt::format("INSERT INTO {} BY NAME SELECT * FROM ({}) AS dvt_source", table, rows_sql));
    // Rows counted by a reader feeding the statement must all have arrived.
    if (progress && progress->rows() != before && progress->rows() - before != inserted) {
      throw DataError(fmt::format("{}: {} rows read but {} inserted", request_.table.display(),
                                  progress->rows() - before, inserted));
    }
    // Gone before the index DDL runs: its table names are resolved in temp first.
    if (staged) engine.execute(fmt::format("DROP TABLE {}", kIncoming));
    {
      CatalogInUse in_file(engine, catalog_);
      for (const auto& statement : after_insert) engine.execute(statement);
    }
    engine.execute("COMMIT");
    if (progress) progress->set_rows(inserted);
    LoadResult result;
    result.rows = inserted;
    result.method = "native";
    return result;
  } catch (...) {
    try {
      engine.execute("ROLLBACK");
      // A statement run in the target's catalog that failed left it the default.
      if (engine.default_catalog() != default_catalog) engine.use(default_catalog);
    } catch (...) {
      // The original failure is the one to report.
    }
    throw;
  }
}

std::unique_ptr<Connector> make_duckdb_connector(const OutputConfig& output, Engine& engine) {
  return std::make_unique<DuckDbConnector>(output, engine);
}

}  // namespace dvt
