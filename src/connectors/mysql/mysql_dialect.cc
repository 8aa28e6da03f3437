#include "connectors/mysql/mysql_dialect.h"

#include <algorithm>

#include <fmt/format.h>

#include "connectors/mysql/mysql_connection.h"
#include "connectors/mysql/mysql_types.h"

namespace dvt::mysql {

std::string MysqlDialect::quote(std::string_view identifier) const {
  return mysql::quote(std::string(identifier));
}

std::string MysqlDialect::literal(std::string_view text) const {
  return mysql::literal(std::string(text));
}

namespace {

bool in_key(const Column& column, const TableSchema& table) {
  return std::find(table.primary_key.begin(), table.primary_key.end(), column.name) !=
         table.primary_key.end();
}

}  // namespace

std::string MysqlDialect::column_type(const Column& column, const TableSchema& table) const {
  size_t key_strings = 0, key_others = 0;
  for (const auto& name : table.primary_key) {
    int index = table.find(name);
    if (index < 0) continue;
    if (is_string_target(table.columns[static_cast<size_t>(index)].type)) {
      ++key_strings;
    } else {
      ++key_others;
    }
  }
  return target_type(column.type, in_key(column, table), key_strings, key_others).declaration;
}

std::string MysqlDialect::column_definition(const Column& column, const TableSchema& table) const {
  return quote(column.name) + " " + declared_type(column, table) +
         (column.nullable && !in_key(column, table) ? " NULL" : " NOT NULL");
}

std::string MysqlDialect::text_of(const Column& column) const {
  std::string quoted = quote(column.name);
  std::string value = quoted;
  if (column.type.id == DUCKDB_TYPE_FLOAT) {
    value = fmt::format("CAST({} AS DOUBLE)", quoted);
  } else if (column.type.id == DUCKDB_TYPE_BLOB) {
    value = fmt::format("LOWER(HEX({}))", quoted);
  } else if (column.source_type.starts_with("bit")) {
    value = fmt::format("CAST({} AS UNSIGNED)", quoted);
  }
  return fmt::format("CONVERT({} USING utf8mb4)", value);
}

std::string MysqlDialect::concat(const std::vector<std::string>& parts) const {
  if (parts.empty()) return "''";
  return fmt::format("CONCAT({})", fmt::join(parts, ", "));
}

std::string MysqlDialect::byte_length_text(const std::string& text) const {
  return fmt::format("OCTET_LENGTH({})", text);
}

std::string MysqlDialect::md5_hex(const std::string& text) const {
  return fmt::format("MD5({})", text);
}

std::string MysqlDialect::hash_aggregate(const std::string& hash) const {
  return fmt::format("CAST(SUM(CAST(CONV(SUBSTRING({}, 1, 15), 16, 10) AS UNSIGNED)) AS CHAR)",
                     hash);
}

std::string MysqlDialect::hex_value(const std::string& hex, int digits) const {
  return fmt::format("CAST(CONV(SUBSTRING({}, 1, {}), 16, 10) AS UNSIGNED)", hex, digits);
}

std::string MysqlDialect::text_bucket(const std::string& text, uint64_t buckets) const {
  return fmt::format("(CRC32({}) & {})", text, buckets - 1);
}

std::string MysqlDialect::create_table(const std::string& table,
                                       const TableSchema& incoming) const {
  return Dialect::create_table(table, incoming) +
         " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
}

std::string MysqlDialect::truncate(const std::string& table) const {
  return "DELETE FROM " + table;
}

std::string MysqlDialect::create_staging(const std::string& staging, const std::string& target,
                                         const std::vector<std::string>& columns) const {
  // The columns' exact definitions (collation included: the key check and
  // the join compare as the target does), without its keys. A NOT NULL
  // column stays one, so a NULL in it is refused by the load itself.
  return fmt::format("CREATE TEMPORARY TABLE {} AS SELECT {} FROM {} LIMIT 0", staging,
                     name_list(columns), target);
}

std::string MysqlDialect::update_from(const std::string& target, const std::string& staging,
                                      const std::vector<std::string>& key,
                                      const std::vector<std::string>& set_columns) const {
  std::string set;
  for (const auto& column : set_columns) {
    if (!set.empty()) set += ", ";
    set += fmt::format("dvt_target.{0} = dvt_rows.{0}", quote(column));
  }
  return fmt::format("UPDATE {} AS dvt_target JOIN {} AS dvt_rows ON {} SET {}", target, staging,
                     key_match("dvt_target", "dvt_rows", key), set);
}

std::string MysqlDialect::delete_matching(const std::string& target, const std::string& staging,
                                          const std::vector<std::string>& key) const {
  return fmt::format("DELETE dvt_target FROM {} AS dvt_target JOIN {} AS dvt_rows ON {}", target,
                     staging, key_match("dvt_target", "dvt_rows", key));
}

std::vector<std::string> MysqlDialect::create_view(const std::string& view,
                                                   const std::string& query) const {
  return {fmt::format("CREATE OR REPLACE VIEW {} AS {}", view, query)};
}

const MysqlDialect& dialect() {
  static const MysqlDialect instance;
  return instance;
}

}  // namespace dvt::mysql
