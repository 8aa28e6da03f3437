#include "connectors/dialects.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "connectors/duckdb/duckdb_dialect.h"
#include "connectors/mysql/mysql_dialect.h"
#include "connectors/postgres/pg_dialect.h"
#include "connectors/registry.h"
#include "connectors/sqlite/sqlite_dialect.h"
#include "core/error.h"

namespace dvt {

namespace {

struct DialectEntry {
  std::string_view family;  // canonical type of registry.cc
  const Dialect& (*dialect)();
};

// One line per family that has a Dialect.
const DialectEntry kDialects[] = {
    {"postgres", []() -> const Dialect& { return pg::dialect(); }},
    {"mysql", []() -> const Dialect& { return mysql::dialect(); }},
    {"sqlite", []() -> const Dialect& { return sqlite::dialect(); }},
    {"duckdb", []() -> const Dialect& { return duck::dialect(); }},
};

class StandardDialect : public Dialect {
 public:
  std::string_view family() const override { return "standard"; }

  std::string column_type(const Column& column, const TableSchema& /*table*/) const override {
    const Type& type = column.type;
    switch (type.id) {
      case DUCKDB_TYPE_BOOLEAN:
        return "BOOLEAN";
      case DUCKDB_TYPE_TINYINT:
      case DUCKDB_TYPE_SMALLINT:
      case DUCKDB_TYPE_UTINYINT:
        return "SMALLINT";
      case DUCKDB_TYPE_INTEGER:
      case DUCKDB_TYPE_USMALLINT:
        return "INTEGER";
      case DUCKDB_TYPE_BIGINT:
      case DUCKDB_TYPE_UINTEGER:
        return "BIGINT";
      case DUCKDB_TYPE_UBIGINT:
        return "DECIMAL(20,0)";
      case DUCKDB_TYPE_HUGEINT:
      case DUCKDB_TYPE_UHUGEINT:
        return "DECIMAL(38,0)";
      case DUCKDB_TYPE_FLOAT:
        return "REAL";
      case DUCKDB_TYPE_DOUBLE:
        return "DOUBLE PRECISION";
      case DUCKDB_TYPE_DECIMAL:
        return fmt::format("DECIMAL({},{})", type.width, type.scale);
      case DUCKDB_TYPE_DATE:
        return "DATE";
      case DUCKDB_TYPE_TIME:
        return "TIME";
      case DUCKDB_TYPE_TIMESTAMP:
      case DUCKDB_TYPE_TIMESTAMP_S:
      case DUCKDB_TYPE_TIMESTAMP_MS:
      case DUCKDB_TYPE_TIMESTAMP_NS:
        return "TIMESTAMP";
      case DUCKDB_TYPE_TIMESTAMP_TZ:
        return "TIMESTAMP WITH TIME ZONE";
      case DUCKDB_TYPE_BLOB:
        return "VARBINARY";
      default:
        return "VARCHAR";
    }
  }

  std::string text_of(const Column& column) const override {
    return fmt::format("CAST({} AS VARCHAR)", quote(column.name));
  }

  std::string hash_aggregate(const std::string& /*hash*/) const override {
    throw ConfigError(
        "row hashes need the family's dialect; name it with `dialect:` on the output");
  }
  std::string hex_value(const std::string& /*hex*/, int /*digits*/) const override {
    throw ConfigError(
        "row versions need the family's dialect; name it with `dialect:` on the output");
  }
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

const Dialect* find_dialect(std::string_view family) {
  const AdapterInfo* adapter = find_adapter(lower(family));
  std::string_view canonical = adapter ? adapter->type : family;
  for (const auto& entry : kDialects) {
    if (entry.family == canonical) return &entry.dialect();
  }
  return nullptr;
}

const Dialect& standard_dialect() {
  static const StandardDialect instance;
  return instance;
}

bool matches_any(std::string_view name, std::string_view match) {
  std::string haystack = lower(name);
  size_t start = 0;
  while (start <= match.size()) {
    size_t bar = match.find('|', start);
    std::string word =
        lower(match.substr(start, bar == std::string_view::npos ? match.npos : bar - start));
    if (!word.empty() && haystack.find(word) != std::string::npos) return true;
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return false;
}

std::string family_of_dbms(std::string_view dbms_name) {
  for (const auto& adapter : adapters()) {
    if (!adapter.odbc_driver_match.empty() && matches_any(dbms_name, adapter.odbc_driver_match))
      return std::string(adapter.type);
  }
  return "";
}

}  // namespace dvt
