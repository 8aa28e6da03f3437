#include "connectors/mysql/mysql_connector.h"

#include <fmt/format.h>

#include "connectors/load_runner.h"
#include "connectors/mysql/mysql_catalog.h"
#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_dialect.h"
#include "connectors/mysql/mysql_load_plan.h"
#include "connectors/mysql/mysql_prefetch.h"
#include "connectors/mysql/mysql_reader.h"
#include "connectors/mysql/mysql_types.h"
#include "connectors/mysql/mysql_writer.h"
#include "connectors/odbc/odbc_connector.h"
#include "connectors/pipe/tool_probe.h"
#include "connectors/registry.h"
#include "connectors/tiers.h"
#include "core/error.h"
#include "core/log.h"
#include "core/output_config.h"

namespace dvt {
namespace {

using mysql::MysqlColumnType;
using mysql::MysqlConnection;
using mysql::MysqlSettings;

// The columns a scan yields and where they come from.
struct ScanPlan {
  TableSchema schema;
  std::vector<MysqlColumnType> columns;
  std::string table_sql;  // quoted table for a table scan, else empty
  std::string inner_sql;  // the scan as the user asked for it
  std::string label;
  mysql::TableInfo table;  // for a table scan
};

class MysqlConnector : public Connector {
 public:
  explicit MysqlConnector(const OutputConfig& output)
      : output_(output), settings_(MysqlSettings::from(output)), odbc_(output, "mysql") {}

  // --- SQL run in the database ---

  const Dialect& dialect() const override { return mysql::dialect(); }

  std::unique_ptr<SqlSession> open_session() override {
    return std::make_unique<OwningSession<MysqlConnection, mysql::MysqlSession>>(
        std::make_unique<MysqlConnection>(settings_, MysqlConnection::Purpose::kWrite));
  }

  bool relation_exists(const TableRef& table) override {
    MysqlConnection connection(settings_, MysqlConnection::Purpose::kRead);
    std::string database = mysql::resolve_database(connection, table);
    return mysql::lookup_table(connection, database, table.name, false).exists;
  }

  LoadResult materialize(const LoadRequest& request, const std::string& query) override {
    plan_tiers(output_, request.method);
    MysqlConnection connection(settings_, MysqlConnection::Purpose::kWrite);
    ScanRequest described;
    described.query = query;
    TableSchema incoming = plan_scan(connection, described).schema;
    mysql::MysqlLoadPlan plan(connection, request, incoming, false, &query);
    plan.begin();
    try {
      mysql::MysqlSession session(connection);
      std::optional<uint64_t> inserted = session.execute(mysql::dialect().insert_select(
          plan.load_table(), incoming.names(), "(" + query + ") AS dvt_model"));
      TableChanges changes = plan.finish(inserted.value_or(0));
      LoadResult result;
      result.rows = changes.rows;
      result.inserted = changes.inserted;
      result.updated = changes.updated;
      result.deleted = changes.deleted;
      result.method = "in database";
      return result;
    } catch (...) {
      plan.abandon();
      throw;
    }
  }

  TableSchema describe(const TableRef& table) override {
    MysqlConnection connection(settings_, MysqlConnection::Purpose::kRead);
    ScanRequest request;
    request.table = table;
    return plan_scan(connection, request).schema;
  }

  Source open_source(Engine& engine, const ScanRequest& request, Progress* progress) override {
    std::vector<Method> tiers = plan_tiers(output_, request.method);
    std::vector<std::string> fallbacks;
    if (auto source = odbc_.open_source_first(engine, request, progress, tiers, fallbacks))
      return std::move(*source);
    auto connection = std::make_unique<MysqlConnection>(settings_, MysqlConnection::Purpose::kRead);
    ScanPlan plan = plan_scan(*connection, request);
    Source source;
    source.schema = plan.schema;
    source.fallbacks = std::move(fallbacks);
    source.reader =
        open_first_tier(tiers, source.fallbacks, [&](Method tier) -> std::unique_ptr<BatchReader> {
          if (tier == Method::kOdbc) return odbc_.open_reader(request, source);
          if (tier == Method::kNative) {
            source.method = "native";
            return prefetched(std::make_unique<mysql::MysqlNativeReader>(
                std::move(connection), plan.inner_sql, plan.schema, plan.columns, plan.label));
          }
          require_pipe_tool(*find_adapter("mysql"), settings_.output_name);
          std::vector<bool> marked;
          std::string sql = pipe_sql(plan, request, marked);
          connection.reset();  // the catalog work is done; the client moves the rows
          auto reader = std::make_unique<mysql::MysqlPipeReader>(
              settings_, sql, plan.schema, plan.columns, std::move(marked), plan.label);
          mysql::MysqlPipeReader* pipe = reader.get();
          source.method = "pipe";
          return std::make_unique<mysql::PrefetchReader>(std::move(reader),
                                                         [pipe] { pipe->cancel(); });
        });
    source.scan.emplace(engine.register_reader(*source.reader, progress));
    source.relation = source.scan->relation();
    return source;
  }

