#include "connectors/postgres/postgres_connector.h"

#include <cstdlib>

#include <fmt/format.h>

#include "connectors/load_runner.h"
#include "connectors/odbc/odbc_connector.h"
#include "connectors/pipe/child_process.h"
#include "connectors/pipe/tool_probe.h"
#include "connectors/postgres/pg_binary_reader.h"
#include "connectors/postgres/pg_catalog.h"
#include "connectors/postgres/pg_connection.h"
#include "connectors/postgres/pg_copy_writer.h"
#include "connectors/postgres/pg_csv_reader.h"
#include "connectors/postgres/pg_dialect.h"
#include "connectors/postgres/pg_pipe_writer.h"
#include "connectors/postgres/pg_types.h"
#include "connectors/registry.h"
#include "connectors/tiers.h"
#include "core/error.h"
#include "core/log.h"
#include "core/output_config.h"

namespace dvt {
namespace pg {

const Family& find_family(std::string_view type) {
  static const Family kFamilies[] = {
      {"postgres", true, true, true, true, true},
      {"postgresql", true, true, true, true, true},
      {"greenplum", true, true, true, true, true},
      {"timescaledb", true, true, true, true, true},
      {"alloydb", true, true, true, true, true},
      {"citus", true, true, true, true, true},
      {"neon", true, true, true, true, true},
      // COPY TO STDOUT in text and CSV only; loads through psql's CSV.
      {"cockroachdb", false, true, false, true, true},
      // No binary COPY FROM; session settings differ.
      {"materialize", true, true, false, true, false},
      // No COPY protocol to a client: a cursor reads, nothing loads yet.
      {"risingwave", false, false, false, false, false},
      {"cratedb", false, false, false, false, false},
  };
  for (const auto& family : kFamilies) {
    if (family.type == type) return family;
  }
  return kFamilies[0];
}

}  // namespace pg

namespace {

using pg::PgColumn;
using pg::PgConnection;
using pg::PgConnectionConfig;
using pg::PgTable;
using pg::quote_identifier;
using pg::ReadPlan;
using pg::TierUnavailable;

class PostgresConnector : public Connector {
 public:
  explicit PostgresConnector(const OutputConfig& output)
      : output_(output),
        output_name_(output.name()),
        type_(output.type()),
        family_(pg::find_family(output.type())),
        odbc_(output, "postgres") {
    config_.output = output.name();
    config_.host = output.require("host");
    config_.port = std::to_string(output.get_int("port", 5432));
    config_.user = output.get_or("user", "");
    config_.password = output.get_or("password", output.get_or("pass", ""));
    config_.dbname = output.require_any({"dbname", "database"});
    config_.sslmode = output.get_or("sslmode", "");
    // Fail fast on an unreachable host: libpq waits for the OS by default.
    config_.connect_timeout = std::to_string(output.get_int("connect_timeout", 10));
    if (output.has("keepalives_idle"))
      config_.keepalives_idle = std::to_string(output.get_int("keepalives_idle", 0));
    config_.search_path = output.get_or("search_path", "");
    default_schema_ = output.get_or("schema", "");
    if (!config_.password.empty()) Logger::instance().add_secret(config_.password);
  }

  TableSchema describe(const TableRef& table) override {
    PgConnection conn = connect();
    PgTable found = require_table(conn, table);
    return table_schema(found, found.columns);
  }

