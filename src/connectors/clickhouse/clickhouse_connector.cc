#include "connectors/clickhouse/clickhouse_connector.h"

#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "connectors/clickhouse/ch_catalog.h"
#include "connectors/clickhouse/ch_dialect.h"
#include "connectors/clickhouse/ch_load_plan.h"
#include "connectors/clickhouse/ch_reader.h"
#include "connectors/clickhouse/ch_session.h"
#include "connectors/clickhouse/ch_types.h"
#include "connectors/clickhouse/ch_writer.h"
#include "connectors/shadow_tables.h"
#include "connectors/tiers.h"
#include "core/error.h"
#include "core/log.h"
#include "core/output_config.h"

namespace dvt {
namespace {

using ch::ChConfig;
using ch::ChSession;
using ch::ServerInfo;

// A session on the first tier that can serve, with what the server offers.
struct Opened {
  std::unique_ptr<ChSession> session;
  ServerInfo server;
  std::vector<std::string> fallbacks;
};

// An SqlSession that owns its ClickHouse session.
struct OwnedSession : SqlSession {
  explicit OwnedSession(Opened from)
      : opened(std::move(from)), sql(*opened.session, opened.server) {}
  std::optional<uint64_t> execute(const std::string& text) override { return sql.execute(text); }
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& text) override {
    return sql.rows(text);
  }
  void execute_quietly(const std::string& text) noexcept override { sql.execute_quietly(text); }

  Opened opened;
  ch::ChSqlSession sql;
};

class ClickHouseConnector : public Connector {
 public:
  explicit ClickHouseConnector(const OutputConfig& output)
      : output_(output), config_(ChConfig::from(output)) {}

  TableSchema describe(const TableRef& table) override {
    Opened opened = open(Method::kAuto);
    ch::TableInfo info = require_table(*opened.session, table);
    ch::ReadOptions options = read_options(opened.server);
    TableSchema schema;
    for (const auto& column : info.columns) schema.columns.push_back(make_column(column, options));
    schema.estimated_rows = info.rows;
    return schema;
  }

  Source open_source(Engine& engine, const ScanRequest& request, Progress* progress) override {
    Opened opened = open(request.method);
    ChSession& session = *opened.session;
    std::string label;
    std::string table_sql;
    std::optional<uint64_t> estimate;
    std::vector<ch::ChColumn> columns;
    if (request.query.empty()) {
      // A table's columns come from its catalog: one statement fewer (the
      // pipe tier pays a client start-up per statement).
      ch::TableInfo info = require_table(session, request.table);
      label = fmt::format("{}:{}.{}", config_.output, info.database, info.name);
      table_sql = info.qualified();
      if (request.where.empty()) estimate = info.rows;
      if (request.columns.empty()) {
        columns = info.columns;
      } else {
        for (const auto& name : request.columns) {
          int index = info.find(name);
          if (index < 0)
            throw ConfigError(
                fmt::format("{}: table {} has no column \"{}\"", label, table_sql, name));
          columns.push_back(info.columns[static_cast<size_t>(index)]);
        }
      }
    } else {
      label = fmt::format("{} (query)", config_.output);
    }
    if (request.limit && (!estimate || *estimate > *request.limit)) estimate = request.limit;
    std::string inner = build_scan_sql(request, ch::quote_identifier, table_sql);
    if (!request.query.empty()) columns = ch::describe_query(session, inner);
    ch::ReadOptions options = read_options(opened.server);
    TableSchema schema;
    std::vector<ch::ChType> wires;
    std::string select;
    bool any_text = false;
    for (const auto& column : columns) {
      ch::ReadPlan plan = ch::plan_read(column.type, options);
      std::string quoted = ch::quote_identifier(column.name);
      select += (select.empty() ? "" : ", ") +
                (plan.as_text ? fmt::format("toString({0}) AS {0}", quoted) : quoted);
      any_text |= plan.as_text;
      schema.columns.push_back(make_column(column, options));
      wires.push_back(plan.wire);
    }
    schema.estimated_rows = estimate;
    std::string sql = any_text ? fmt::format("SELECT {} FROM ({})", select, inner) : inner;
    return reader_source(engine, std::move(opened), sql, schema, std::move(wires), label, progress);
  }

  std::unique_ptr<Sink> open_sink(const LoadRequest& request) override;

  // --- SQL run in the server ---

