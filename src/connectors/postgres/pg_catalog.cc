#include "connectors/postgres/pg_catalog.h"

#include <cstdlib>

#include <fmt/format.h>

#include "core/error.h"

namespace dvt::pg {
namespace {

// Resolves each (oid, typmod) through any chain of domains to its base type,
// and an array's element through one more domain level.
constexpr const char* kResolveTypes = R"sql(
WITH RECURSIVE input AS (
  SELECT u.ord, u.oid, u.typmod
  FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS u(oid, typmod, ord)
), chain AS (
  SELECT i.ord, i.oid AS cur, i.typmod AS cur_typmod, 0 AS depth FROM input i
  UNION ALL
  SELECT c.ord, t.typbasetype, CASE WHEN t.typtypmod <> -1 THEN t.typtypmod ELSE c.cur_typmod END, c.depth + 1
  FROM chain c JOIN pg_type t ON t.oid = c.cur
  WHERE t.typtype = 'd' AND c.depth < 32
)
SELECT i.oid, i.typmod, format_type(i.oid, NULLIF(i.typmod, -1)),
       b.oid, c.cur_typmod, b.typname, b.typtype,
       CASE WHEN b.typcategory = 'A' AND b.typlen = -1 THEN b.typelem ELSE 0 END,
       eb.oid, eb.typname, eb.typtype,
       CASE WHEN e.typtype = 'd' AND e.typtypmod <> -1 THEN e.typtypmod ELSE c.cur_typmod END
FROM chain c
JOIN input i ON i.ord = c.ord
JOIN pg_type b ON b.oid = c.cur AND b.typtype <> 'd'
LEFT JOIN pg_type e ON e.oid = b.typelem AND b.typcategory = 'A' AND b.typlen = -1
LEFT JOIN pg_type eb ON eb.oid = CASE WHEN e.typtype = 'd' THEN e.typbasetype ELSE e.oid END
ORDER BY c.ord
)sql";

constexpr const char* kFindTable = R"sql(
SELECT c.oid, n.nspname, c.relname, c.relkind, c.reltuples::float8
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = CASE WHEN $1::text IS NULL THEN to_regclass(quote_ident($2))
                   ELSE to_regclass(quote_ident($1) || '.' || quote_ident($2)) END
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
)sql";

// Identity and generated columns are read through to_jsonb, so servers older
// than the catalog columns (or compatible systems without them) still answer.
constexpr const char* kColumns = R"sql(
SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull,
       a.atthasdef OR coalesce(to_jsonb(a) ->> 'attidentity', '') NOT IN ('', ' '),
       coalesce(to_jsonb(a) ->> 'attgenerated', '') NOT IN ('', ' ')
FROM pg_attribute a
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
)sql";

// The primary key first; else unique indexes whose key columns are all NOT
// NULL (they identify rows as well), fewest columns first. A unique index
// over a nullable column is no key: it admits any number of NULL rows.
constexpr const char* kKeys = R"sql(
SELECT i.indisprimary, array_to_json(array_agg(a.attname ORDER BY k.ord))::text
FROM pg_index i
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1::oid AND (i.indisprimary OR i.indisunique) AND i.indpred IS NULL
  AND i.indexprs IS NULL AND i.indisvalid AND k.ord <= i.indnkeyatts
GROUP BY i.indexrelid, i.indisprimary
HAVING i.indisprimary OR bool_and(a.attnotnull)
ORDER BY i.indisprimary DESC, count(*), i.indexrelid
)sql";

uint32_t to_oid(std::string_view text) {
  return static_cast<uint32_t>(std::strtoul(std::string(text).c_str(), nullptr, 10));
}

// Parses the JSON array of names kKeys returns: ["a","b \"c\""].
std::vector<std::string> parse_name_array(const std::string& json) {
  std::vector<std::string> names;
  size_t pos = 0;
  while ((pos = json.find('"', pos)) != std::string::npos) {
    std::string name;
    ++pos;
    while (pos < json.size() && json[pos] != '"') {
      if (json[pos] == '\\' && pos + 1 < json.size()) {
        ++pos;
        char escaped = json[pos];
        if (escaped == 'u' && pos + 4 < json.size()) {
          // Control characters in a column name: \u00XX.
          name += static_cast<char>(std::strtoul(json.substr(pos + 1, 4).c_str(), nullptr, 16));
          pos += 4;
        } else if (escaped == 'n') {
          name += '\n';
        } else if (escaped == 't') {
          name += '\t';
        } else if (escaped == 'r') {
          name += '\r';
        } else if (escaped == 'b') {
          name += '\b';
        } else if (escaped == 'f') {
          name += '\f';
        } else {
          name += escaped;
        }
      } else {
        name += json[pos];
      }
      ++pos;
    }
    ++pos;
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace

int PgTable::find(const std::string& column) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return static_cast<int>(i);
  }
  return -1;
}

