#include "connectors/odbc/odbc_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "connectors/odbc/odbc_text.h"
#include "core/error.h"

namespace dvt::odbc {

namespace {

// A catalog function's text argument: wide or narrow, or NULL for "any".
class CatalogArgument {
 public:
  CatalogArgument(const std::optional<std::string>& value, TextMode mode) {
    if (!value) return;
    present_ = true;
    if (mode == TextMode::kWide) {
      wide_ = utf16(*value);
    } else {
      narrow_ = *value;
    }
  }
  SQLWCHAR* wide() { return present_ ? reinterpret_cast<SQLWCHAR*>(wide_.data()) : nullptr; }
  SQLCHAR* narrow() { return present_ ? reinterpret_cast<SQLCHAR*>(narrow_.data()) : nullptr; }
  SQLSMALLINT wide_length() const { return present_ ? static_cast<SQLSMALLINT>(wide_.size()) : 0; }
  SQLSMALLINT narrow_length() const {
    return present_ ? static_cast<SQLSMALLINT>(narrow_.size()) : 0;
  }

 private:
  bool present_ = false;
  std::u16string wide_;
  std::string narrow_;
};

// `name` with the search pattern's wildcards (_ and %) escaped.
std::string escape_pattern(OdbcConnection& connection, const std::string& name) {
  SQLCHAR escape[8] = {};
  SQLSMALLINT length = 0;
  SQLGetInfo(connection.dbc(), SQL_SEARCH_PATTERN_ESCAPE, escape, sizeof(escape), &length);
  if (length == 0 || escape[0] == 0) return name;
  std::string out;
  for (char c : name) {
    if (c == '_' || c == '%' || c == static_cast<char>(escape[0]))
      out += static_cast<char>(escape[0]);
    out += c;
  }
  return out;
}

using Rows = std::vector<std::vector<std::optional<std::string>>>;

// Every row of the result of a catalog function, the first `columns`
// columns as text.
Rows catalog_rows(OdbcConnection& connection, Handle& statement, SQLSMALLINT columns,
                  const std::string& doing) {
  Rows rows;
  for (;;) {
    SQLRETURN rc = SQLFetch(statement.get());
    if (rc == SQL_NO_DATA) break;
    check(rc, statement, doing);
    std::vector<std::optional<std::string>> row;
    for (SQLSMALLINT c = 1; c <= columns; ++c) {
      row.push_back(get_text(statement.get(), static_cast<SQLUSMALLINT>(c),
                             connection.settings().text, doing));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

int64_t as_int(const std::optional<std::string>& text, int64_t fallback) {
  if (!text || text->empty()) return fallback;
  try {
    return std::stoll(*text);
  } catch (...) {
    return fallback;
  }
}

struct Scope {
  std::optional<std::string> catalog, schema;
};

Scope scope_of(OdbcConnection& connection, const std::string& schema) {
  Scope scope;
  if (schema.empty()) return scope;
  if (connection.profile().schema_is_catalog) {
    scope.catalog = schema;
  } else {
    scope.schema = schema;
  }
  return scope;
}

}  // namespace

int OdbcTable::find(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].info.name == column) return static_cast<int>(i);
  }
  return -1;
}

std::string default_schema(OdbcConnection& connection) {
  if (!connection.settings().schema.empty()) return connection.settings().schema;
  std::string_view query = connection.profile().current_schema;
  if (query.empty()) return "";
  Rows rows = connection.rows(std::string(query));
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
  return *rows[0][0];
}

std::optional<OdbcTable> find_table(OdbcConnection& connection, const std::string& schema_name,
                                    const std::string& name) {
  const std::string schema = schema_name.empty() ? default_schema(connection) : schema_name;
  const TextMode mode = connection.settings().text;
  const std::string doing =
      fmt::format("{}: reading the columns of {}", connection.settings().label(),
                  schema.empty() ? name : schema + "." + name);
  Scope scope = scope_of(connection, schema);
  std::optional<std::string> schema_pattern;
  if (scope.schema) schema_pattern = escape_pattern(connection, *scope.schema);
  OdbcTable table;
  table.schema = schema;
  table.name = name;
  {
    Handle statement = connection.statement();
    CatalogArgument catalog(scope.catalog, mode), schema_arg(schema_pattern, mode),
        table_arg(escape_pattern(connection, name), mode);
    SQLRETURN rc;
    if (mode == TextMode::kWide) {
      rc = SQLColumnsW(statement.get(), catalog.wide(), catalog.wide_length(), schema_arg.wide(),
                       schema_arg.wide_length(), table_arg.wide(), table_arg.wide_length(), nullptr,
                       0);
    } else {
      rc = SQLColumns(statement.get(), catalog.narrow(), catalog.narrow_length(),
                      schema_arg.narrow(), schema_arg.narrow_length(), table_arg.narrow(),
                      table_arg.narrow_length(), nullptr, 0);
    }
    check(rc, statement, doing);
    // TABLE_CAT, TABLE_SCHEM, TABLE_NAME, COLUMN_NAME, DATA_TYPE, TYPE_NAME,
    // COLUMN_SIZE, BUFFER_LENGTH, DECIMAL_DIGITS, NUM_PREC_RADIX, NULLABLE,
    // REMARKS, COLUMN_DEF, ..., ORDINAL_POSITION (17).
    Rows rows = catalog_rows(connection, statement, 17, doing);
    std::vector<std::pair<int64_t, OdbcTable::CatalogColumn>> ordered;
    for (const auto& row : rows) {
      // The pattern matched exactly this name (the escape may be ignored).
      if (!row[2] || *row[2] != name) continue;
      if (scope.schema && row[1] && *row[1] != *scope.schema) continue;
      OdbcTable::CatalogColumn column;
      column.info.name = row[3].value_or("");
      column.info.sql_type = static_cast<SQLSMALLINT>(as_int(row[4], SQL_UNKNOWN_TYPE));
      column.info.type_name = row[5].value_or("");
      column.info.column_size = as_int(row[6], -1);
      column.info.decimal_digits = static_cast<int>(as_int(row[8], -1));
      column.info.nullable = as_int(row[10], SQL_NULLABLE) != SQL_NO_NULLS;
      column.has_default = row[12].has_value() && !row[12]->empty() && *row[12] != "NULL";
      ordered.emplace_back(as_int(row[16], static_cast<int64_t>(ordered.size() + 1)),
                           std::move(column));
    }
    if (ordered.empty()) return std::nullopt;
    // One schema only, when the name exists in several and none was given.
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [position, column] : ordered) {
      if (table.find(column.info.name) >= 0) continue;
      table.columns.push_back(std::move(column));
    }
  }
  // The primary key, in key order.
  {
    Handle statement = connection.statement();
    CatalogArgument catalog(scope.catalog, mode), schema_arg(scope.schema, mode),
        table_arg(std::optional<std::string>(name), mode);
    SQLRETURN rc;
    if (mode == TextMode::kWide) {
      rc =
          SQLPrimaryKeysW(statement.get(), catalog.wide(), catalog.wide_length(), schema_arg.wide(),
                          schema_arg.wide_length(), table_arg.wide(), table_arg.wide_length());
    } else {
      rc = SQLPrimaryKeys(statement.get(), catalog.narrow(), catalog.narrow_length(),
                          schema_arg.narrow(), schema_arg.narrow_length(), table_arg.narrow(),
                          table_arg.narrow_length());
    }
    if (SQL_SUCCEEDED(rc)) {
      std::vector<std::pair<int64_t, std::string>> key;
      for (const auto& row : catalog_rows(connection, statement, 5, doing)) {
        if (row[3]) key.emplace_back(as_int(row[4], 0), *row[3]);
      }
      std::sort(key.begin(), key.end());
      for (auto& [sequence, column] : key) table.primary_key.push_back(column);
    }
  }
  if (table.primary_key.empty()) {
    // The first unique index whose columns are all NOT NULL.
    Handle statement = connection.statement();
    CatalogArgument catalog(scope.catalog, mode), schema_arg(scope.schema, mode),
        table_arg(std::optional<std::string>(name), mode);
    SQLRETURN rc;
    if (mode == TextMode::kWide) {
      rc = SQLStatisticsW(statement.get(), catalog.wide(), catalog.wide_length(), schema_arg.wide(),
                          schema_arg.wide_length(), table_arg.wide(), table_arg.wide_length(),
                          SQL_INDEX_UNIQUE, SQL_QUICK);
    } else {
      rc = SQLStatistics(statement.get(), catalog.narrow(), catalog.narrow_length(),
                         schema_arg.narrow(), schema_arg.narrow_length(), table_arg.narrow(),
                         table_arg.narrow_length(), SQL_INDEX_UNIQUE, SQL_QUICK);
    }
    if (SQL_SUCCEEDED(rc)) {
      // NON_UNIQUE (4), INDEX_NAME (6), TYPE (7), ORDINAL_POSITION (8), COLUMN_NAME (9).
      std::map<std::string, std::vector<std::pair<int64_t, std::string>>> indexes;
      std::vector<std::string> order;
      for (const auto& row : catalog_rows(connection, statement, 9, doing)) {
        if (as_int(row[6], SQL_TABLE_STAT) == SQL_TABLE_STAT || !row[5] || !row[8]) continue;
        if (as_int(row[3], 1) != 0) continue;
        if (!indexes.contains(*row[5])) order.push_back(*row[5]);
        indexes[*row[5]].emplace_back(as_int(row[7], 0), *row[8]);
      }
      for (const auto& index : order) {
        auto columns = indexes[index];
        std::sort(columns.begin(), columns.end());
        bool usable = true;
        for (const auto& [position, column] : columns) {
          int at = table.find(column);
          usable &= at >= 0 && !table.columns[static_cast<size_t>(at)].info.nullable;
        }
        if (!usable) continue;
        for (auto& [position, column] : columns) table.primary_key.push_back(column);
        break;
      }
    }
  }
  return table;
}

