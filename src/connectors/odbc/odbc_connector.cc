#include "connectors/odbc/odbc_connector.h"

#include <fmt/format.h>

#include <algorithm>

#include "connectors/dialects.h"
#include "connectors/odbc/odbc_catalog.h"
#include "connectors/odbc/odbc_reader.h"
#include "connectors/odbc/odbc_writer.h"
#include "connectors/tiers.h"
#include "core/error.h"
#include "core/log.h"
#include "core/output_config.h"

namespace dvt {

using odbc::OdbcConnection;
using odbc::OdbcSettings;

OdbcTier::OdbcTier(const OutputConfig& output) : output_(std::make_unique<OutputConfig>(output)) {
  settings_ = OdbcSettings::for_odbc_output(output);
}

OdbcTier::OdbcTier(const OutputConfig& output, std::string family)
    : output_(std::make_unique<OutputConfig>(output)), family_(std::move(family)) {}

OdbcTier::~OdbcTier() = default;

const OdbcSettings& OdbcTier::settings() {
  if (!settings_) settings_ = OdbcSettings::for_family_output(*output_, family_);
  return *settings_;
}

std::unique_ptr<OdbcConnection> OdbcTier::connect() {
  return std::make_unique<OdbcConnection>(settings());
}

const Dialect& OdbcTier::dialect_of(const OdbcConnection& connection) const {
  if (const Dialect* dialect = find_dialect(connection.family())) return *dialect;
  return standard_dialect();
}

const Dialect& OdbcTier::dialect() {
  if (!dialect_) dialect_ = &dialect_of(*connect());
  return *dialect_;
}

std::string OdbcTier::qualified_name(const TableRef& table) {
  if (!table.schema.empty() || settings().schema.empty()) return dialect().qualify(table);
  return dialect().qualify(TableRef{settings().schema, table.name});
}

std::string OdbcTier::display(const OdbcConnection& connection, const TableRef& table) const {
  (void)connection;
  return fmt::format("{}:{}", output_->name(), table.display());
}

TableSchema OdbcTier::describe(const TableRef& table) {
  auto connection = connect();
  std::optional<odbc::OdbcTable> found = odbc::find_table(*connection, table.schema, table.name);
  if (!found) {
    throw ConfigError(
        fmt::format("{} has no table or view {}", connection->settings().label(), table.display()));
  }
  TableSchema schema;
  for (const auto& column : found->columns) {
    odbc::MappedColumn mapped = odbc::map_column(column.info, connection->family());
    schema.columns.push_back(
        {column.info.name, mapped.type, mapped.source_type, column.info.nullable});
  }
  schema.primary_key = found->primary_key;
  return schema;
}

namespace {

// The pages of a table scan by its key, for a driver that holds whole
// results: `sql` becomes the first page's query. nullopt when the table has
// no key of integers or text among the columns read (the driver then holds
// the whole result, as it would anyway).
std::optional<odbc::KeyPages> key_pages(OdbcConnection& connection, const Dialect& dialect,
                                        const odbc::OdbcTable& table, const ScanRequest& request,
                                        uint64_t page_rows, std::string& sql) {
  if (table.primary_key.empty()) return std::nullopt;
  std::vector<std::string> names = request.columns;
  if (names.empty()) {
    for (const auto& column : table.columns) names.push_back(column.info.name);
  }
  odbc::KeyPages pages;
  size_t row_bytes = 0;
  std::vector<odbc::MappedColumn> mapped;
  for (const auto& name : names) {
    mapped.push_back(odbc::map_column(table.columns[static_cast<size_t>(table.find(name))].info,
                                      connection.family()));
    row_bytes += mapped.back().max_bytes ? std::min<size_t>(mapped.back().max_bytes, 4096) : 16;
  }
  for (const auto& key : table.primary_key) {
    auto at = std::find(names.begin(), names.end(), key);
    if (at == names.end()) return std::nullopt;
    size_t index = static_cast<size_t>(at - names.begin());
    odbc::Fetch fetch = mapped[index].fetch;
    bool integer = fetch >= odbc::Fetch::kInt8 && fetch <= odbc::Fetch::kUInt64;
    bool text = fetch == odbc::Fetch::kText && mapped[index].type.id == DUCKDB_TYPE_VARCHAR;
    if (!integer && !text) return std::nullopt;
    pages.key.push_back(index);
  }
  // About 32 MiB of values a page: what the driver holds at once.
  pages.page_rows = page_rows ? page_rows
                              : std::clamp<uint64_t>((32u << 20) / std::max<size_t>(row_bytes, 1),
                                                     10000, 1000000);
  std::string list, key_list, marks;
  for (const auto& name : names) list += (list.empty() ? "" : ", ") + dialect.quote(name);
  for (const auto& key : table.primary_key) {
    key_list += (key_list.empty() ? "" : ", ") + dialect.quote(key);
    marks += marks.empty() ? "?" : ", ?";
  }
  std::string from = dialect.qualify(TableRef{table.schema, table.name});
  std::string where = request.where.empty() ? "" : "(" + request.where + ")";
  auto page = [&](const std::string& condition) {
    std::string text = fmt::format("SELECT {} FROM {}", list, from);
    if (!condition.empty()) text += " WHERE " + condition;
    return dialect.limit_rows(text + " ORDER BY " + key_list, pages.page_rows);
  };
  std::string after = fmt::format("({}) > ({})", key_list, marks);
  sql = page(where);
  pages.next_sql = page(where.empty() ? after : where + " AND " + after);
  if (!connection.profile().begin_snapshot.empty()) {
    connection.execute(std::string(connection.profile().begin_snapshot));
    pages.end_sql = "COMMIT";
  }
  return pages;
}

}  // namespace

std::unique_ptr<BatchReader> OdbcTier::open_reader(const ScanRequest& request, Source& source) {
  auto connection = connect();
  const Dialect& dialect = dialect_of(*connection);
  std::optional<odbc::OdbcTable> table;
  std::vector<std::string> exact_text;  // double columns read as their text
  std::string label;
  std::string sql;
  ScanRequest unlimited = request;
  unlimited.limit.reset();
  auto quote = [&](const std::string& name) { return dialect.quote(name); };
  if (request.query.empty()) {
    table = odbc::find_table(*connection, request.table.schema, request.table.name);
    if (!table) {
      throw ConfigError(fmt::format("{} has no table or view {}", connection->settings().label(),
                                    request.table.display()));
    }
    label = fmt::format("{}:{}", output_->name(), table->display());
    for (const auto& name : request.columns) {
      if (table->find(name) < 0)
        throw ConfigError(fmt::format("{}: table has no column \"{}\"", label, name));
    }
    std::string_view exact = connection->profile().exact_double_text;
    if (exact.empty()) {
      sql = build_scan_sql(unlimited, quote, dialect.qualify(TableRef{table->schema, table->name}));
    } else {
      // Doubles as their exact text, where the driver would round them.
      std::vector<std::string> names = request.columns;
      if (names.empty()) {
        for (const auto& column : table->columns) names.push_back(column.info.name);
      }
      std::string list;
      for (const auto& name : names) {
        const auto& info = table->columns[static_cast<size_t>(table->find(name))].info;
        duckdb_type id = odbc::map_column(info, connection->family()).type.id;
        std::string quoted = dialect.quote(name);
        std::string expression = quoted;
        if (id == DUCKDB_TYPE_DOUBLE || id == DUCKDB_TYPE_FLOAT) {
          expression = fmt::format(fmt::runtime(std::string(exact)), quoted) + " AS " + quoted;
          exact_text.push_back(name);
        }
        list += (list.empty() ? "" : ", ") + expression;
      }
      sql = fmt::format("SELECT {} FROM {}", list,
                        dialect.qualify(TableRef{table->schema, table->name}));
      if (!request.where.empty()) sql += " WHERE " + request.where;
    }
  } else {
    label = fmt::format("{} (query)", output_->name());
    sql = build_scan_sql(unlimited, quote, "");
  }
  if (request.limit) sql = dialect.limit_rows(sql, *request.limit);
  std::optional<odbc::KeyPages> pages;
  if (table && connection->profile().buffers_results && !request.limit)
    pages = key_pages(*connection, dialect, *table, request,
                      static_cast<uint64_t>(std::max(0, output_->get_int("page_rows", 0))), sql);
  log_debug("odbc.read", fmt::format("{}: {}", label, sql));
  odbc::Handle statement = connection->statement();
  std::string doing = fmt::format("{}: reading ({})", label, sql);
  odbc::check(connection->exec_direct(statement.get(), sql), statement, doing);
  std::vector<odbc::OdbcColumnInfo> described =
      odbc::describe_result(statement.get(), connection->settings().text, doing);
  TableSchema schema;
  std::vector<odbc::MappedColumn> columns;
  for (auto& column : described) {
    // A table's catalog knows more than a result does (json, the declared
    // sizes); the result knows the sign of integers.
    if (table) {
      int at = table->find(column.name);
      if (at >= 0) {
        bool is_unsigned = column.is_unsigned;
        column = table->columns[static_cast<size_t>(at)].info;
        column.is_unsigned |= is_unsigned;
      }
    }
    odbc::MappedColumn mapped = odbc::map_column(column, connection->family());
    if (std::find(exact_text.begin(), exact_text.end(), column.name) != exact_text.end()) {
      mapped.wire = Type(DUCKDB_TYPE_VARCHAR);
      mapped.fetch = odbc::Fetch::kText;
      mapped.max_bytes = 32;
    }
    schema.columns.push_back({column.name, mapped.type, mapped.source_type, column.nullable});
    columns.push_back(std::move(mapped));
  }
  if (table) {
    bool whole = !table->primary_key.empty();
    for (const auto& name : table->primary_key) whole &= schema.find(name) >= 0;
    if (whole) schema.primary_key = table->primary_key;
  }
  source.schema = schema;
  source.method = "odbc";
  return std::make_unique<odbc::OdbcReader>(std::move(connection), std::move(statement), schema,
                                            std::move(columns), label, std::move(pages));
}

Source OdbcTier::open_source(Engine& engine, const ScanRequest& request, Progress* progress) {
  Source source;
  source.reader = open_reader(request, source);
  source.scan.emplace(engine.register_reader(*source.reader, progress));
  source.relation = source.scan->relation();
  return source;
}

std::optional<Source> OdbcTier::open_source_first(Engine& engine, const ScanRequest& request,
                                                  Progress* progress, std::vector<Method>& tiers,
                                                  std::vector<std::string>& fallbacks) {
  if (tiers.empty() || tiers.front() != Method::kOdbc) return std::nullopt;
  try {
    check_test_break(Method::kOdbc);
    return open_source(engine, request, progress);
  } catch (const TierUnavailable& error) {
    if (tiers.size() == 1) throw;
    note_fallback(fallbacks, Method::kOdbc, tiers[1], error.what());
    tiers.erase(tiers.begin());
    return std::nullopt;
  }
}

std::unique_ptr<BatchWriter> OdbcTier::open_writer(const LoadRequest& request,
                                                   const TableSchema& incoming) {
  auto connection = connect();
  const Dialect& dialect = dialect_of(*connection);
  if (!connection->info().transactions) {
    throw ConfigError(fmt::format(
        "{}: the driver reports no transactions, so a load could not be undone on failure",
        connection->settings().label()));
  }
  std::string label = display(*connection, request.table);
  return std::make_unique<odbc::OdbcWriter>(std::move(connection), dialect, request, incoming,
                                            label);
}

std::string OdbcTier::check() {
  auto connection = connect();
  const odbc::DriverInfo& info = connection->info();
  std::string family = connection->family().empty() ? "standard SQL" : connection->family();
  return fmt::format("{} {} through {} {} ({} dialect)", info.dbms_name, info.dbms_version,
                     info.driver_name, info.driver_version, family);
}

namespace {

class OdbcConnector : public Connector {
 public:
  explicit OdbcConnector(const OutputConfig& output) : output_(output), tier_(output) {}

  TableSchema describe(const TableRef& table) override { return tier_.describe(table); }

  Source open_source(Engine& engine, const ScanRequest& request, Progress* progress) override {
    plan_tiers(output_, request.method);
    check_test_break(Method::kOdbc);
    return tier_.open_source(engine, request, progress);
  }

  std::unique_ptr<Sink> open_sink(const LoadRequest& request) override {
    plan_tiers(output_, request.method);
    return std::make_unique<StreamingSink>("odbc", [this, request](const TableSchema& incoming) {
      check_test_break(Method::kOdbc);
      return tier_.open_writer(request, incoming);
    });
  }

  std::string check(Method tier) override {
    plan_tiers(output_, tier);
    check_test_break(Method::kOdbc);
    return tier_.check();
  }

  const Dialect& dialect() const override { return tier_.dialect(); }
  std::string qualified_name(const TableRef& table) override { return tier_.qualified_name(table); }

 private:
  OutputConfig output_;
  mutable OdbcTier tier_;  // dialect() connects on first use
};

}  // namespace

std::unique_ptr<Connector> make_odbc_connector(const OutputConfig& output, Engine& /*engine*/) {
  return std::make_unique<OdbcConnector>(output);
}

}  // namespace dvt