  Source open_source(Engine& engine, const ScanRequest& request, Progress* progress) override {
    std::vector<Method> tiers = plan_tiers(output_, request.method);
    std::vector<std::string> fallbacks;
    if (auto source = odbc_.open_source_first(engine, request, progress, tiers, fallbacks))
      return std::move(*source);
    auto conn = std::make_unique<PgConnection>(connect());
    std::string label;
    std::string from;
    std::vector<PgColumn> columns;
    TableSchema schema;
    if (request.query.empty()) {
      PgTable table = require_table(*conn, request.table);
      label = fmt::format("{}:{}.{}", output_name_, table.schema, table.name);
      from = table.qualified();
      if (request.columns.empty()) {
        columns = table.columns;
      } else {
        for (const auto& name : request.columns) {
          int index = table.find(name);
          if (index < 0) {
            throw ConfigError(
                fmt::format("{}: table {} has no column \"{}\"", label, table.qualified(), name));
          }
          columns.push_back(table.columns[static_cast<size_t>(index)]);
        }
      }
      schema = table_schema(table, columns);
      if (!request.where.empty()) schema.estimated_rows.reset();
    } else {
      label = fmt::format("{} (query)", output_name_);
      from = "(" + request.query + ") AS dvt_query";
      std::string probe = "SELECT * FROM " + from;
      if (!request.columns.empty()) {
        std::string list;
        for (const auto& name : request.columns)
          list += (list.empty() ? "" : ", ") + quote_identifier(name);
        probe = "SELECT " + list + " FROM " + from;
      }
      columns = pg::describe_query(*conn, probe);
      schema = table_schema(PgTable{}, columns);
    }
    if (request.limit && (!schema.estimated_rows || *schema.estimated_rows > *request.limit)) {
      schema.estimated_rows = *request.limit;
    }

    std::vector<ReadPlan> plans;
    std::string select;
    for (const auto& column : columns) {
      ReadPlan plan = pg::plan_read(column.type);
      std::string name = quote_identifier(column.name);
      select +=
          (select.empty() ? "" : ", ") + (plan.select_as_text ? name + "::text AS " + name : name);
      plans.push_back(std::move(plan));
    }
    std::string sql = fmt::format("SELECT {} FROM {}", select, from);
    if (!request.where.empty()) sql += " WHERE " + request.where;
    if (request.limit) sql += fmt::format(" LIMIT {}", *request.limit);

    Source source;
    source.schema = schema;
    source.fallbacks = std::move(fallbacks);
    source.reader =
        open_first_tier(tiers, source.fallbacks, [&](Method tier) -> std::unique_ptr<BatchReader> {
          if (tier == Method::kNative) {
            return open_native_reader(std::move(conn), schema, plans, sql, label, source);
          }
          if (tier == Method::kOdbc) return odbc_.open_reader(request, source);
          source.method = "pipe";
          return open_pipe_reader(schema, sql, label);
        });
    source.scan.emplace(engine.register_reader(*source.reader, progress));
    source.relation = source.scan->relation();
    return source;
  }

  std::unique_ptr<Sink> open_sink(const LoadRequest& request) override;

  std::vector<std::string> row_key(const TableRef& table_ref) override {
    PgConnection conn = connect();
    PgTable table = require_table(conn, table_ref);
    if (table.primary_key.empty()) {
      throw ConfigError(
          fmt::format("{}:{}.{}: table {} has no primary key or unique index; row hashes need one",
                      output_name_, table.schema, table.name, table.qualified()));
    }
    return table.primary_key;
  }

  // A 64-bit hash of a row's version (see fingerprint()).
  static constexpr const char* kRowVersion = "hashtextextended(xmin::text || ',' || ctid::text, 0)";

  // Whether the rows of `table` carry xmin and ctid, and the server has
  // hashtextextended (PostgreSQL 11): PostgreSQL itself and the families on
  // its storage (CockroachDB and Materialize have no xmin), for tables and
  // materialized views (not views or foreign tables).
  bool has_row_versions(PgConnection& conn, const PgTable& table) const {
    if (!family_.copy_in_binary || !family_.session_settings) return false;
    if (table.kind != 'r' && table.kind != 'p' && table.kind != 'm') return false;
    return std::stoi(conn.execute("SHOW server_version_num").text(0, 0)) >= 110000;
  }