  std::unique_ptr<Sink> open_sink(const LoadRequest& request) override;

  std::string check(Method tier) override {
    plan_tiers(output_, tier);
    check_test_break(tier);
    if (tier == Method::kOdbc) return odbc_.check();
    if (tier == Method::kNative) {
      MysqlConnection connection(settings_, MysqlConnection::Purpose::kRead);
      return connection.query_value("SELECT VERSION()").value_or("");
    }
    require_pipe_tool(*find_adapter("mysql"), settings_.output_name);
    std::string version = run_tool(
        mysql::client_command(settings_, "SELECT VERSION()", {"--batch", "--skip-column-names"}),
        fmt::format("output '{}' through the mysql client", settings_.output_name));
    while (!version.empty() && (version.back() == '\n' || version.back() == '\r'))
      version.pop_back();
    return version;
  }

  std::vector<std::string> row_key(const TableRef& table) override {
    MysqlConnection connection(settings_, MysqlConnection::Purpose::kRead);
    mysql::TableInfo info = require_table(connection, table);
    std::vector<std::string> key = mysql::unique_not_null_key(connection, info);
    if (key.empty()) {
      throw ConfigError(fmt::format(
          "{}: table {} has no primary key and no unique key on NOT NULL columns, so its rows "
          "have no identity to hash by",
          settings_.label(), info.display()));
    }
    return key;
  }

  // MySQL's rows carry no version, and any scan is slow (COUNT(*) alone
  // takes a quarter of an extraction of the 10M-row bench table; CHECKSUM
  // TABLE 37%, the "md5" fingerprint 250%). But InnoDB and MyISAM keep the
  // time of a table's last change: a table whose UPDATE_TIME is the one
  // recorded, and was of an earlier second than the one it was recorded in
  // (it counts whole seconds, at commit), has not changed since. InnoDB forgets it on a restart
  // (and when it drops the table from its cache): then CHECKSUM TABLE stands in, a CRC-32 of every
  // row (so two different contents match with odds of 2^-32).
  Fingerprint fingerprint(Engine& engine, const ScanRequest& request) override {
    if (!request.query.empty() || request.limit) return content_fingerprint(engine, request);
    MysqlConnection connection(settings_, MysqlConnection::Purpose::kRead);
    mysql::TableInfo info = require_table(connection, request.table);
    for (const auto& name : request.columns) {
      if (!info.find(name))
        throw ConfigError(fmt::format("{} has no column \"{}\"", info.display(), name));
    }
    if (info.is_view || (info.engine != "InnoDB" && info.engine != "MyISAM"))
      return content_fingerprint(engine, request);
    try {
      // MySQL 8 caches these columns for a day unless told not to.
      connection.query("SET SESSION information_schema_stats_expiry = 0");
    } catch (const Error&) {
      // MariaDB has no such cache.
    }
    mysql::MysqlRows rows = connection.query(
        fmt::format("SELECT CREATE_TIME, UPDATE_TIME, UPDATE_TIME < NOW(), NOW(6) FROM "
                    "information_schema.TABLES WHERE TABLE_SCHEMA = {} AND TABLE_NAME = {}",
                    mysql::literal(info.database), mysql::literal(info.name)));
    if (rows.size() != 1) return content_fingerprint(engine, request);
    std::string created = rows[0][0].value_or("");
    if (rows[0][1] && rows[0][2].value_or("0") == "1")
      return Fingerprint{"update_time", 0,
                         fmt::format("created {}, updated {}", created, *rows[0][1])};
    if (rows[0][1]) {
      // Changed in this very second: a later change in it would leave it as it is.
      return Fingerprint{"update_time", 0, fmt::format("changing at {}", rows[0][3].value_or(""))};
    }
    mysql::MysqlRows checksum = connection.query(
        "CHECKSUM TABLE " + mysql::qualified(info.database, info.name) + " EXTENDED");
    return Fingerprint{"update_time", 0,
                       fmt::format("created {}, checksum {}", created,
                                   checksum.empty() ? "" : checksum[0][1].value_or("NULL"))};
  }

