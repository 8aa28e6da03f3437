#include "connectors/mysql/mysql_catalog.h"

#include <fmt/format.h>
#include <strings.h>

#include "core/error.h"

namespace dvt::mysql {
namespace {

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

const CatalogColumn* TableInfo::find(const std::string& column) const {
  for (const auto& candidate : columns) {
    if (strcasecmp(candidate.name.c_str(), column.c_str()) == 0) return &candidate;
  }
  return nullptr;
}

std::string resolve_database(MysqlConnection& connection, const TableRef& table) {
  if (!table.schema.empty()) return table.schema;
  if (!connection.settings().database.empty()) return connection.settings().database;
  std::string current = connection.current_database();
  if (current.empty()) {
    throw ConfigError(fmt::format(
        "{}: table '{}' names no database and output '{}' sets none: write DATABASE.TABLE or set "
        "`database` (or `schema`) in {}",
        connection.settings().label(), table.display(), connection.settings().output_name,
        connection.settings().location));
  }
  return current;
}

std::string qualified(const std::string& database, const std::string& table) {
  return quote(database) + "." + quote(table);
}

TableInfo lookup_table(MysqlConnection& connection, const std::string& database,
                       const std::string& table, bool for_load, const std::string& shadow_prefix) {
  TableInfo info;
  info.database = database;
  info.name = table;
  const std::string where =
      fmt::format("TABLE_SCHEMA = {} AND TABLE_NAME = {}", literal(database), literal(table));
  if (for_load && !shadow_prefix.empty()) {
    // LIKE's wildcards in the name are matched literally.
    std::string pattern;
    for (char c : shadow_prefix) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    for (const auto& row : connection.query(fmt::format(
             "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = {} AND "
             "TABLE_NAME LIKE {}",
             literal(database), literal(pattern + "%"))))
      info.related.push_back(row[0].value_or(""));
  }
  MysqlRows found = connection.query(
      "SELECT t.TABLE_TYPE, t.ENGINE, t.TABLE_ROWS, e.TRANSACTIONS FROM information_schema.TABLES "
      "t "
      "LEFT JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE WHERE t." +
      fmt::format("TABLE_SCHEMA = {} AND t.TABLE_NAME = {}", literal(database), literal(table)));
  if (found.empty()) return info;
  info.exists = true;
  info.is_view = found[0][0].value_or("") == "VIEW";
  info.engine = found[0][1].value_or("");
  if (found[0][2] && !info.is_view) info.estimated_rows = std::stoull(*found[0][2]);
  info.transactional = found[0][3].value_or("") == "YES";

  MysqlRows columns = connection.query(
      "SELECT COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, EXTRA, COLUMN_DEFAULT IS NOT NULL "
      "FROM information_schema.COLUMNS WHERE " +
      where + " ORDER BY ORDINAL_POSITION");
  for (const auto& row : columns) {
    CatalogColumn column;
    column.name = row[0].value_or("");
    column.column_type = row[1].value_or("");
    column.data_type = lower(row[2].value_or(""));
    column.nullable = row[3].value_or("YES") == "YES";
    std::string extra = lower(row[4].value_or(""));
    column.generated = extra.find("generated") != std::string::npos;
    column.has_default =
        row[5].value_or("0") == "1" || extra.find("auto_increment") != std::string::npos;
    info.columns.push_back(std::move(column));
  }
  MysqlRows key =
      connection.query("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE " +
                       where + " AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION");
  for (const auto& row : key) info.primary_key.push_back(row[0].value_or(""));
  if (!for_load) return info;
  MysqlRows triggers = connection.query(
      fmt::format("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA "
                  "= {} AND EVENT_OBJECT_TABLE = {}",
                  literal(database), literal(table)));
  for (const auto& row : triggers) info.triggers.push_back(row[0].value_or(""));
  auto references = connection.query_value(fmt::format(
      "SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE (CONSTRAINT_SCHEMA = "
      "{0} AND TABLE_NAME = {1}) OR (UNIQUE_CONSTRAINT_SCHEMA = {0} AND REFERENCED_TABLE_NAME = "
      "{1})",
      literal(database), literal(table)));
  info.has_foreign_keys = references.value_or("0") != "0";
  return info;
}

std::vector<std::string> unique_not_null_key(MysqlConnection& connection, const TableInfo& table) {
  if (!table.primary_key.empty()) return table.primary_key;
  MysqlRows rows = connection.query(fmt::format(
      "SELECT INDEX_NAME, COLUMN_NAME, NULLABLE FROM information_schema.STATISTICS WHERE "
      "TABLE_SCHEMA = {} AND TABLE_NAME = {} AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX",
      literal(table.database), literal(table.name)));
  std::string current;
  std::vector<std::string> key;
  bool usable = true;
  for (size_t i = 0; i <= rows.size(); ++i) {
    std::string index = i < rows.size() ? rows[i][0].value_or("") : std::string();
    if (i == rows.size() || index != current) {
      if (!current.empty() && usable && !key.empty()) return key;
      current = index;
      key.clear();
      usable = true;
    }
    if (i == rows.size()) break;
    key.push_back(rows[i][1].value_or(""));
    if (rows[i][2].value_or("") == "YES") usable = false;
  }
  return {};
}

std::vector<FieldInfo> result_fields(MysqlConnection& connection, const std::string& select_sql) {
  MysqlStatement statement(connection);
  if (mysql_stmt_prepare(statement.get(), select_sql.data(), select_sql.size()) != 0) {
    unsigned code = mysql_stmt_errno(statement.get());
    std::string message = fmt::format("preparing '{}' on {}: {}{} (MySQL error {})", select_sql,
                                      connection.settings().label(),
                                      is_sql_error(code) ? "SQL error (in MySQL): " : "",
                                      mysql_stmt_error(statement.get()), code);
    if (is_sql_error(code)) throw SqlError(message);
    throw DataError(message);
  }
  MysqlResult metadata(mysql_stmt_result_metadata(statement.get()));
  if (!metadata) {
    throw DataError(fmt::format("'{}' on {} returns no rows: dvt reads SELECT statements only",
                                select_sql, connection.settings().label()));
  }
  std::vector<FieldInfo> fields;
  unsigned count = mysql_num_fields(metadata.get());
  MYSQL_FIELD* raw = mysql_fetch_fields(metadata.get());
  for (unsigned i = 0; i < count; ++i) fields.push_back(FieldInfo::from(raw[i]));
  return fields;
}

}  // namespace dvt::mysql
