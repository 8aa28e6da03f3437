// How a load into ClickHouse keeps the load contract (load_plan.h) without
// transactions: every load's rows go into a staging table of its own
// (`<table>__dvt_tmp_<host>_<pid>`, shadow_tables.h) and are published only
// after the server has confirmed every row:
//
//  * overwrite, existing table: staging is `CREATE TABLE ... AS` the target
//    (same columns, engine, ORDER BY, settings); publishing swaps the two,
//    with EXCHANGE TABLES on an Atomic database (one atomic step), else with
//    `RENAME TABLE t TO old, staging TO t` (two renames: a reader in between
//    may find no table for an instant, never a partial one; a failure between
//    them renames the old table back), and drops the old contents;
//  * --full-refresh, or no table yet: staging is created from the incoming
//    columns (MergeTree, ORDER BY the primary key when known, else tuple())
//    and swapped or renamed in the same way;
//  * append: staging is `AS` the target; publishing attaches its partitions
//    to the target (ATTACH PARTITION ... FROM, atomic per partition) or, for
//    engines without partitions, copies its rows inside the server;
//  * merge and delete+insert: staging is `AS` the target; repeated and NULL
//    keys are refused; a second table `<table>__dvt_new_<host>_<pid>`, `AS`
//    the target, gets the target's rows whose keys are not incoming plus the
//    incoming rows (for merge, columns the rows lack keep the matched row's
//    values), and is swapped in as above. This rewrites the table: its cost
//    grows with the table, not with the rows loaded.
#pragma once

#include <string>
#include <vector>

#include "connectors/clickhouse/ch_catalog.h"
#include "connectors/clickhouse/ch_dialect.h"
#include "connectors/clickhouse/ch_session.h"
#include "connectors/load_plan.h"
#include "connectors/load_runner.h"

namespace dvt::ch {

// The load contract's view of a ClickHouse table.
TargetTable target_table(const TableInfo& info, const std::string& label);

// The steps of a load into `info`'s table (pure: tested by exact SQL).
// `created_columns` are the column declarations a table created from the
// incoming columns gets (used for --full-refresh and a missing table).
// REQUIRES: check_incoming_columns() passed.
// `query`, when set, is the SQL (run in the server) the rows come from: a
// new table then takes its exact types.
LoadSteps plan_load(const TableInfo& info, const LoadRequest& request, const TableSchema& incoming,
                    const std::vector<std::string>& created_columns, const std::string& label,
                    const std::string* query = nullptr);

// Drops the staging tables of killed loads of `info`'s table from this
// machine (info.related, from lookup_table with shadow_table_prefix), or
// renames an old copy back when a kill between two renames left the table
// missing; then `info` is looked up again if that changed it.
void recover_leftovers(ChSession& session, TableInfo& info, const std::string& label);

// The name of this process's staging table for a load of `table`.
std::string staging_table_name(const std::string& table);

// A load plan's statements on a ClickHouse session. DDL runs with the
// server's DDL settings; undoing runs even after Ctrl-C. Row counts are not
// reported (nullopt).
class ChSqlSession : public SqlSession {
 public:
  ChSqlSession(ChSession& session, const ServerInfo& server) : session_(session), server_(server) {}
  std::optional<uint64_t> execute(const std::string& sql) override;
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) override;
  void execute_quietly(const std::string& sql) noexcept override;

 private:
  ChSession& session_;
  const ServerInfo& server_;
};

}  // namespace dvt::ch