  // A table's rows carry their version: an INSERT or UPDATE writes a tuple
  // with a new xmin (the transaction's id) at a new ctid, a DELETE removes
  // one. So the count plus the sum of a 64-bit hash of each row's (xmin,
  // ctid) changes with any change to the table (it also changes when rows
  // are rewritten unchanged, by an UPDATE, VACUUM FULL or CLUSTER), and
  // costs a scan without reading any value: 0.9 s on the 10M-row bench
  // table, against 10.2 s for the "md5" fingerprint and 4.5 s to extract it.
  // Views, foreign tables, queries and the families without xmin get "md5".
  Fingerprint fingerprint(Engine& engine, const ScanRequest& request) override {
    if (!request.query.empty() || request.limit) return content_fingerprint(engine, request);
    PgConnection conn = connect();
    PgTable table = require_table(conn, request.table);
    if (!has_row_versions(conn, table)) return content_fingerprint(engine, request);
    for (const auto& name : request.columns) {
      if (table.find(name) < 0)
        throw ConfigError(fmt::format("table {} has no column \"{}\"", table.qualified(), name));
    }
    std::string sql = fmt::format("SELECT count(*), coalesce(sum({}), 0)::text FROM {}",
                                  kRowVersion, table.qualified());
    if (!request.where.empty()) sql += " WHERE " + request.where;
    pg::PgResult result = conn.execute(sql);
    return Fingerprint{"xmin", std::stoull(result.text(0, 0)), result.text(0, 1)};
  }

  // The same version, cut to 40 bits.
  std::string row_version_sql(Engine& engine, const ScanRequest& request,
                              const TableSchema& scan) override {
    PgConnection conn = connect();
    if (!request.query.empty() || !has_row_versions(conn, require_table(conn, request.table)))
      return Connector::row_version_sql(engine, request, scan);
    return fmt::format("({} & 1099511627775)", kRowVersion);
  }

  std::string check(Method tier) override {
    plan_tiers(output_, tier);
    check_test_break(tier);
    if (tier == Method::kNative) return connect().execute("SELECT version()").text(0, 0);
    if (tier == Method::kOdbc) return odbc_.check();
    ChildOptions options = psql_options({"-A", "-t", "-c", "SELECT version()"});
    std::string version = run_tool(options, fmt::format("output '{}' through psql", output_name_));
    while (!version.empty() && (version.back() == '\n' || version.back() == '\r'))
      version.pop_back();
    return version;
  }

  // --- SQL run in the database ---

  const Dialect& dialect() const override { return pg::dialect(); }

  std::unique_ptr<SqlSession> open_session() override {
    return std::make_unique<OwningSession<PgConnection, pg::PgSession>>(
        std::make_unique<PgConnection>(connect()));
  }

  bool relation_exists(const TableRef& table) override {
    PgConnection conn = connect();
    std::string schema = target_schema(conn, table);
    return pg::find_table(conn, schema, table.name).has_value();
  }

  LoadResult materialize(const LoadRequest& request, const std::string& query) override {
    plan_tiers(output_, request.method);
    auto session = std::make_unique<OwningSession<PgConnection, pg::PgSession>>(
        std::make_unique<PgConnection>(connect()));
    PgConnection& conn = session->connection();
    std::string schema = target_schema(conn, request.table);
    std::string where = fmt::format("{}:{}.{}", output_name_, schema, request.table.name);
    TableSchema incoming = table_schema(PgTable{}, pg::describe_query(conn, query));
    std::optional<PgTable> existing = pg::find_table(conn, schema, request.table.name);
    if (existing) pg::check_loadable(*existing, where);
    TargetTable target = pg::target_table(existing, schema, request.table.name,
                                          existing || pg::schema_exists(conn, schema), where);
    check_incoming_columns(request, target, incoming, pg::dialect());
    LoadSteps steps = TransactionalLoadPlan(pg::dialect()).plan(request, target, incoming, &query);
    return load_query_rows(*session, pg::dialect(), std::move(steps), incoming, query, where);
  }

  std::string qualified_name(const TableRef& table) override {
    if (!table.schema.empty() || default_schema_.empty()) return pg::dialect().qualify(table);
    return pg::dialect().qualify({default_schema_, table.name});
  }

  // --- used by the sink ---

  PgConnection connect() const { return PgConnection(config_, family_.session_settings); }
  const pg::Family& family() const { return family_; }
  const std::string& output_name() const { return output_name_; }
  const std::string& type() const { return type_; }
  const OutputConfig& output() const { return output_; }
  OdbcTier& odbc() { return odbc_; }

  std::string target_schema(PgConnection& conn, const TableRef& table) const {
    if (!table.schema.empty()) return table.schema;
    if (!default_schema_.empty()) return default_schema_;
    return conn.execute("SELECT current_schema()").text(0, 0);
  }

