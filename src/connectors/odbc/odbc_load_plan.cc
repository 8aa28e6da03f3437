#include "connectors/odbc/odbc_load_plan.h"

#include <unistd.h>

#include <fmt/format.h>

namespace dvt::odbc {

namespace {

// The name beside `table` (same schema) for the load's new or old copy.
std::string sibling(const Dialect& dialect, const TableRef& table, const char* role) {
  return dialect.qualify(TableRef{table.schema, fmt::format("dvt_{}_{}", role, ::getpid())});
}

std::vector<Statement> renames(const Dialect& dialect, const std::string& from,
                               const std::string& to, const std::string& old) {
  if (dialect.family() == "mysql") {
    // https://mariadb.com/kb/en/rename-table/: several renames in one
    // statement happen atomically.
    if (old.empty()) return {Statement(fmt::format("RENAME TABLE {} TO {}", from, to))};
    return {Statement(fmt::format("RENAME TABLE {} TO {}, {} TO {}", to, old, from, to))};
  }
  std::vector<Statement> out;
  if (!old.empty()) out.emplace_back(fmt::format("ALTER TABLE {} RENAME TO {}", to, old));
  out.emplace_back(fmt::format("ALTER TABLE {} RENAME TO {}", from, to));
  return out;
}

}  // namespace

LoadSteps plan_load(const Dialect& dialect, const LoadRequest& request, const TargetTable& target,
                    const TableSchema& incoming) {
  LoadSteps steps = TransactionalLoadPlan(dialect).plan(request, target, incoming);
  if (dialect.transactional_ddl()) return steps;
  const bool create = !target.exists || request.full_refresh;
  if (!create) {
    // The staging table's DROP would commit: it runs once the load is in.
    std::vector<Statement> apply;
    for (auto& statement : steps.apply) {
      if (statement.sql.starts_with("DROP TABLE ")) {
        steps.cleanup.push_back(std::move(statement));
      } else {
        apply.push_back(std::move(statement));
      }
    }
    steps.apply = std::move(apply);
    return steps;
  }
  // A new copy under another name, filled in one transaction and renamed
  // into place; the old copy is dropped after.
  TableRef ref = request.table;
  if (ref.schema.empty() && !target.schema.empty()) ref.schema = target.schema;
  const std::string fresh = sibling(dialect, ref, "new");
  const std::string old = target.exists ? sibling(dialect, ref, "old") : "";
  LoadSteps swap;
  if (!target.exists && !target.schema_exists && !target.schema.empty())
    swap.before.emplace_back(dialect.create_schema(target.schema));
  // A copy a killed load of the same pid left behind.
  swap.before.emplace_back("DROP TABLE IF EXISTS " + fresh);
  swap.before.emplace_back(dialect.create_table(fresh, incoming));
  swap.before.emplace_back(dialect.begin_transaction());
  swap.rows_into = fresh;
  for (auto check : steps.checks) {
    // The checks read the rows where they are: in the new copy.
    size_t at;
    while ((at = check.sql.find(target.qualified)) != std::string::npos)
      check.sql.replace(at, target.qualified.size(), fresh);
    swap.checks.push_back(std::move(check));
  }
  bool key_complete = !incoming.primary_key.empty();
  for (const auto& name : incoming.primary_key) key_complete &= incoming.find(name) >= 0;
  if (key_complete && dialect.primary_key_after_load())
    swap.apply.emplace_back(dialect.add_primary_key(fresh, incoming.primary_key));
  swap.publish.emplace_back(dialect.commit());
  for (auto& statement : renames(dialect, fresh, target.qualified, old))
    swap.publish.push_back(std::move(statement));
  if (!old.empty()) swap.cleanup.emplace_back(dialect.drop_table(old));
  swap.on_failure = {dialect.rollback(), dialect.drop_table(fresh)};
  swap.count_rule = steps.count_rule;
  swap.explanation = fmt::format(
      "{} DDL commits on its own: the rows fill a new table, which is renamed into place once "
      "they are in and checked{}",
      dialect.family(), target.exists ? " (the old table is dropped after)" : "");
  return swap;
}

}  // namespace dvt::odbc
