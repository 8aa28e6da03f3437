#include "connectors/clickhouse/ch_load_plan.h"

#include <fmt/format.h>

#include "connectors/shadow_tables.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"

namespace dvt::ch {
namespace {

bool keyed(LoadMode mode) {
  return mode == LoadMode::kMerge || mode == LoadMode::kDeleteInsert;
}

const ChDialect& dialect() {
  static const ChDialect instance;
  return instance;
}

bool nullable(const ChType& type) {
  return type.nullable() || (type.kind == ChKind::kLowCardinality && type.children[0].nullable());
}

// Publishes `from` as `to`: EXCHANGE on an Atomic database, else two
// renames (the old contents go to `old`). Leaves the old contents in `from`
// (EXCHANGE) or `old` to drop afterwards.
void add_swap(LoadSteps& steps, const TableInfo& info, const std::string& from,
              const std::string& to, const std::string& old, const std::string& old_name) {
  if (info.atomic_database) {
    steps.publish.emplace_back(fmt::format("EXCHANGE TABLES {} AND {}", from, to));
    steps.cleanup.emplace_back("DROP TABLE IF EXISTS " + from);
    return;
  }
  steps.publish.emplace_back(fmt::format("RENAME TABLE {} TO {}, {} TO {}", to, old, from, to));
  steps.cleanup.emplace_back("DROP TABLE IF EXISTS " + old);
  // RENAME of two tables is not atomic: when only the first happened, the
  // old table goes back.
  steps.on_failure.push_back(Statement::generating(fmt::format(
      "SELECT {} FROM system.tables WHERE database = {} AND name = {} AND (SELECT count() FROM "
      "system.tables WHERE database = {} AND name = {}) = 0",
      quote_literal(fmt::format("RENAME TABLE {} TO {}", old, to)), quote_literal(info.database),
      quote_literal(old_name), quote_literal(info.database), quote_literal(info.name))));
}

}  // namespace

std::string staging_table_name(const std::string& table) {
  return shadow_table_name(table, "tmp", 0);
}

TargetTable target_table(const TableInfo& info, const std::string& label) {
  TargetTable target;
  target.exists = info.exists;
  target.qualified = qualified_name(info.database, info.name);
  target.display = label;
  for (const auto& column : info.columns)
    target.columns.push_back({column.name, nullable(column.type), column.has_default, false});
  target.primary_key = info.primary_key;
  return target;
}

LoadSteps plan_load(const TableInfo& info, const LoadRequest& request, const TableSchema& incoming,
                    const std::vector<std::string>& created_columns, const std::string& label,
                    const std::string* query) {
  const ChDialect& d = dialect();
  const std::string target = qualified_name(info.database, info.name);
  const std::string staging_name = staging_table_name(info.name);
  const std::string old_name = shadow_table_name(info.name, "old", 0);
  const std::string staging = qualified_name(info.database, staging_name);
  const std::string old = qualified_name(info.database, old_name);
  const std::vector<std::string> columns = incoming.names();
  LoadSteps steps;
  steps.rows_into = staging;
  steps.on_failure.emplace_back("DROP TABLE IF EXISTS " + staging);
  const bool keep_structure = info.exists && !request.full_refresh;
  std::vector<std::string> key;
  if (keyed(request.mode)) {
    key = resolve_unique_key(request, target_table(info, label), incoming, d);
    std::vector<std::string> nullable_key;
    for (const auto& name : key) {
      int index = incoming.find(name);
      if (index >= 0 && incoming.columns[static_cast<size_t>(index)].nullable)
        nullable_key.push_back(name);
    }
    if (!nullable_key.empty()) {
      steps.checks.push_back(
          {d.null_key(staging, nullable_key),
           fmt::format("an incoming row has NULL in the unique key ({})", fmt::join(key, ", "))});
    }
    steps.checks.push_back(
        {d.repeated_key(staging, key),
         fmt::format("incoming rows repeat the unique key ({})", fmt::join(key, ", "))});
  }

  if (!keep_structure) {
    // ORDER BY the primary key when every key column is present and not
    // Nullable (ClickHouse sorts by no Nullable column by default).
    std::string order = "tuple()";
    if (!incoming.primary_key.empty()) {
      bool usable = true;
      for (const auto& name : incoming.primary_key) {
        int index = incoming.find(name);
        usable &= index >= 0 && !incoming.columns[static_cast<size_t>(index)].nullable;
      }
      if (usable) order = "(" + d.name_list(incoming.primary_key) + ")";
    }
    if (query) {
      steps.before.emplace_back(d.create_table_as(staging, *query));
    } else {
      steps.before.emplace_back(fmt::format("CREATE TABLE {} ({}) ENGINE = MergeTree ORDER BY {}",
                                            staging, fmt::join(created_columns, ", "), order));
    }
    if (info.exists) {
      add_swap(steps, info, staging, target, old, old_name);
      steps.explanation =
          "rows load into a new table created from the incoming columns, which then replaces the "
          "target (--full-refresh)";
    } else {
      steps.publish.emplace_back(fmt::format("RENAME TABLE {} TO {}", staging, target));
      steps.explanation =
          "rows load into a new table created from the incoming columns, renamed to the target "
          "once complete";
    }
    return steps;
  }

  steps.before.emplace_back(fmt::format("CREATE TABLE {} AS {}", staging, target));
  if (request.mode == LoadMode::kOverwrite) {
    add_swap(steps, info, staging, target, old, old_name);
    steps.explanation = info.atomic_database
                            ? "rows load into a staging table that replaces the target in one "
                              "EXCHANGE TABLES"
                            : "rows load into a staging table that replaces the target by RENAME";
    return steps;
  }
  if (request.mode == LoadMode::kAppend) {
    if (info.is_merge_tree()) {
      // Partition ids are digits, letters and '-' or '_': no quote to escape.
      steps.publish.push_back(Statement::generating(fmt::format(
          "SELECT concat({}, partition_id, {}) FROM system.parts WHERE active AND database = {} "
          "AND table = {} GROUP BY partition_id",
          quote_literal(fmt::format("ALTER TABLE {} ATTACH PARTITION ID '", target)),
          quote_literal(fmt::format("' FROM {}", staging)), quote_literal(info.database),
          quote_literal(staging_name))));
      steps.explanation =
          "rows load into a staging table whose partitions are then attached to the target (each "
          "partition at once)";
    } else {
      steps.publish.emplace_back(d.insert_select(target, columns, staging));
      steps.explanation =
          "rows load into a staging table and are then copied into the target inside the server";
    }
    steps.cleanup.emplace_back("DROP TABLE IF EXISTS " + staging);
    return steps;
  }

  // Merge and delete+insert rebuild the table: its rows whose keys are not
  // incoming, then the incoming rows.
  const std::string rebuilt_name = shadow_table_name(info.name, "new", 0);
  const std::string rebuilt = qualified_name(info.database, rebuilt_name);
  std::vector<std::string> all;
  for (const auto& column : info.columns) all.push_back(column.name);
  const std::string key_tuple = "(" + d.name_list(key) + ")";
  steps.apply.emplace_back(fmt::format("CREATE TABLE {} AS {}", rebuilt, target));
  steps.on_failure.emplace_back("DROP TABLE IF EXISTS " + rebuilt);
  steps.apply.emplace_back(d.insert_select(
      rebuilt, all, target,
      fmt::format("{} NOT IN (SELECT {} FROM {})", key_tuple, d.name_list(key), staging)));
  std::vector<std::string> missing;
  for (const auto& column : all) {
    bool given = false;
    for (const auto& name : columns) given |= d.same_column(name, column);
    if (!given) missing.push_back(column);
  }
  if (request.mode == LoadMode::kMerge && !missing.empty()) {
    // Columns the rows lack keep the values of the row they replace.
    std::string kept, select;
    for (size_t i = 0; i < missing.size(); ++i)
      kept += fmt::format(", {} AS dvt_kept_{}", d.quote(missing[i]), i);
    for (const auto& column : all) {
      if (!select.empty()) select += ", ";
      size_t index = 0;
      while (index < missing.size() && missing[index] != column) ++index;
      select += index < missing.size() ? fmt::format("dvt_kept_{}", index) : d.quote(column);
    }
    steps.apply.emplace_back(fmt::format(
        "INSERT INTO {} ({}) SELECT {} FROM {} ANY LEFT JOIN (SELECT {}{} FROM {}) USING ({})",
        rebuilt, d.name_list(all), select, staging, d.name_list(key), kept, target,
        d.name_list(key)));
  } else {
    steps.apply.emplace_back(d.insert_select(rebuilt, columns, staging));
  }
  add_swap(steps, info, rebuilt, target, old, old_name);
  steps.cleanup.emplace_back("DROP TABLE IF EXISTS " + staging);
  steps.explanation =
      "rows load into a staging table; a copy of the target without the incoming keys, plus the "
      "incoming rows, then replaces the target";
  return steps;
}

void recover_leftovers(ChSession& session, TableInfo& info, const std::string& label) {
  bool restored = false;
  for (const std::string& name : info.related) {
    std::optional<DeadShadow> dead = dead_shadow(name, info.name, 0);
    if (!dead) continue;
    if (dead->role == "old" && !info.exists && !restored) {
      // Killed between the two renames of a swap: the old table is the
      // table's last published contents.
      session.execute(fmt::format("RENAME TABLE {} TO {}", qualified_name(info.database, name),
                                  qualified_name(info.database, info.name)));
      restored = true;
      log_warn("clickhouse.recover",
               fmt::format("{}: restored table {} from {}, left by a load that was killed "
                           "while publishing",
                           label, info.name, name));
      continue;
    }
    session.execute(fmt::format("DROP TABLE IF EXISTS {}", qualified_name(info.database, name)));
    log_info("clickhouse.cleanup",
             fmt::format("{}: dropped {}, left by a load that was killed (pid {})", label, name,
                         dead->pid));
  }
  if (restored) info = lookup_table(session, info.database, info.name);
}

std::optional<uint64_t> ChSqlSession::execute(const std::string& sql) {
  session_.execute(sql, sql.starts_with("CREATE") ? server_.ddl_settings() : Settings{});
  return std::nullopt;
}

std::vector<std::vector<std::optional<std::string>>> ChSqlSession::rows(const std::string& sql) {
  std::string body = session_.query(sql + " FORMAT TabSeparated");
  std::vector<std::vector<std::optional<std::string>>> rows;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    std::string_view line(body.data() + start, end - start);
    std::vector<std::optional<std::string>> row;
    size_t field = 0;
    while (true) {
      size_t tab = line.find('\t', field);
      std::string_view value =
          line.substr(field, tab == std::string_view::npos ? line.npos : tab - field);
      if (value == "\\N") {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(tsv_unescape(value));
      }
      if (tab == std::string_view::npos) break;
      field = tab + 1;
    }
    rows.push_back(std::move(row));
    start = end + 1;
  }
  return rows;
}

void ChSqlSession::execute_quietly(const std::string& sql) noexcept {
  // Undoing runs even when Ctrl-C stopped the load.
  session_.set_interruptible(false);
  try {
    session_.execute(sql);
  } catch (const std::exception& error) {
    try {
      log_warn("clickhouse.cleanup",
               fmt::format("could not run {}: {}; do it by hand", sql, error.what()));
    } catch (...) {
    }
  }
  session_.set_interruptible(true);
}

}  // namespace dvt::ch
