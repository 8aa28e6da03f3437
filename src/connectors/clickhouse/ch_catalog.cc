#include "connectors/clickhouse/ch_catalog.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "connectors/clickhouse/ch_rowbinary.h"
#include "core/error.h"

namespace dvt::ch {
namespace {

bool is_utc_name(const std::string& zone) {
  for (const char* name : {"UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu",
                           "Etc/Zulu", "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "GMT-0",
                           "Etc/GMT+0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich"}) {
    if (zone == name) return true;
  }
  return false;
}

// Splits a key expression list ("a, `b c`, toDate(d)") at top-level commas
// and returns the plain column names, or nothing when any part is an
// expression.
std::vector<std::string> plain_key_columns(const std::string& expression) {
  std::vector<std::string> parts;
  std::string current;
  int depth = 0;
  bool in_backticks = false;
  for (size_t i = 0; i < expression.size(); ++i) {
    char c = expression[i];
    if (in_backticks) {
      if (c == '\\' && i + 1 < expression.size()) {
        current += c;
        current += expression[++i];
        continue;
      }
      if (c == '`') in_backticks = false;
      current += c;
      continue;
    }
    if (c == '`') in_backticks = true;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  if (!current.empty()) parts.push_back(current);
  std::vector<std::string> names;
  for (auto part : parts) {
    size_t begin = part.find_first_not_of(" \t\n");
    size_t end = part.find_last_not_of(" \t\n");
    if (begin == std::string::npos) return {};
    part = part.substr(begin, end - begin + 1);
    if (part.size() >= 2 && part.front() == '`' && part.back() == '`') {
      std::string name;
      for (size_t i = 1; i + 1 < part.size(); ++i) {
        if (part[i] == '\\' && i + 2 < part.size()) ++i;
        name += part[i];
      }
      names.push_back(name);
      continue;
    }
    for (char c : part) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') return {};
    }
    names.push_back(part);
  }
  return names;
}

}  // namespace

Settings ServerInfo::ddl_settings() const {
  if (low_cardinality_setting) return {{"allow_experimental_low_cardinality_type", "1"}};
  return {};
}

std::vector<std::vector<std::string>> query_strings(ChSession& session,
                                                    const std::string& select_sql, size_t columns) {
  std::string body = session.query(select_sql + " FORMAT RowBinary");
  std::vector<std::vector<std::string>> rows;
  const char* p = body.data();
  const char* end = body.data() + body.size();
  while (p < end) {
    std::vector<std::string> row;
    for (size_t c = 0; c < columns; ++c) {
      uint64_t length = 0;
      if (!read_varuint(&p, end, &length) || length > static_cast<uint64_t>(end - p)) {
        throw DataError(
            fmt::format("malformed catalog answer from ClickHouse (in: {})", select_sql));
      }
      row.emplace_back(p, length);
      p += length;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

ServerInfo read_server_info(ChSession& session) {
  auto count_of = [](const std::string& table, const std::string& name) {
    return fmt::format("toString((SELECT count() FROM system.{} WHERE name = {}))", table,
                       quote_literal(name));
  };
  std::string sql = fmt::format(
      "SELECT version(), timezone(), {}, {}, {}, {}, {}, {}",
      count_of("formats", "RowBinaryWithNamesAndTypes"),
      count_of("settings", "allow_experimental_low_cardinality_type"),
      count_of("data_type_families", "Bool"), count_of("data_type_families", "DateTime64"),
      count_of("data_type_families", "Date32"), count_of("data_type_families", "Int128"));
  auto rows = query_strings(session, sql, 8);
  if (rows.size() != 1) throw DataError("ClickHouse did not answer the server information query");
  const auto& row = rows[0];
  ServerInfo info;
  info.version = row[0];
  std::from_chars(info.version.data(), info.version.data() + info.version.size(), info.major);
  if (size_t dot = info.version.find('.'); dot != std::string::npos) {
    std::from_chars(info.version.data() + dot + 1, info.version.data() + info.version.size(),
                    info.minor);
  }
  info.timezone = row[1];
  info.utc = is_utc_name(info.timezone);
  info.rowbinary_with_header = row[2] != "0";
  info.low_cardinality_setting = row[3] != "0";
  info.ddl.has_bool = row[4] != "0";
  info.ddl.has_datetime64 = row[5] != "0";
  info.ddl.has_date32 = row[6] != "0";
  info.ddl.has_int128 = row[7] != "0";
  info.ddl.server_utc = info.utc;
  return info;
}

std::string qualified_name(const std::string& database, const std::string& name) {
  return quote_identifier(database) + "." + quote_identifier(name);
}

std::string TableInfo::qualified() const {
  return qualified_name(database, name);
}

int TableInfo::find(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

TableInfo lookup_table(ChSession& session, const std::string& database, const std::string& name,
                       const std::string& prefix) {
  TableInfo info;
  info.database = database;
  info.name = name;
  std::string db = quote_literal(database);
  std::string table = quote_literal(name);
  // Rows tagged by kind: 0 the table, 1 its columns (numbered, in table
  // order), 2 its parts, 3 the tables named with `prefix`.
  std::string sql = fmt::format(
      "SELECT '0', engine, primary_key, toString((SELECT count() FROM system.databases WHERE name "
      "= {0} AND engine = 'Atomic')), '' FROM system.tables WHERE database = {0} AND name = {1} "
      "UNION ALL SELECT '1', name, type, toString(position), default_kind FROM (SELECT name, "
      "type, default_kind, rowNumberInAllBlocks() AS position FROM system.columns WHERE database "
      "= {0} AND table = {1} AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')) "
      "UNION ALL SELECT '2', toString(sum(rows)), toString(count()), '', '' FROM system.parts "
      "WHERE active AND database = {0} AND table = {1}",
      db, table);
  if (!prefix.empty()) {
    sql += fmt::format(
        " UNION ALL SELECT '3', name, '', '', '' FROM system.tables WHERE database = {} AND "
        "substring(name, 1, {}) = {}",
        db, prefix.size(), quote_literal(prefix));
  }
  std::string primary_key;
  std::vector<std::pair<uint64_t, ChColumn>> columns;
  std::optional<uint64_t> rows;
  for (auto& row : query_strings(session, sql, 5)) {
    if (row[0] == "0") {
      info.exists = true;
      info.engine = row[1];
      primary_key = row[2];
      info.atomic_database = row[3] != "0";
    } else if (row[0] == "1") {
      uint64_t position = 0;
      std::from_chars(row[3].data(), row[3].data() + row[3].size(), position);
      columns.emplace_back(position, ChColumn{row[1], parse_type(row[2]), row[4] == "DEFAULT"});
    } else if (row[0] == "2") {
      uint64_t count = 0;
      if (std::from_chars(row[1].data(), row[1].data() + row[1].size(), count).ec == std::errc())
        rows = count;
    } else if (row[0] == "3") {
      info.related.push_back(row[1]);
    }
  }
  if (!info.exists) return info;
  std::sort(columns.begin(), columns.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [position, column] : columns) info.columns.push_back(std::move(column));
  for (const auto& key : plain_key_columns(primary_key)) {
    if (info.find(key) < 0) {
      info.primary_key.clear();
      break;
    }
    info.primary_key.push_back(key);
  }
  if (info.is_merge_tree()) info.rows = rows;
  return info;
}

std::string tsv_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\\' || i + 1 == text.size()) {
      out += c;
      continue;
    }
    out += escaped_char(text[++i]);
  }
  return out;
}

std::vector<ChColumn> describe_query(ChSession& session, const std::string& select_sql) {
  // Every server version prints the names and types of a result with
  // TabSeparatedWithNamesAndTypes, and LIMIT 0 reads no rows.
  std::string body = session.query(
      fmt::format("SELECT * FROM ({}) LIMIT 0 FORMAT TabSeparatedWithNamesAndTypes", select_sql));
  size_t first = body.find('\n');
  size_t second = first == std::string::npos ? std::string::npos : body.find('\n', first + 1);
  if (second == std::string::npos) {
    throw DataError(fmt::format("ClickHouse did not describe the result of: {}", select_sql));
  }
  auto split = [](std::string_view line) {
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
      size_t tab = line.find('\t', start);
      fields.push_back(tsv_unescape(
          line.substr(start, tab == std::string_view::npos ? line.npos : tab - start)));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    return fields;
  };
  std::string_view view(body);
  auto names = split(view.substr(0, first));
  auto types = split(view.substr(first + 1, second - first - 1));
  if (names.size() != types.size())
    throw DataError("ClickHouse described a result with mismatched names and types");
  std::vector<ChColumn> columns;
  for (size_t i = 0; i < names.size(); ++i)
    columns.push_back(ChColumn{names[i], parse_type(types[i])});
  return columns;
}

}  // namespace dvt::ch