std::vector<OdbcColumnInfo> describe_result(SQLHSTMT statement, TextMode text,
                                            const std::string& doing) {
  SQLSMALLINT count = 0;
  check(SQLNumResultCols(statement, &count), SQL_HANDLE_STMT, statement, doing);
  std::vector<OdbcColumnInfo> columns;
  for (SQLSMALLINT c = 1; c <= count; ++c) {
    OdbcColumnInfo column;
    SQLSMALLINT type = 0, digits = 0, nullable = SQL_NULLABLE_UNKNOWN;
    SQLULEN size = 0;
    if (text == TextMode::kWide) {
      SQLWCHAR name[512];
      SQLSMALLINT length = 0;
      check(SQLDescribeColW(statement, static_cast<SQLUSMALLINT>(c), name, 512, &length, &type,
                            &size, &digits, &nullable),
            SQL_HANDLE_STMT, statement, doing);
      append_utf8(name, std::min<size_t>(static_cast<size_t>(length), 511), column.name);
      SQLWCHAR type_name[256] = {};
      SQLSMALLINT type_length = 0;
      SQLColAttributeW(statement, static_cast<SQLUSMALLINT>(c), SQL_DESC_TYPE_NAME, type_name,
                       sizeof(type_name), &type_length, nullptr);
      append_utf8(type_name, std::min<size_t>(static_cast<size_t>(type_length) / 2, 255),
                  column.type_name);
    } else {
      SQLCHAR name[1024];
      SQLSMALLINT length = 0;
      check(SQLDescribeCol(statement, static_cast<SQLUSMALLINT>(c), name, sizeof(name), &length,
                           &type, &size, &digits, &nullable),
            SQL_HANDLE_STMT, statement, doing);
      column.name.assign(reinterpret_cast<const char*>(name),
                         std::min<size_t>(static_cast<size_t>(length), sizeof(name) - 1));
      SQLCHAR type_name[256] = {};
      SQLSMALLINT type_length = 0;
      SQLColAttribute(statement, static_cast<SQLUSMALLINT>(c), SQL_DESC_TYPE_NAME, type_name,
                      sizeof(type_name), &type_length, nullptr);
      column.type_name = reinterpret_cast<const char*>(type_name);
    }
    SQLLEN is_unsigned = SQL_FALSE;
    SQLColAttribute(statement, static_cast<SQLUSMALLINT>(c), SQL_DESC_UNSIGNED, nullptr, 0, nullptr,
                    &is_unsigned);
    column.sql_type = type;
    column.column_size = static_cast<int64_t>(size);
    column.decimal_digits = digits;
    column.nullable = nullable != SQL_NO_NULLS;
    // Only integers have a sign worth reading; drivers set the flag on text too.
    column.is_unsigned = is_unsigned == SQL_TRUE && (type == SQL_TINYINT || type == SQL_SMALLINT ||
                                                     type == SQL_INTEGER || type == SQL_BIGINT);
    columns.push_back(std::move(column));
  }
  return columns;
}

TargetTable target_table(OdbcConnection& connection, const Dialect& dialect, const TableRef& table,
                         const std::string& display) {
  TargetTable target;
  std::string schema = table.schema.empty() ? default_schema(connection) : table.schema;
  target.qualified = dialect.qualify(TableRef{schema, table.name});
  target.display = display;
  std::optional<OdbcTable> found = find_table(connection, schema, table.name);
  if (found) {
    target.exists = true;
    for (const auto& column : found->columns) {
      TargetColumn described;
      described.name = column.info.name;
      described.nullable = column.info.nullable;
      described.has_default = column.has_default;
      target.columns.push_back(std::move(described));
    }
    target.primary_key = found->primary_key;
  } else if (!schema.empty() && !table.schema.empty()) {
    target.schema = schema;
    target.schema_exists = false;
    // A schema with other tables in it exists; CREATE SCHEMA IF NOT EXISTS
    // is harmless where it does.
  }
  return target;
}

}  // namespace dvt::odbc