  // psql as a child: connection settings and the password in its
  // environment only; nothing but SQL in its argv.
  ChildOptions psql_options(std::vector<std::string> arguments) const {
    PipeTool psql = require_pipe_tool(*find_adapter(type_), output_name_);
    ChildOptions options;
    options.argv = psql.command;
    options.argv.insert(options.argv.end(), {"-X", "-v", "ON_ERROR_STOP=1"});
    options.argv.insert(options.argv.end(), arguments.begin(), arguments.end());
    options.environment = {{"PGHOST", config_.host},
                           {"PGPORT", config_.port},
                           {"PGDATABASE", config_.dbname},
                           {"PGAPPNAME", "dvt"},
                           {"PGCLIENTENCODING", "UTF8"},
                           {"PGCONNECT_TIMEOUT", config_.connect_timeout},
                           {"PGTZ", "UTC"}};
    if (!config_.user.empty()) options.environment.emplace_back("PGUSER", config_.user);
    if (!config_.password.empty()) options.environment.emplace_back("PGPASSWORD", config_.password);
    if (!config_.sslmode.empty()) options.environment.emplace_back("PGSSLMODE", config_.sslmode);
    return options;
  }

  std::string session_sql() const {
    std::string sql;
    if (family_.session_settings) {
      sql =
          "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; "
          "SET extra_float_digits = 3; SET bytea_output = 'hex';";
    }
    if (!config_.search_path.empty()) sql += " SET search_path = " + config_.search_path + ";";
    return sql;
  }

 private:
  PgTable require_table(PgConnection& conn, const TableRef& table) const {
    std::string schema = table.schema.empty() ? default_schema_ : table.schema;
    std::optional<PgTable> found = pg::find_table(conn, schema, table.name);
    if (!found) {
      throw ConfigError(fmt::format("output '{}': database '{}' has no table or view {}",
                                    output_name_, config_.dbname,
                                    schema.empty() ? table.name : schema + "." + table.name));
    }
    return *found;
  }

  static TableSchema table_schema(const PgTable& table, const std::vector<PgColumn>& columns) {
    TableSchema schema;
    for (const auto& pg_column : columns) {
      Column column;
      column.name = pg_column.name;
      column.type = pg::plan_read(pg_column.type).type;
      column.source_type = pg_column.type.name;
      column.nullable = !pg_column.not_null;
      schema.columns.push_back(std::move(column));
    }
    bool key_selected = !table.primary_key.empty();
    for (const auto& name : table.primary_key) key_selected &= schema.find(name) >= 0;
    if (key_selected) schema.primary_key = table.primary_key;
    schema.estimated_rows = table.estimated_rows;
    return schema;
  }

  std::unique_ptr<BatchReader> open_native_reader(std::unique_ptr<PgConnection> conn,
                                                  const TableSchema& schema,
                                                  const std::vector<ReadPlan>& plans,
                                                  const std::string& sql, const std::string& label,
                                                  Source& source) {
    if (family_.copy_out_binary) {
      try {
        auto reader = std::make_unique<pg::PgCopyReader>(
            std::move(conn), schema, plans, fmt::format("COPY ({}) TO STDOUT (FORMAT binary)", sql),
            label);
        source.method = "native";
        return reader;
      } catch (const TierUnavailable& error) {
        log_warn("postgres.fallback",
                 fmt::format("binary COPY unavailable, reading through a cursor: {}", error.what()),
                 {{"reason", error.what()}});
        source.fallbacks.push_back(fmt::format("native -> native (cursor): {}", error.what()));
        conn = std::make_unique<PgConnection>(connect());
      }
    }
    auto reader = std::make_unique<pg::PgCursorReader>(std::move(conn), schema, plans, sql, label);
    source.method = "native (cursor)";
    return reader;
  }