 private:
  mysql::TableInfo require_table(MysqlConnection& connection, const TableRef& table) {
    std::string database = mysql::resolve_database(connection, table);
    mysql::TableInfo info = mysql::lookup_table(connection, database, table.name, false);
    if (!info.exists) {
      throw ConfigError(
          fmt::format("{} has no table {}.{}", settings_.label(), database, table.name));
    }
    return info;
  }

  // The native reader, read a few chunks ahead on a thread of its own.
  static std::unique_ptr<BatchReader> prefetched(std::unique_ptr<mysql::MysqlNativeReader> reader) {
    mysql::MysqlNativeReader* native = reader.get();
    return std::make_unique<mysql::PrefetchReader>(std::move(reader),
                                                   [native] { native->cancel(); });
  }

  ScanPlan plan_scan(MysqlConnection& connection, const ScanRequest& request) {
    ScanPlan plan;
    mysql::TableInfo& info = plan.table;
    if (request.query.empty()) {
      info = require_table(connection, request.table);
      plan.table_sql = mysql::qualified(info.database, request.table.name);
      plan.label = fmt::format("{}:{}", settings_.output_name, info.display());
    } else {
      plan.label = fmt::format("{} (query)", settings_.output_name);
    }
    // A query with nothing to push down runs as written: wrapped in a derived
    // table, MariaDB would drop its ORDER BY and may materialize it.
    bool as_written = !request.query.empty() && request.columns.empty() && request.where.empty() &&
                      !request.limit;
    plan.inner_sql =
        as_written ? request.query : build_scan_sql(request, mysql::quote, plan.table_sql);
    mysql::MappingOptions options{settings_.tinyint1_as_boolean, settings_.time_as_text};
    for (const auto& field : mysql::result_fields(connection, plan.inner_sql)) {
      MysqlColumnType mapped = mysql::map_field(field, options);
      Column column;
      column.name = field.name;
      column.type = mapped.type;
      column.source_type = mapped.source_type;
      column.nullable = (field.flags & NOT_NULL_FLAG) == 0;
      if (const mysql::CatalogColumn* known = info.find(field.name)) {
        column.source_type = known->column_type;
        column.nullable = known->nullable;
      }
      plan.schema.columns.push_back(std::move(column));
      plan.columns.push_back(std::move(mapped));
    }
    bool whole_key = !info.primary_key.empty();
    for (const auto& name : info.primary_key) whole_key &= plan.schema.find(name) >= 0;
    if (whole_key) plan.schema.primary_key = info.primary_key;
    if (request.where.empty()) {
      plan.schema.estimated_rows = info.estimated_rows;
      if (request.limit && plan.schema.estimated_rows) {
        plan.schema.estimated_rows = std::min(*plan.schema.estimated_rows, *request.limit);
      }
    }
    return plan;
  }

  // The SQL the pipe tier runs: every column in the text form its decoder
  // expects (pipe_select_expression); `marked` says which carry the marker.
  static std::string pipe_sql(const ScanPlan& plan, const ScanRequest& request,
                              std::vector<bool>& marked) {
    std::string list;
    bool plain = true;
    for (size_t i = 0; i < plan.columns.size(); ++i) {
      const Column& column = plan.schema.columns[i];
      std::string quoted = mysql::quote(column.name);
      std::string expression =
          mysql::pipe_select_expression(plan.columns[i], quoted, column.nullable);
      marked.push_back(column.nullable && mysql::pipe_needs_marker(plan.columns[i]));
      plain &= expression == quoted;
      list += (i ? ", " : "") + (expression == quoted ? quoted : expression + " AS " + quoted);
    }
    if (plain) return plan.inner_sql;
    if (request.query.empty()) {
      // On the table itself: a derived table with a LIMIT would be materialized.
      std::string sql = fmt::format("SELECT {} FROM {}", list, plan.table_sql);
      if (!request.where.empty()) sql += " WHERE " + request.where;
      if (request.limit) sql += fmt::format(" LIMIT {}", *request.limit);
      return sql;
    }
    return fmt::format("SELECT {} FROM ({}) AS dvt_scan", list, plan.inner_sql);
  }

