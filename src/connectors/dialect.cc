#include "connectors/dialect.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "core/error.h"
#include "core/sql_text.h"

namespace dvt {

std::string Dialect::quote(std::string_view identifier) const {
  return sql_identifier(identifier);
}

std::string Dialect::literal(std::string_view text) const {
  return sql_literal(text);
}

std::string Dialect::qualify(const TableRef& table) const {
  return table.schema.empty() ? quote(table.name) : quote(table.schema) + "." + quote(table.name);
}

void Dialect::check_identifier(std::string_view identifier, std::string_view what) const {
  size_t limit = max_identifier_bytes();
  if (limit == 0 || identifier.size() <= limit) return;
  throw ConfigError(fmt::format(
      "{} \"{}\" is {} bytes long, and {} keeps at most {}: it would be cut short (and might "
      "then name another object); choose a shorter name",
      what, identifier, identifier.size(), family(), limit));
}

bool Dialect::same_column(std::string_view a, std::string_view b) const {
  if (!column_names_ignore_case()) return a == b;
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Dialect::declared_type(const Column& column, const TableSchema& table) const {
  return column.declared_type.empty() ? column_type(column, table) : column.declared_type;
}

std::string Dialect::column_definition(const Column& column, const TableSchema& table) const {
  std::string definition = quote(column.name) + " " + declared_type(column, table);
  if (!column.nullable) definition += " NOT NULL";
  return definition;
}

std::string Dialect::limit_rows(const std::string& select_sql, uint64_t limit) const {
  return fmt::format("{} LIMIT {}", select_sql, limit);
}

std::string Dialect::concat(const std::vector<std::string>& parts) const {
  if (parts.empty()) return "''";
  return fmt::format("{}", fmt::join(parts, " || "));
}

std::string Dialect::byte_length_text(const std::string& text) const {
  return fmt::format("CAST(octet_length({}) AS VARCHAR)", text);
}

std::string Dialect::md5_hex(const std::string& text) const {
  return fmt::format("md5({})", text);
}

std::string Dialect::encoded_value(const Column& column) const {
  std::string text = text_of(column);
  return fmt::format("CASE WHEN {} IS NULL THEN 'N' ELSE {} END", quote(column.name),
                     concat({"'V'", byte_length_text(text), "':'", text}));
}

std::string Dialect::row_hash(const std::vector<Column>& columns) const {
  std::vector<std::string> parts;
  for (const auto& column : columns) parts.push_back(encoded_value(column));
  return md5_hex(concat(parts));
}

std::string Dialect::key_text(const std::vector<Column>& key) const {
  if (key.size() == 1) return text_of(key[0]);
  std::vector<std::string> parts;
  for (const auto& column : key) parts.push_back(encoded_value(column));
  return concat(parts);
}

namespace {

// A decimal number as SQL writes it (digits, one point, an exponent).
bool plain_number(std::string_view text) {
  if (text.empty()) return false;
  size_t i = text[0] == '-' || text[0] == '+' ? 1 : 0;
  bool digits = false, point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits = true;
    } else if (c == '.' && !point) {
      point = true;
    } else if ((c == 'e' || c == 'E') && digits && i + 1 < text.size()) {
      size_t j = i + 1;
      if (text[j] == '-' || text[j] == '+') ++j;
      if (j == text.size()) return false;
      for (; j < text.size(); ++j)
        if (text[j] < '0' || text[j] > '9') return false;
      return true;
    } else {
      return false;
    }
  }
  return digits;
}

bool numeric_type(const Type& type) {
  switch (type.id) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return true;
    default:
      return false;
  }
}