  std::unique_ptr<BatchReader> open_pipe_reader(const TableSchema& schema, const std::string& sql,
                                                const std::string& label) {
    if (!family_.copy_out_csv) {
      throw TierUnavailable(fmt::format("output '{}': {} has no COPY TO STDOUT for psql to read",
                                        output_name_, type_));
    }
    std::vector<std::string> arguments = {"-q"};
    std::string settings = session_sql();
    if (!settings.empty()) {
      arguments.emplace_back("-c");
      arguments.push_back(settings);
    }
    arguments.emplace_back("-c");
    arguments.push_back(fmt::format("COPY ({}) TO STDOUT (FORMAT csv, HEADER)", sql));
    return std::make_unique<pg::PgPipeReader>(psql_options(arguments), schema, label);
  }

  OutputConfig output_;
  std::string output_name_;
  std::string type_;
  const pg::Family& family_;
  PgConnectionConfig config_;
  std::string default_schema_;
  OdbcTier odbc_;
};

// Loads through the first tier that can serve: binary COPY, then the psql pipe.
class PostgresSink : public Sink {
 public:
  PostgresSink(PostgresConnector& connector, LoadRequest request)
      : connector_(connector), request_(std::move(request)) {}

  LoadResult consume(Engine& engine, const std::string& select_sql, const TableSchema& schema,
                     Progress* progress) override {
    std::string method;
    std::vector<std::string> fallbacks;
    StreamingSink streaming(
        "", [&](const TableSchema& incoming) { return open_writer(incoming, method, fallbacks); });
    LoadResult result = streaming.consume(engine, select_sql, schema, progress);
    result.method = method;
    result.fallbacks = fallbacks;
    return result;
  }

 private:
  std::unique_ptr<BatchWriter> open_writer(const TableSchema& incoming, std::string& method,
                                           std::vector<std::string>& fallbacks) {
    const pg::Family& family = connector_.family();
    std::vector<Method> tiers;
    for (Method tier : plan_tiers(connector_.output(), request_.method)) {
      if (tier == Method::kNative && !family.copy_in_binary && request_.method == Method::kAuto)
        continue;
      if (tier == Method::kPipe && !family.copy_in_csv && request_.method == Method::kAuto)
        continue;
      tiers.push_back(tier);
    }
    if (tiers.empty() || (!family.copy_in_binary && !family.copy_in_csv)) {
      throw ConfigError(
          fmt::format("output '{}' (type {}): dvt cannot load into {} (it accepts no COPY FROM "
                      "STDIN)",
                      connector_.output_name(), connector_.type(), connector_.type()));
    }
    // A connection failure (wrong password, unreachable host) is not a tier problem: fail now.
    auto conn = std::make_unique<PgConnection>(connector_.connect());
    std::string schema = connector_.target_schema(*conn, request_.table);
    std::string label =
        fmt::format("{}:{}.{}", connector_.output_name(), schema, request_.table.name);
    return open_first_tier(tiers, fallbacks, [&](Method tier) -> std::unique_ptr<BatchWriter> {
      if (tier == Method::kOdbc) {
        auto writer = connector_.odbc().open_writer(request_, incoming);
        method = "odbc";
        return writer;
      }
      if (!conn) conn = std::make_unique<PgConnection>(connector_.connect());
      if (tier == Method::kNative) {
        if (!family.copy_in_binary) {
          throw TierUnavailable(fmt::format("{} has no binary COPY FROM STDIN", connector_.type()));
        }
        auto writer =
            std::make_unique<pg::PgCopyWriter>(std::move(conn), request_, schema, incoming, label);
        method = "native";
        return writer;
      }
      auto writer = std::make_unique<pg::PgPipeWriter>(*conn, connector_.psql_options({}), request_,
                                                       schema, incoming, label);
      method = "pipe";
      return writer;
    });
  }

  PostgresConnector& connector_;
  LoadRequest request_;
};

std::unique_ptr<Sink> PostgresConnector::open_sink(const LoadRequest& request) {
  plan_tiers(output_, request.method);  // an unknown tier is a configuration error, before any work
  return std::make_unique<PostgresSink>(*this, request);
}

}  // namespace

std::unique_ptr<Connector> make_postgres_connector(const OutputConfig& output, Engine& /*engine*/) {
  return std::make_unique<PostgresConnector>(output);
}

}  // namespace dvt
