#include "connectors/mysql/mysql_load_plan.h"

#include <errmsg.h>
#include <fmt/format.h>

#include <cstdlib>

#include "connectors/mysql/mysql_dialect.h"
#include "connectors/shadow_tables.h"
#include "core/error.h"
#include "core/log.h"

namespace dvt::mysql {
namespace {

bool keyed(LoadMode mode) {
  return mode == LoadMode::kMerge || mode == LoadMode::kDeleteInsert;
}

std::string shadow(const TableInfo& info, const char* role) {
  return qualified(info.database,
                   shadow_table_name(info.name, role, dialect().max_identifier_bytes()));
}

void add_key_checks(LoadSteps& steps, const std::string& table,
                    const std::vector<std::string>& key) {
  const MysqlDialect& d = dialect();
  steps.checks.push_back(
      {d.null_key(table, key),
       fmt::format("an incoming row has NULL in the unique key ({})", fmt::join(key, ", "))});
  steps.checks.push_back(
      {d.repeated_key(table, key),
       fmt::format("incoming rows repeat the unique key ({})", fmt::join(key, ", "))});
}

}  // namespace

TargetTable target_table(const TableInfo& info, const std::string& label) {
  TargetTable target;
  target.exists = info.exists;
  target.qualified = qualified(info.database, info.name);
  target.display = label;
  for (const auto& column : info.columns)
    target.columns.push_back({column.name, column.nullable, column.has_default, column.generated});
  target.primary_key = info.primary_key;
  return target;
}

LoadSteps plan_load(const TableInfo& info, const LoadRequest& request, const TableSchema& incoming,
                    bool rows_in_other_session, const std::string& label, LoadStrategy& strategy,
                    const std::string* query) {
  const MysqlDialect& d = dialect();
  const std::string where = label;
  if (info.exists && info.is_view) {
    throw DataError(fmt::format("{} is a view; dvt loads into tables", where));
  }
  TargetTable target = target_table(info, label);
  check_incoming_columns(request, target, incoming, d);
  const std::vector<std::string> columns = incoming.names();
  std::vector<std::string> key;
  if (keyed(request.mode)) key = resolve_unique_key(request, target, incoming, d);
  const std::string& table = target.qualified;
  LoadSteps steps;

  if (request.full_refresh || !info.exists) {
    strategy = LoadStrategy::kSwap;
    const std::string shadow_new = shadow(info, "new");
    steps.before.emplace_back(query ? d.create_table_as(shadow_new, *query)
                                    : d.create_table(shadow_new, incoming));
    steps.rows_into = shadow_new;
    if (keyed(request.mode)) add_key_checks(steps, shadow_new, key);
    if (info.exists) {
      const std::string old = shadow(info, "old");
      steps.publish.emplace_back(
          fmt::format("RENAME TABLE {} TO {}, {} TO {}", table, old, shadow_new, table));
      steps.cleanup.emplace_back(d.drop_table(old));
      steps.explanation =
          "rows load into a new table created from the incoming columns, which then replaces the "
          "target in one RENAME TABLE (--full-refresh)";
    } else {
      steps.publish.emplace_back(fmt::format("RENAME TABLE {} TO {}", shadow_new, table));
      steps.explanation =
          "rows load into a new table created from the incoming columns, renamed to the target "
          "once complete";
    }
    steps.on_failure.push_back("DROP TABLE IF EXISTS " + shadow_new);
    return steps;
  }

  const bool in_place_overwrite =
      request.mode == LoadMode::kOverwrite && (!info.triggers.empty() || info.has_foreign_keys);
  if (request.mode != LoadMode::kOverwrite || in_place_overwrite) {
    if (!info.transactional) {
      const char* what = request.mode == LoadMode::kAppend ? "append to it"
                         : keyed(request.mode)             ? "change its rows by key"
                                               : "replace its rows and keep its triggers";
      throw DataError(fmt::format(
          "{} uses engine {}, which has no transactions, so dvt cannot {} atomically; convert it "
          "(ALTER TABLE ... ENGINE=InnoDB){}",
          where, info.engine, what,
          request.mode == LoadMode::kOverwrite ? "" : " or load with overwrite"));
    }
  }

  if (keyed(request.mode)) {
    strategy = LoadStrategy::kStagedMerge;
    // No keys on the staging table: rows that repeat a key are found and
    // named, not dropped by LOAD DATA.
    const std::string staging =
        rows_in_other_session ? shadow(info, "stage") : d.quote(staging_base_name());
    if (rows_in_other_session) {
      steps.before.emplace_back(fmt::format("CREATE TABLE {} AS SELECT {} FROM {} LIMIT 0", staging,
                                            d.name_list(columns), table));
    } else {
      steps.before.emplace_back(d.create_staging(staging, table, columns));
    }
    steps.rows_into = staging;
    add_key_checks(steps, staging, key);
    steps.apply.emplace_back(d.begin_transaction());
    const std::string rows = staging + " AS dvt_rows";
    if (request.mode == LoadMode::kMerge) {
      std::vector<std::string> set;
      for (const auto& column : columns) {
        bool in_key = false;
        for (const auto& k : key) in_key |= d.same_column(k, column);
        if (!in_key) set.push_back(column);
      }
      if (!set.empty())
        steps.apply.emplace_back(d.update_from(table, staging, key, set),
                                 Statement::Counts::kUpdated);
      steps.apply.emplace_back(d.insert_select(table, columns, rows, d.no_match_in(table, key)),
                               Statement::Counts::kInserted);
      steps.count_rule = set.empty() ? CountRule::kNone : CountRule::kInsertedPlusUpdated;
      steps.explanation =
          "rows load into a staging table; matching rows are updated and the rest inserted, in "
          "one transaction";
    } else {
      steps.apply.emplace_back(d.delete_matching(table, staging, key), Statement::Counts::kDeleted);
      steps.apply.emplace_back(d.insert_select(table, columns, rows), Statement::Counts::kInserted);
      steps.count_rule = CountRule::kInserted;
      steps.explanation =
          "rows load into a staging table; target rows with their keys are deleted and all are "
          "inserted, in one transaction";
    }
    steps.publish.emplace_back(d.commit());
    steps.cleanup.emplace_back(d.drop_table(staging));
    steps.on_failure = {d.rollback(), "DROP TABLE IF EXISTS " + staging};
    return steps;
  }

  if (request.mode == LoadMode::kAppend || in_place_overwrite) {
    const bool delete_first = request.mode == LoadMode::kOverwrite;
    std::string why = request.mode == LoadMode::kAppend
                          ? std::string("append")
                          : fmt::format("the target has {}, which a table swap would lose",
                                        info.triggers.empty() ? "foreign keys" : "triggers");
    if (!rows_in_other_session) {
      strategy = LoadStrategy::kInPlace;
      steps.before.emplace_back(d.begin_transaction());
      if (delete_first) steps.before.emplace_back(d.truncate(table));
      steps.rows_into = table;
      steps.publish.emplace_back(d.commit());
      steps.on_failure.push_back(d.rollback());
      steps.explanation =
          fmt::format("{}: rows {} in one transaction", why,
                      delete_first ? "replace the target's (DELETE + load)" : "are added");
      return steps;
    }
    strategy = LoadStrategy::kStagedCopy;
    const std::string shadow_new = shadow(info, "new");
    steps.before.emplace_back(fmt::format("CREATE TABLE {} LIKE {}", shadow_new, table));
    steps.rows_into = shadow_new;
    steps.apply.emplace_back(d.begin_transaction());
    if (delete_first) steps.apply.emplace_back(d.truncate(table));
    steps.apply.emplace_back(d.insert_select(table, columns, shadow_new),
                             Statement::Counts::kInserted);
    steps.count_rule = CountRule::kInserted;
    steps.publish.emplace_back(d.commit());
    steps.cleanup.emplace_back(d.drop_table(shadow_new));
    steps.on_failure = {d.rollback(), "DROP TABLE IF EXISTS " + shadow_new};
    steps.explanation = fmt::format(
        "{}: rows {} in one transaction (loaded into a shadow table first, then copied with "
        "INSERT ... SELECT)",
        why, delete_first ? "replace the target's (DELETE + load)" : "are added");
    return steps;
  }

  strategy = LoadStrategy::kSwap;
  const std::string shadow_new = shadow(info, "new");
  const std::string old = shadow(info, "old");
  steps.before.emplace_back(fmt::format("CREATE TABLE {} LIKE {}", shadow_new, table));
  steps.rows_into = shadow_new;
  steps.publish.emplace_back(
      fmt::format("RENAME TABLE {} TO {}, {} TO {}", table, old, shadow_new, table));
  steps.cleanup.emplace_back(d.drop_table(old));
  steps.on_failure.push_back("DROP TABLE IF EXISTS " + shadow_new);
  steps.explanation =
      "rows load into a shadow table (CREATE TABLE ... LIKE the target), which then replaces the "
      "target in one RENAME TABLE; indexes, defaults and grants are kept";
  return steps;
}

std::optional<uint64_t> MysqlSession::execute(const std::string& sql) {
  connection_.execute(sql);
  MYSQL* mysql = connection_.get();
  // "Rows matched: 3  Changed: 2  Warnings: 0": an UPDATE's affected rows
  // are only those it changed.
  if (const char* info = mysql_info(mysql)) {
    std::string_view text(info);
    constexpr std::string_view kMatched = "Rows matched: ";
    if (text.starts_with(kMatched)) return std::strtoull(info + kMatched.size(), nullptr, 10);
  }
  my_ulonglong affected = mysql_affected_rows(mysql);
  if (affected == static_cast<my_ulonglong>(-1)) return std::nullopt;
  return affected;
}

std::vector<std::vector<std::optional<std::string>>> MysqlSession::rows(const std::string& sql) {
  return connection_.query(sql);
}

void MysqlSession::execute_quietly(const std::string& sql) noexcept {
  MYSQL* mysql = connection_.get();
  const bool drop = sql.starts_with("DROP ");
  // A session of the pipe tier may still hold a lock on a shadow table.
  if (drop) mysql_query(mysql, "SET SESSION lock_wait_timeout = 30");
  bool done = mysql_real_query(mysql, sql.data(), sql.size()) == 0;
  unsigned code = mysql_errno(mysql);
  if (!done && drop && (code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST)) {
    // The load's session is gone (killed, or the network failed), and the
    // shadow table would stay behind: drop it over a new session.
    try {
      MysqlConnection fresh(connection_.settings(), MysqlConnection::Purpose::kWrite);
      fresh.execute("SET SESSION lock_wait_timeout = 30");
      fresh.execute(sql);
      done = true;
    } catch (...) {
    }
  }
  if (!done && drop) {
    try {
      log_warn("mysql.load.cleanup",
               fmt::format("could not run {} after a failed load ({}); drop the table by hand", sql,
                           connection_.error_text()));
    } catch (...) {
    }
  }
}

MysqlLoadPlan::MysqlLoadPlan(MysqlConnection& connection, const LoadRequest& request,
                             const TableSchema& incoming, bool rows_in_other_session,
                             const std::string* query)
    : connection_(connection), session_(connection) {
  const std::string database = resolve_database(connection, request.table);
  const size_t limit = dialect().max_identifier_bytes();
  TableInfo info = lookup_table(connection, database, request.table.name, true,
                                shadow_table_prefix(request.table.name, limit));
  const std::string label = fmt::format("{} on {}", info.display(), connection.settings().label());
  recover_leftovers(info);
  if (!info.exists && !info.related.empty())
    info = lookup_table(connection, database, request.table.name, true);
  target_data_types_.assign(incoming.columns.size(), "");
  if (info.exists && !request.full_refresh) {
    for (size_t i = 0; i < incoming.columns.size(); ++i) {
      if (const CatalogColumn* column = info.find(incoming.columns[i].name))
        target_data_types_[i] = column->data_type;
    }
  }
  LoadSteps steps =
      plan_load(info, request, incoming, rows_in_other_session, label, strategy_, query);
  runner_ = std::make_unique<LoadRunner>(session_, std::move(steps), label);
}

void MysqlLoadPlan::recover_leftovers(const TableInfo& info) {
  const size_t limit = dialect().max_identifier_bytes();
  bool restored = false;
  for (const std::string& name : info.related) {
    std::optional<DeadShadow> dead = dead_shadow(name, info.name, limit);
    if (!dead) continue;
    const std::string table = qualified(info.database, name);
    if (dead->role == "old" && !info.exists && !restored) {
      // Killed between the renames of a swap: the old table is the table's
      // last published contents.
      connection_.execute(
          fmt::format("RENAME TABLE {} TO {}", table, qualified(info.database, info.name)));
      restored = true;
      log_warn("mysql.recover",
               fmt::format("{}: restored table {} from {}, left by a load that was killed while "
                           "publishing",
                           info.display(), info.name, name));
      continue;
    }
    connection_.execute("DROP TABLE IF EXISTS " + table);
    log_info("mysql.cleanup", fmt::format("{}: dropped {}, left by a load that was killed (pid {})",
                                          info.display(), name, dead->pid));
  }
}

}  // namespace dvt::mysql
