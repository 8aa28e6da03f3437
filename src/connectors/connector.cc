#include "connectors/connector.h"

#include <fmt/format.h>

#include "connectors/clickhouse/clickhouse_connector.h"
#include "connectors/dialect.h"
#include "connectors/duckdb/duckdb_connector.h"
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

Source Connector::open_row_hashes(Engine& /*engine*/, const TableRef& table,
                                  Progress* /*progress*/) {
  throw ConfigError(
      fmt::format("row hashes are not available for {} on this adapter", table.display()));
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