  OutputConfig output_;
  MysqlSettings settings_;
  OdbcTier odbc_;
};

// Chooses the write method when the rows are about to flow (it needs the
// server's local_infile), then streams them through a StreamingSink.
class MysqlSink : public Sink {
 public:
  MysqlSink(OutputConfig output, MysqlSettings settings, LoadRequest request)
      : output_(std::move(output)),
        settings_(std::move(settings)),
        request_(std::move(request)),
        odbc_(output_, "mysql") {}

  LoadResult consume(Engine& engine, const std::string& select_sql, const TableSchema& schema,
                     Progress* progress) override {
    auto connection =
        std::make_unique<MysqlConnection>(settings_, MysqlConnection::Purpose::kWrite);
    bool server_allows = server_local_infile(*connection);
    std::vector<std::string> fallbacks;
    auto [method, tier_name] = open_first_tier(
        plan_tiers(output_, request_.method), fallbacks,
        [&](Method tier) -> std::pair<mysql::WriteMethod, std::string> {
          if (tier == Method::kOdbc) return {mysql::WriteMethod::kInsert, "odbc"};
          if (tier == Method::kPipe) {
            require_pipe_tool(*find_adapter("mysql"), settings_.output_name);
            if (!server_allows) {
              throw TierUnavailable(fmt::format(
                  "{}: the pipe tier loads with LOAD DATA LOCAL INFILE, which the server refuses "
                  "(local_infile=OFF); use --method native (INSERT batches) or SET GLOBAL "
                  "local_infile=1",
                  settings_.label()));
            }
            return {mysql::WriteMethod::kPipe, "pipe"};
          }
          if (settings_.local_infile && server_allows)
            return {mysql::WriteMethod::kLoadData, "native"};
          std::string reason = fmt::format(
              "{}: {}, so rows go in as multi-row INSERT batches instead of LOAD DATA LOCAL INFILE "
              "(slower)",
              settings_.label(),
              !settings_.local_infile ? "the output sets local_infile: false"
                                      : "the server has local_infile=OFF");
          log_warn("mysql.load.fallback", reason);
          fallbacks.push_back(reason);
          return {mysql::WriteMethod::kInsert, "native"};
        });
    // The server's ingest bounds the load's speed; a second engine thread
    // would only decode the input ahead into memory (measured: peak RSS grew
    // from 60 to 100 MB between 100K and 3M rows with 2 threads, stayed at
    // 60-63 MB with 1, at the same speed).
    ScopedSetting one_thread(engine, "threads", "1");
    StreamingSink streaming(
        tier_name, [&](const TableSchema& incoming) -> std::unique_ptr<BatchWriter> {
          if (tier_name == "odbc") return odbc_.open_writer(request_, incoming);
          return mysql::make_mysql_writer(method, std::move(connection), request_, incoming);
        });
    LoadResult result = streaming.consume(engine, select_sql, schema, progress);
    result.fallbacks = std::move(fallbacks);
    return result;
  }

 private:
  static bool server_local_infile(MysqlConnection& connection) {
    try {
      return connection.query_value("SELECT @@GLOBAL.local_infile").value_or("1") != "0";
    } catch (const DataError&) {
      // A MySQL-compatible server without the variable: try LOAD DATA.
      return true;
    }
  }

  OutputConfig output_;
  MysqlSettings settings_;
  LoadRequest request_;
  OdbcTier odbc_;
};

std::unique_ptr<Sink> MysqlConnector::open_sink(const LoadRequest& request) {
  plan_tiers(output_, request.method);  // an unknown tier is a configuration error, before any work
  return std::make_unique<MysqlSink>(output_, settings_, request);
}

}  // namespace

std::unique_ptr<Connector> make_mysql_connector(const OutputConfig& output, Engine& /*engine*/) {
  return std::make_unique<MysqlConnector>(output);
}

}  // namespace dvt
