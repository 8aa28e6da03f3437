#include "connectors/connector.h"

#include <fmt/format.h>

#include "connectors/clickhouse/clickhouse_connector.h"
#include "connectors/dialect.h"
#include "connectors/duckdb/duckdb_connector.h"
#include "connectors/duckdb/duckdb_dialect.h"
#include "connectors/load_plan.h"
#include "connectors/load_runner.h"
#include "connectors/mysql/mysql_connector.h"
#include "connectors/odbc/odbc_connector.h"
#include "connectors/postgres/postgres_connector.h"
#include "connectors/registry.h"
#include "connectors/sqlite/sqlite_connector.h"
#include "core/error.h"
#include "core/output_config.h"

namespace dvt {

const char* method_name(Method method) {
  switch (method) {
    case Method::kAuto:
      return "auto";
    case Method::kNative:
      return "native";
    case Method::kPipe:
      return "pipe";
    case Method::kOdbc:
      return "odbc";
  }
  return "auto";
}

Method parse_method(const std::string& name) {
  for (Method method : {Method::kAuto, Method::kNative, Method::kPipe, Method::kOdbc}) {
    if (name == method_name(method)) return method;
  }
  throw ConfigError(fmt::format("unknown method '{}' (use auto, native, pipe or odbc)", name));
}

TableSchema row_hash_schema(const std::string& text_type, std::optional<uint64_t> estimated_rows) {
  TableSchema schema;
  for (const char* name : {"_pk", "_hash"}) {
    Column column;
    column.name = name;
    column.type = Type(DUCKDB_TYPE_VARCHAR);
    column.source_type = text_type;
    column.nullable = false;
    schema.columns.push_back(std::move(column));
  }
  schema.primary_key = {"_pk"};
  schema.estimated_rows = estimated_rows;
  return schema;
}

void require_in_process(Method method, const std::string& output, const char* database) {
  if (method == Method::kPipe || method == Method::kOdbc) {
    throw ConfigError(
        fmt::format("output '{}': {} is read and written in-process; --method {} does not apply "
                    "(use native or auto)",
                    output, database, method_name(method)));
  }
}

std::unique_ptr<Connector> make_connector(const OutputConfig& output, Engine& engine) {
  const AdapterInfo* adapter = find_adapter(output.type());
  if (!adapter) throw ConfigError(fmt::format("unknown adapter type '{}'", output.type()));
  if (adapter->type == "duckdb") return make_duckdb_connector(output, engine);
  if (adapter->type == "sqlite") return make_sqlite_connector(output, engine);
  if (adapter->type == "mysql") return make_mysql_connector(output, engine);
  if (adapter->type == "postgres") return make_postgres_connector(output, engine);
  if (adapter->type == "clickhouse") return make_clickhouse_connector(output, engine);
  if (adapter->type == "odbc") return make_odbc_connector(output, engine);
  throw ConfigError(
      fmt::format("{}: output '{}' has type '{}', which this build of dvt cannot "
                  "move data through yet",
                  output.location(), output.name(), output.type()));
}

namespace {

// "FROM <table or query> [WHERE predicate]" of a scan.
std::string from_where(Connector& connector, const ScanRequest& request) {
  std::string sql = request.query.empty() ? connector.read_name(request.table)
                                          : "(" + request.query + ") AS dvt_query";
  if (!request.where.empty()) sql += " WHERE " + request.where;
  return sql;
}

// The key columns of a table, with their types, in the key's order.
std::vector<Column> key_columns(const TableSchema& table, const std::vector<std::string>& key) {
  std::vector<Column> columns;
  for (const auto& name : key) {
    int index = table.find(name);
    if (index < 0) throw InternalError("key column " + name + " is not among the table's columns");
    columns.push_back(table.columns[static_cast<size_t>(index)]);
  }
  return columns;
}

// A scan of `sql` (in the source's dialect) through the tier `like` asks for.
ScanRequest query_like(const ScanRequest& like, std::string sql) {
  ScanRequest request;
  request.query = std::move(sql);
  request.method = like.method;
  request.keep_order = like.keep_order;
  return request;
}

}  // namespace

std::vector<std::string> Connector::row_key(const TableRef& table) {
  std::vector<std::string> key = describe(table).primary_key;
  if (key.empty()) {
    throw ConfigError(fmt::format("table {} has no primary key; row hashes and --delta need one",
                                  table.display()));
  }
  return key;
}

TableSchema Connector::describe_scan(Engine& engine, const ScanRequest& request) {
  if (request.query.empty()) {
    TableSchema table = describe(request.table);
    if (request.columns.empty()) return table;
    TableSchema selected;
    for (const auto& name : request.columns) {
      int index = table.find(name);
      if (index < 0) {
        throw ConfigError(
            fmt::format("table {} has no column \"{}\"", request.table.display(), name));
      }
      selected.columns.push_back(table.columns[static_cast<size_t>(index)]);
    }
    bool whole_key = !table.primary_key.empty();
    for (const auto& name : table.primary_key) whole_key &= selected.find(name) >= 0;
    if (whole_key) selected.primary_key = table.primary_key;
    selected.estimated_rows = table.estimated_rows;
    return selected;
  }
  // A query's columns are what it yields: run it for no rows.
  const Dialect& sql = dialect();
  ScanRequest probe = request;
  probe.where = request.where.empty() ? sql.false_predicate()
                                      : "(" + request.where + ") AND " + sql.false_predicate();
  probe.limit.reset();
  return open_source(engine, probe, nullptr).schema;
}

Fingerprint Connector::fingerprint(Engine& engine, const ScanRequest& request) {
  return content_fingerprint(engine, request);
}

Fingerprint Connector::content_fingerprint(Engine& engine, const ScanRequest& request) {
  const Dialect& sql = dialect();
  if (request.limit) {
    throw ConfigError("a scan with --limit has no fingerprint: which rows it reads is not fixed");
  }
  TableSchema schema = describe_scan(engine, request);
  if (!sql.hashes_on_any_connection()) {
    // The database cannot hash on this connection: the rows are read and
    // hashed in the engine, by DuckDB's text of each value (another method,
    // so never equal to a fingerprint the database computed).
    Source source = open_source(engine, request, nullptr);
    const Dialect& duck = duck::dialect();
    auto rows = engine.query_strings(
        fmt::format("SELECT count(*), {} FROM {}",
                    duck.hash_aggregate(duck.row_hash(source.schema.columns)), source.relation));
    return Fingerprint{"md5 (read)", std::stoull(rows.at(0).at(0).value_or("0")),
                       rows[0][1].value_or("0")};
  }
  Source source = open_source(
      engine,
      query_like(request, fmt::format("SELECT count(*) AS dvt_rows, {} AS dvt_hash_sum FROM {}",
                                      sql.hash_aggregate(sql.row_hash(schema.columns)),
                                      from_where(*this, request))),
      nullptr);
  auto rows = engine.query_strings("SELECT * FROM " + source.relation);
  if (rows.size() != 1 || rows[0].size() != 2 || !rows[0][0]) {
    throw InternalError("the fingerprint query did not return one row of two columns");
  }
  // A sum over no rows is NULL.
  return Fingerprint{"md5", std::stoull(*rows[0][0]), rows[0][1].value_or("0")};
}

std::string Connector::row_version_sql(Engine& /*engine*/, const ScanRequest& /*request*/,
                                       const TableSchema& scan) {
  const Dialect& sql = dialect();
  return sql.hex_value(sql.row_hash(scan.columns), 10);
}

Source Connector::open_row_hashes(Engine& engine, const TableRef& table, Progress* progress) {
  ScanRequest request;
  request.table = table;
  return open_row_hashes(engine, request, progress);
}

Source Connector::open_row_hashes(Engine& engine, const ScanRequest& request, Progress* progress) {
  const Dialect& sql = dialect();
  if (!request.query.empty() || request.table.name.empty())
    throw ConfigError("row hashes read a table, not a query");
  std::vector<std::string> key = row_key(request.table);
  TableSchema table = describe(request.table);
  TableSchema schema = request.columns.empty() ? table : describe_scan(engine, request);
  Source source =
      open_source(engine,
                  query_like(request, fmt::format("SELECT {} AS {}, {} AS {} FROM {}",
                                                  sql.key_text(key_columns(table, key)),
                                                  sql.quote("_pk"), sql.row_hash(schema.columns),
                                                  sql.quote("_hash"), from_where(*this, request))),
                  progress);
  TableSchema hashes =
      row_hash_schema("", request.where.empty() ? table.estimated_rows : std::nullopt);
  for (size_t i = 0; i < hashes.columns.size() && i < source.schema.columns.size(); ++i)
    hashes.columns[i].source_type = source.schema.columns[i].source_type;
  source.schema = std::move(hashes);
  return source;
}

Source Connector::open_annotated_source(Engine& engine, const ScanRequest& request,
                                        const RowAnnotations& annotations, Progress* progress) {
  const Dialect& sql = dialect();
  TableSchema schema = describe_scan(engine, request);
  // Key and cursor columns need not be among those read.
  TableSchema table =
      request.query.empty() && !request.columns.empty() ? describe(request.table) : schema;
  std::string select = sql.name_list(schema.names());
  auto add = [&](const std::string& expression, const char* name) {
    if (schema.find(name) >= 0) {
      throw ConfigError(fmt::format("table {} has a column named {}, which dvt reserves",
                                    request.table.display(), name));
    }
    select += fmt::format(", {} AS {}", expression, sql.quote(name));
  };
  if (!annotations.key.empty()) {
    std::string key_text = sql.key_text(key_columns(table, annotations.key));
    add(key_text, "_dvt_pk");
    if (annotations.buckets) {
      add(row_version_sql(engine, request, schema), "_dvt_version");
      add(sql.text_bucket(key_text, annotations.buckets), "_dvt_bucket");
    }
  }
  if (!annotations.cursor.empty()) {
    const Column cursor = key_columns(table, {annotations.cursor})[0];
    add(fmt::format("CASE WHEN {} IS NULL THEN NULL ELSE {} END", sql.quote(cursor.name),
                    sql.text_of(cursor)),
        "_dvt_cursor");
  }
  std::string scan = fmt::format("SELECT {} FROM {}", select, from_where(*this, request));
  if (request.limit) scan = sql.limit_rows(scan, *request.limit);
  Source source = open_source(engine, query_like(request, scan), progress);
  // The query's result types, with what the catalog knows besides.
  for (auto& column : source.schema.columns) {
    int index = schema.find(column.name);
    if (index >= 0) {
      column.nullable = schema.columns[static_cast<size_t>(index)].nullable;
      column.source_type = schema.columns[static_cast<size_t>(index)].source_type;
    }
  }
  source.schema.primary_key = schema.primary_key;
  source.schema.estimated_rows = request.where.empty() ? table.estimated_rows : std::nullopt;
  return source;
}

namespace {

[[noreturn]] void no_sql_here(const char* what) {
  throw ConfigError(fmt::format("this output's database runs no SQL of dvt's ({})", what));
}

}  // namespace

const Dialect& Connector::dialect() const {
  no_sql_here("dialect");
}

std::unique_ptr<SqlSession> Connector::open_session() {
  no_sql_here("session");
}

bool Connector::relation_exists(const TableRef& /*table*/) {
  no_sql_here("catalog");
}

LoadResult Connector::materialize(const LoadRequest& /*request*/, const std::string& /*query*/) {
  no_sql_here("materialize");
}

std::string Connector::qualified_name(const TableRef& table) {
  return dialect().qualify(table);
}

LoadResult load_query_rows(SqlSession& session, const Dialect& dialect, LoadSteps steps,
                           const TableSchema& incoming, const std::string& query,
                           const std::string& label) {
  LoadRunner runner(session, std::move(steps), label);
  runner.begin();
  const std::string rows = "(" + query + ") AS dvt_model";
  std::optional<uint64_t> inserted =
      session.execute(dialect.insert_select(runner.rows_into(), incoming.names(), rows));
  if (!inserted) {
    // The database does not report it (ClickHouse): count what landed.
    auto counted = session.rows("SELECT count(*) FROM " + runner.rows_into());
    inserted = counted.empty() || !counted[0][0] ? 0 : std::stoull(*counted[0][0]);
  }
  TableChanges changes = runner.finish(*inserted);
  LoadResult result;
  result.rows = changes.rows;
  result.inserted = changes.inserted;
  result.updated = changes.updated;
  result.deleted = changes.deleted;
  result.method = "in database";
  return result;
}

void Connector::create_view(const TableRef& view, const std::string& query) {
  std::unique_ptr<SqlSession> session = open_session();
  const Dialect& d = dialect();
  std::vector<std::string> statements = d.create_view(qualified_name(view), query);
  const bool transaction = d.transactional_ddl() && statements.size() > 1;
  if (transaction) session->execute(d.begin_transaction());
  try {
    for (const auto& statement : statements) session->execute(statement);
    if (transaction) session->execute(d.commit());
  } catch (...) {
    if (transaction) session->execute_quietly(d.rollback());
    throw;
  }
}

LoadResult StreamingSink::consume(Engine& engine, const std::string& select_sql,
                                  const TableSchema& schema, Progress* progress) {
  std::unique_ptr<BatchWriter> writer = factory_(schema);
  try {
    auto stream = engine.stream(cast_to_wire(select_sql, schema, writer->wire_types()));
    uint64_t rows_sent = 0;
    while (DataChunk chunk = stream->next()) {
      writer->write(chunk.get());
      rows_sent += chunk.size();
      if (progress) {
        progress->set_rows(rows_sent);
        if (uint64_t bytes = writer->bytes_written()) progress->set_bytes(bytes);
      }
    }
    TableChanges changes = writer->commit();
    LoadResult result;
    result.rows = changes.rows;
    result.inserted = changes.inserted;
    result.updated = changes.updated;
    result.deleted = changes.deleted;
    result.method = method_;
    return result;
  } catch (...) {
    writer->abort();
    throw;
  }
}

std::string cast_to_wire(const std::string& select_sql, const TableSchema& schema,
                         const std::vector<Type>& wire_types) {
  if (wire_types.size() != schema.columns.size()) {
    throw InternalError("writer wire types do not match the incoming columns");
  }
  if (wire_types == schema.types()) return select_sql;
  std::string select;
  for (size_t i = 0; i < wire_types.size(); ++i) {
    if (i) select += ", ";
    std::string name = duck_quote(schema.columns[i].name);
    if (wire_types[i] == schema.columns[i].type) {
      select += name;
    } else {
      select += fmt::format("CAST({} AS {}) AS {}", name, wire_types[i].sql(), name);
    }
  }
  return fmt::format("SELECT {} FROM ({}) AS dvt_wire", select, select_sql);
}

std::string build_scan_sql(const ScanRequest& request,
                           const std::function<std::string(const std::string&)>& quote,
                           const std::string& table_sql) {
  std::string columns;
  if (request.columns.empty()) {
    columns = "*";
  } else {
    for (size_t i = 0; i < request.columns.size(); ++i) {
      if (i) columns += ", ";
      columns += quote(request.columns[i]);
    }
  }
  std::string from;
  if (!request.query.empty()) {
    from = "(" + request.query + ") AS dvt_query";
  } else {
    from = table_sql;
  }
  std::string sql = fmt::format("SELECT {} FROM {}", columns, from);
  if (!request.where.empty()) sql += " WHERE " + request.where;
  if (request.limit) sql += fmt::format(" LIMIT {}", *request.limit);
  return sql;
}

}  // namespace dvt