bool lowercase_hex(std::string_view text) {
  if (text.size() % 2) return false;
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string Dialect::value_from_text(const Column& column, std::string_view text) const {
  if (numeric_type(column.type) && plain_number(text)) return std::string(text);
  if (column.type.id == DUCKDB_TYPE_BLOB && lowercase_hex(text)) return fmt::format("X'{}'", text);
  return literal(text);
}

std::string Dialect::text_bucket(const std::string& text, uint64_t buckets) const {
  return fmt::format("({} & {})", hex_value(md5_hex(text), 8), buckets - 1);
}

std::string Dialect::create_schema(const std::string& schema) const {
  return "CREATE SCHEMA IF NOT EXISTS " + schema;
}

std::string Dialect::create_table(const std::string& table, const TableSchema& incoming) const {
  std::string columns;
  for (const auto& column : incoming.columns) {
    if (!columns.empty()) columns += ", ";
    columns += column_definition(column, incoming);
  }
  bool key_complete = !incoming.primary_key.empty();
  for (const auto& name : incoming.primary_key) key_complete &= incoming.find(name) >= 0;
  if (key_complete && !primary_key_after_load())
    columns += ", PRIMARY KEY (" + name_list(incoming.primary_key) + ")";
  return fmt::format("CREATE TABLE {} ({})", table, columns);
}

std::string Dialect::create_table_as(const std::string& table, const std::string& query) const {
  return fmt::format("CREATE TABLE {} AS {}", table,
                     limit_rows(fmt::format("SELECT * FROM ({}) AS dvt_model", query), 0));
}

std::vector<std::string> Dialect::create_view(const std::string& view,
                                              const std::string& query) const {
  return {"DROP VIEW IF EXISTS " + view, fmt::format("CREATE VIEW {} AS {}", view, query)};
}

std::string Dialect::add_primary_key(const std::string& table,
                                     const std::vector<std::string>& key) const {
  return fmt::format("ALTER TABLE {} ADD PRIMARY KEY ({})", table, name_list(key));
}

std::string Dialect::drop_table(const std::string& table) const {
  return "DROP TABLE " + table;
}

std::string Dialect::truncate(const std::string& table) const {
  return "TRUNCATE " + table;
}

std::string Dialect::staging_table(const std::string& base_name) const {
  return quote(base_name);
}

std::string Dialect::create_staging(const std::string& staging, const std::string& target,
                                    const std::vector<std::string>& columns) const {
  return fmt::format("CREATE TEMPORARY TABLE {} AS SELECT {} FROM {} WHERE {}", staging,
                     name_list(columns), target, false_predicate());
}

std::string Dialect::update_from(const std::string& target, const std::string& staging,
                                 const std::vector<std::string>& key,
                                 const std::vector<std::string>& set_columns) const {
  std::string set;
  for (const auto& column : set_columns) {
    if (!set.empty()) set += ", ";
    set += fmt::format("{0} = dvt_rows.{0}", quote(column));
  }
  return fmt::format("UPDATE {} AS dvt_target SET {} FROM {} AS dvt_rows WHERE {}", target, set,
                     staging, key_match("dvt_target", "dvt_rows", key));
}

std::string Dialect::delete_matching(const std::string& target, const std::string& staging,
                                     const std::vector<std::string>& key) const {
  return fmt::format(
      "DELETE FROM {} AS dvt_target WHERE EXISTS (SELECT 1 FROM {} AS dvt_rows WHERE {})", target,
      staging, key_match("dvt_target", "dvt_rows", key));
}

std::string Dialect::insert_select(const std::string& target,
                                   const std::vector<std::string>& columns,
                                   const std::string& source, const std::string& where) const {
  std::string names = name_list(columns);
  std::string sql =
      fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", target, names, names, source);
  if (!where.empty()) sql += " WHERE " + where;
  return sql;
}

std::string Dialect::no_match_in(const std::string& target,
                                 const std::vector<std::string>& key) const {
  return fmt::format("NOT EXISTS (SELECT 1 FROM {} AS dvt_target WHERE {})", target,
                     key_match("dvt_target", "dvt_rows", key));
}

std::string Dialect::repeated_key(const std::string& table,
                                  const std::vector<std::string>& key) const {
  std::string names = name_list(key);
  return limit_rows(fmt::format("SELECT {}, count(*) FROM {} GROUP BY {} HAVING count(*) > 1",
                                names, table, names),
                    1);
}

std::string Dialect::null_key(const std::string& table, const std::vector<std::string>& key) const {
  std::string any_null;
  for (const auto& column : key) {
    if (!any_null.empty()) any_null += " OR ";
    any_null += quote(column) + " IS NULL";
  }
  return limit_rows(fmt::format("SELECT {} FROM {} WHERE {}", name_list(key), table, any_null), 1);
}

std::string Dialect::key_match(const std::string& a, const std::string& b,
                               const std::vector<std::string>& key) const {
  std::string match;
  for (const auto& column : key) {
    if (!match.empty()) match += " AND ";
    match += fmt::format("{0}.{2} = {1}.{2}", a, b, quote(column));
  }
  return match;
}

std::string Dialect::name_list(const std::vector<std::string>& names) const {
  std::string list;
  for (const auto& name : names) {
    if (!list.empty()) list += ", ";
    list += quote(name);
  }
  return list;
}

}  // namespace dvt