  const Dialect& dialect() const override {
    static const ch::ChDialect instance;
    return instance;
  }

  std::unique_ptr<SqlSession> open_session() override {
    return std::make_unique<OwnedSession>(open(Method::kAuto));
  }

  bool relation_exists(const TableRef& table) override {
    Opened opened = open(Method::kAuto);
    return ch::lookup_table(*opened.session, database_of(table), table.name).exists;
  }

  LoadResult materialize(const LoadRequest& request, const std::string& query) override {
    OwnedSession session(open(request.method));
    ChSession& ch = *session.opened.session;
    const std::string database = database_of(request.table);
    const std::string label = fmt::format("{}:{}.{}", config_.output, database, request.table.name);
    ch::TableInfo info = ch::lookup_table(ch, database, request.table.name,
                                          shadow_table_prefix(request.table.name, 0));
    ch::recover_leftovers(ch, info, label);
    ch::ReadOptions options = read_options(session.opened.server);
    TableSchema incoming;
    for (const auto& column : ch::describe_query(ch, query))
      incoming.columns.push_back(make_column(column, options));
    const ch::ChDialect ddl(session.opened.server.ddl);
    check_incoming_columns(request, ch::target_table(info, label), incoming, ddl);
    LoadSteps steps = ch::plan_load(info, request, incoming, {}, label, &query);
    LoadResult result = load_query_rows(session, ddl, std::move(steps), incoming, query, label);
    result.method = std::string("in database (") + ch.method() + ")";
    return result;
  }

  std::string qualified_name(const TableRef& table) override {
    return ch::qualified_name(database_of(table), table.name);
  }

  Source open_row_hashes(Engine& engine, const TableRef& table, Progress* progress) override {
    Opened opened = open(Method::kAuto);
    ch::TableInfo info = require_table(*opened.session, table);
    std::string label =
        fmt::format("{}:{}.{} (row hashes)", config_.output, info.database, info.name);
    if (info.primary_key.empty()) {
      throw ConfigError(
          fmt::format("{}: table {} has no primary key of plain columns (ORDER BY / PRIMARY KEY); "
                      "row hashes need one",
                      label, info.qualified()));
    }
    // The contract of Connector::open_row_hashes, in the server: NULL -> 'N',
    // a value -> 'V' <byte length> ':' <text>, concatenated in column order.
    // The text is toString(), ClickHouse's canonical form of each value.
    auto text_of = [&](const ch::ChColumn& column) {
      std::string quoted = ch::quote_identifier(column.name);
      bool nullable = column.type.nullable() || (column.type.kind == ch::ChKind::kLowCardinality &&
                                                 column.type.children[0].nullable());
      return nullable ? fmt::format("toString(assumeNotNull({}))", quoted)
                      : fmt::format("toString({})", quoted);
    };
    auto encoded = [&](const ch::ChColumn& column) {
      std::string text = text_of(column);
      std::string value = fmt::format("concat('V', toString(length({0})), ':', {0})", text);
      return fmt::format("if(isNull({}), 'N', {})", ch::quote_identifier(column.name), value);
    };
    std::vector<std::string> values;
    for (const auto& column : info.columns) values.push_back(encoded(column));
    std::string key;
    if (info.primary_key.size() == 1) {
      key = text_of(info.columns[static_cast<size_t>(info.find(info.primary_key[0]))]);
    } else {
      std::vector<std::string> parts;
      for (const auto& name : info.primary_key)
        parts.push_back(encoded(info.columns[static_cast<size_t>(info.find(name))]));
      key = fmt::format("concat({})", fmt::join(parts, ", "));
    }
    // concat() wants two arguments at least.
    if (values.size() == 1) values.emplace_back("''");
    std::string sql = fmt::format("SELECT {} AS _pk, lower(hex(MD5(concat({})))) AS _hash FROM {}",
                                  key, fmt::join(values, ", "), info.qualified());
    TableSchema schema = row_hash_schema("String", info.rows);
    std::vector<ch::ChType> wires(2, ch::parse_type("String"));
    return reader_source(engine, std::move(opened), sql, schema, std::move(wires), label, progress);
  }

  std::string check(Method tier) override {
    Opened opened = open(tier);
    return fmt::format("ClickHouse {} (time zone {})", opened.server.version,
                       opened.server.timezone);
  }

  // --- used by the sink ---