std::vector<PgType> resolve_types(PgConnection& conn,
                                  const std::vector<std::pair<uint32_t, int32_t>>& types) {
  if (types.empty()) return {};
  std::string oids = "{", typmods = "{";
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) {
      oids += ',';
      typmods += ',';
    }
    oids += std::to_string(types[i].first);
    typmods += std::to_string(types[i].second);
  }
  oids += '}';
  typmods += '}';
  PgResult result = conn.execute(kResolveTypes, {oids, typmods});
  if (static_cast<size_t>(result.rows()) != types.size()) {
    throw InternalError(fmt::format("{}: type lookup returned {} rows for {} types", conn.label(),
                                    result.rows(), types.size()));
  }
  std::vector<PgType> resolved;
  for (int row = 0; row < result.rows(); ++row) {
    PgType type;
    type.oid = to_oid(result.value(row, 0));
    type.typmod = std::atoi(result.text(row, 1).c_str());
    type.name = result.text(row, 2);
    type.base_oid = to_oid(result.value(row, 3));
    type.base_typmod = std::atoi(result.text(row, 4).c_str());
    type.base_name = result.text(row, 5);
    type.base_kind = result.value(row, 6).empty() ? 'b' : result.value(row, 6)[0];
    type.element_declared_oid = to_oid(result.value(row, 7));
    if (type.element_declared_oid != 0 && !result.is_null(row, 8)) {
      type.element_oid = to_oid(result.value(row, 8));
      type.element_name = result.text(row, 9);
      type.element_kind = result.value(row, 10).empty() ? 'b' : result.value(row, 10)[0];
      type.base_typmod = std::atoi(result.text(row, 11).c_str());
    } else {
      type.element_declared_oid = 0;
    }
    resolved.push_back(std::move(type));
  }
  return resolved;
}

std::optional<PgTable> find_table(PgConnection& conn, const std::string& schema,
                                  const std::string& name) {
  PgResult found =
      conn.execute(kFindTable, {schema.empty() ? std::nullopt : std::optional(schema), name});
  if (found.rows() == 0) return std::nullopt;
  PgTable table;
  table.oid = to_oid(found.value(0, 0));
  table.schema = found.text(0, 1);
  table.name = found.text(0, 2);
  table.kind = found.value(0, 3)[0];
  double reltuples = std::strtod(found.text(0, 4).c_str(), nullptr);
  // -1: never vacuumed or analyzed (PostgreSQL 14+); 0 may mean the same before.
  if (reltuples >= 0) table.estimated_rows = static_cast<uint64_t>(reltuples);

  std::string oid = std::to_string(table.oid);
  PgResult columns = conn.execute(kColumns, {oid});
  std::vector<std::pair<uint32_t, int32_t>> types;
  for (int row = 0; row < columns.rows(); ++row) {
    PgColumn column;
    column.name = columns.text(row, 0);
    column.not_null = columns.value(row, 3) == "t";
    column.has_default = columns.value(row, 4) == "t";
    column.generated = columns.value(row, 5) == "t";
    types.emplace_back(to_oid(columns.value(row, 1)), std::atoi(columns.text(row, 2).c_str()));
    table.columns.push_back(std::move(column));
  }
  std::vector<PgType> resolved = resolve_types(conn, types);
  for (size_t i = 0; i < resolved.size(); ++i) table.columns[i].type = std::move(resolved[i]);

  PgResult keys = conn.execute(kKeys, {oid});
  if (keys.rows() > 0) table.primary_key = parse_name_array(keys.text(0, 1));
  return table;
}

TargetTable target_table(const std::optional<PgTable>& found, const std::string& schema,
                         const std::string& name, bool schema_exists, const std::string& label) {
  TargetTable target;
  target.exists = found.has_value();
  target.schema_exists = schema_exists || target.exists;
  target.schema = quote_identifier(schema);
  target.qualified =
      found ? found->qualified() : quote_identifier(schema) + "." + quote_identifier(name);
  target.display = label;
  if (found) {
    for (const auto& column : found->columns)
      target.columns.push_back(
          {column.name, !column.not_null, column.has_default, column.generated});
    target.primary_key = found->primary_key;
  }
  return target;
}

bool schema_exists(PgConnection& conn, const std::string& schema) {
  return conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = $1", {schema}).rows() > 0;
}

std::vector<PgColumn> describe_query(PgConnection& conn, const std::string& sql) {
  PgResult prepared(PQprepare(conn.get(), "", sql.c_str(), 0, nullptr));
  if (prepared.status() != PGRES_COMMAND_OK) conn.raise("describing the query", prepared);
  PgResult described(PQdescribePrepared(conn.get(), ""));
  if (described.status() != PGRES_COMMAND_OK) conn.raise("describing the query", described);
  std::vector<PgColumn> columns;
  std::vector<std::pair<uint32_t, int32_t>> types;
  for (int i = 0; i < described.columns(); ++i) {
    PgColumn column;
    column.name = PQfname(described.get(), i);
    types.emplace_back(PQftype(described.get(), i), PQfmod(described.get(), i));
    columns.push_back(std::move(column));
  }
  std::vector<PgType> resolved = resolve_types(conn, types);
  for (size_t i = 0; i < resolved.size(); ++i) columns[i].type = std::move(resolved[i]);
  return columns;
}

}  // namespace dvt::pg
