#include "connectors/duckdb/duckdb_connector.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/error.h"
#include "project/profiles.h"

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

bool table_exists(Engine& engine, const std::string& catalog, const TableRef& table) {
  auto rows = engine.query_strings(
      fmt::format("SELECT 1 FROM duckdb_tables() WHERE database_name = {} AND schema_name = {} AND "
                  "table_name = {}",
                  duck_literal(unquoted(catalog)), duck_literal(schema_or_main(table)),
                  duck_literal(table.name)));
  return !rows.empty();
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
    auto nullability = engine_.query_strings(fmt::format(
        "SELECT column_name, is_nullable FROM duckdb_columns() WHERE database_name = {} AND "
        "schema_name = {} AND table_name = {}",
        duck_literal(unquoted(catalog)), duck_literal(schema_or_main(table)),
        duck_literal(table.name)));
    for (const auto& row : nullability) {
      int index = schema.find(row[0].value_or(""));
      if (index >= 0) schema.columns[index].nullable = row[1].value_or("true") == "true";
    }
    auto key = engine_.query_strings(fmt::format(
        "SELECT unnest(constraint_column_names) FROM duckdb_constraints() WHERE database_name = {} "
        "AND schema_name = {} AND table_name = {} AND constraint_type = 'PRIMARY KEY'",
        duck_literal(unquoted(catalog)), duck_literal(schema_or_main(table)),
        duck_literal(table.name)));
    for (const auto& row : key) schema.primary_key.push_back(row[0].value_or(""));
    auto estimate = engine_.query_strings(fmt::format(
        "SELECT estimated_size FROM duckdb_tables() WHERE database_name = {} AND schema_name = {} "
        "AND table_name = {}",
        duck_literal(unquoted(catalog)), duck_literal(schema_or_main(table)),
        duck_literal(table.name)));
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
    return std::make_unique<AttachedTableSink>(engine_.attach(path_, false), request);
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
  engine.execute("BEGIN TRANSACTION");
  try {
    engine.execute(fmt::format("CREATE SCHEMA IF NOT EXISTS {}.{}", catalog_,
                               duck_quote(schema_or_main(request_.table))));
    bool exists = table_exists(engine, catalog_, request_.table);
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
    } else if (request_.mode == LoadMode::kOverwrite) {
      engine.execute("DELETE FROM " + table);
    }
    uint64_t before = progress ? progress->rows() : 0;
    uint64_t inserted = engine.execute(
        fmt::format("INSERT INTO {} BY NAME SELECT * FROM ({}) AS dvt_source", table, select_sql));
    // Rows counted by a reader feeding the statement must all have arrived.
    if (progress && progress->rows() != before && progress->rows() - before != inserted) {
      throw DataError(fmt::format("{}: {} rows read but {} inserted", request_.table.display(),
                                  progress->rows() - before, inserted));
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