  Opened open(Method method) const {
    Opened opened;
    // The first statement is part of opening: an unreachable HTTP port shows there.
    std::tie(opened.session, opened.server) =
        open_first_tier(plan_tiers(output_, method), opened.fallbacks,
                        [&](Method tier) -> std::pair<std::unique_ptr<ChSession>, ServerInfo> {
                          std::unique_ptr<ChSession> session;
                          if (tier == Method::kNative) {
                            session = ch::open_http_session(config_);
                          } else {
                            session = ch::open_client_session(config_);
                          }
                          ServerInfo server = ch::read_server_info(*session);
                          return {std::move(session), std::move(server)};
                        });
    log_debug("clickhouse.server",
              fmt::format("{}: ClickHouse {} (time zone {}), {} tier, reading {}", config_.label(),
                          opened.server.version, opened.server.timezone, opened.session->method(),
                          opened.server.rowbinary_with_header ? "RowBinaryWithNamesAndTypes"
                                                              : "RowBinary"));
    return opened;
  }

  const ChConfig& config() const { return config_; }

  std::string database_of(const TableRef& table) const {
    return table.schema.empty() ? config_.database : table.schema;
  }

 private:
  // Rows of `sql` read through the opened session, as a relation in the engine.
  static Source reader_source(Engine& engine, Opened opened, const std::string& sql,
                              const TableSchema& schema, std::vector<ch::ChType> wires,
                              const std::string& label, Progress* progress) {
    Source source;
    source.schema = schema;
    source.method = opened.session->method();
    source.fallbacks = std::move(opened.fallbacks);
    source.reader =
        std::make_unique<ch::ChReader>(std::move(opened.session), sql, schema, std::move(wires),
                                       opened.server.rowbinary_with_header, label);
    source.scan.emplace(engine.register_reader(*source.reader, progress));
    source.relation = source.scan->relation();
    return source;
  }

  ch::ReadOptions read_options(const ServerInfo& server) const {
    ch::ReadOptions options;
    options.strings = config_.strings;
    options.server_utc = server.utc;
    return options;
  }

  static Column make_column(const ch::ChColumn& source, const ch::ReadOptions& options) {
    ch::ReadPlan plan = ch::plan_read(source.type, options);
    Column column;
    column.name = source.name;
    column.type = plan.type;
    column.source_type = source.type.spelling;
    column.nullable = plan.nullable;
    return column;
  }

  ch::TableInfo require_table(ChSession& session, const TableRef& table) const {
    std::string database = database_of(table);
    ch::TableInfo info = ch::lookup_table(session, database, table.name);
    if (!info.exists) {
      throw ConfigError(
          fmt::format("{}: database '{}' has no table {}", config_.label(), database, table.name));
    }
    return info;
  }

  OutputConfig output_;
  ChConfig config_;
};

// Opens the session (and so the tier) when the rows are about to flow, then
// streams them through a StreamingSink into a ChWriter.
class ClickHouseSink : public Sink {
 public:
  ClickHouseSink(const ClickHouseConnector& connector, LoadRequest request)
      : connector_(connector), request_(std::move(request)) {}

  LoadResult consume(Engine& engine, const std::string& select_sql, const TableSchema& schema,
                     Progress* progress) override {
    Opened opened = connector_.open(request_.method);
    std::string method = opened.session->method();
    std::string database = connector_.database_of(request_.table);
    std::string label =
        fmt::format("{}:{}.{}", connector_.config().output, database, request_.table.name);
    StreamingSink streaming(method, [&](const TableSchema& incoming) {
      return std::make_unique<ch::ChWriter>(std::move(opened.session), opened.server, request_,
                                            database, incoming, label);
    });
    LoadResult result = streaming.consume(engine, select_sql, schema, progress);
    result.fallbacks = std::move(opened.fallbacks);
    return result;
  }

 private:
  const ClickHouseConnector& connector_;
  LoadRequest request_;
};

std::unique_ptr<Sink> ClickHouseConnector::open_sink(const LoadRequest& request) {
  plan_tiers(output_, request.method);  // an unknown tier is a configuration error, before any work
  return std::make_unique<ClickHouseSink>(*this, request);
}

}  // namespace

std::unique_ptr<Connector> make_clickhouse_connector(const OutputConfig& output,
                                                     Engine& /*engine*/) {
  return std::make_unique<ClickHouseConnector>(output);
}

}  // namespace dvt
