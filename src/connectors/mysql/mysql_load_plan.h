// How a load into MySQL keeps the load contract (load_plan.h), given that
// MySQL's TRUNCATE, CREATE, DROP and RENAME each commit on their own
// (docs/mysql.md#loading). The plan is one of:
//
//  * kSwap: rows go into a new shadow table (CREATE TABLE ... LIKE the target,
//    or from the incoming columns for --full-refresh or a missing target);
//    once every row is in and checked, one RENAME TABLE swaps it in
//    atomically and the old table is dropped. Used for overwrite and
//    --full-refresh. Keeps the target's columns, indexes, defaults, engine,
//    partitioning and its grants (privileges are kept by name); loses its
//    triggers and foreign keys, so tables with either use kInPlace instead.
//  * kInPlace: one InnoDB transaction on the target: DELETE (overwrite) and
//    the load, then COMMIT. Used for append, and for overwrite of a table
//    with triggers or foreign keys (whose triggers then fire per row).
//  * kStagedCopy: what kInPlace does when the rows arrive through another
//    session (the pipe tier's CLI): they go into a shadow LIKE the target,
//    then one transaction runs DELETE (overwrite) + INSERT ... SELECT.
//  * kStagedMerge: merge and delete+insert. Rows go into a staging table
//    with the incoming columns and no keys (TEMPORARY when the rows arrive
//    on the plan's own session, a shadow table otherwise); repeated and
//    NULL keys are refused; then one transaction runs UPDATE ... JOIN +
//    INSERT of the new keys (merge) or DELETE ... JOIN + INSERT (delete+insert).
//
// Shadow tables are named <table>__dvt_<role>_<host>_<pid> (shadow_tables.h):
// a load first drops those of killed loads from this machine, and puts back
// an old copy a load killed between its two renames left.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/load_plan.h"
#include "connectors/load_runner.h"
#include "connectors/mysql/mysql_catalog.h"
#include "connectors/mysql/mysql_connection.h"

namespace dvt::mysql {

enum class LoadStrategy { kSwap, kInPlace, kStagedCopy, kStagedMerge };

// The load contract's view of a MySQL table.
TargetTable target_table(const TableInfo& info, const std::string& label);

// The steps of a load into the table `info` describes (pure: tested by exact
// SQL). `rows_in_other_session`: the rows are loaded by another connection.
// Sets `strategy`. Throws DataError when the target cannot take the rows
// atomically (a view; a non-transactional engine for append, merge or
// delete+insert), and what check_incoming_columns throws.
// `query`, when set, is the SQL (run in this database) the rows come from:
// a new table then takes its exact types.
LoadSteps plan_load(const TableInfo& info, const LoadRequest& request, const TableSchema& incoming,
                    bool rows_in_other_session, const std::string& label, LoadStrategy& strategy,
                    const std::string* query = nullptr);

// A load plan's statements on a MySQL connection. An UPDATE counts the rows
// it matched (not only those it changed). Undoing over a connection the
// server dropped goes through a new one, so a shadow table does not stay.
class MysqlSession : public SqlSession {
 public:
  explicit MysqlSession(MysqlConnection& connection) : connection_(connection) {}
  std::optional<uint64_t> execute(const std::string& sql) override;
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) override;
  void execute_quietly(const std::string& sql) noexcept override;

 private:
  MysqlConnection& connection_;
};

class MysqlLoadPlan {
 public:
  // Looks at the target (and drops what killed loads left), and plans;
  // changes the target in nothing. Throws as plan_load.
  MysqlLoadPlan(MysqlConnection& connection, const LoadRequest& request,
                const TableSchema& incoming, bool rows_in_other_session,
                const std::string* query = nullptr);
  MysqlLoadPlan(const MysqlLoadPlan&) = delete;
  MysqlLoadPlan& operator=(const MysqlLoadPlan&) = delete;

  // Creates the shadow table or starts the transaction.
  void begin() { runner_->begin(); }
  // The qualified, quoted table the rows go into.
  const std::string& load_table() const { return runner_->rows_into(); }
  // Per incoming column: the DATA_TYPE of the column it lands in ("bit",
  // "year", ...), or "" when the table is created from the incoming columns.
  const std::vector<std::string>& target_data_types() const { return target_data_types_; }
  LoadStrategy strategy() const { return strategy_; }
  // One sentence on how atomicity is kept, for the log.
  const std::string& explanation() const { return runner_->steps().explanation; }

  // Makes the `rows` loaded rows the target's. Throws DataError on failure;
  // the target is then as it was.
  TableChanges finish(uint64_t rows) { return runner_->finish(rows); }
  // Undoes begin(). Never throws.
  void abandon() noexcept { runner_->abandon(); }

 private:
  void recover_leftovers(const TableInfo& info);

  MysqlConnection& connection_;
  MysqlSession session_;
  std::unique_ptr<LoadRunner> runner_;
  LoadStrategy strategy_ = LoadStrategy::kSwap;
  std::vector<std::string> target_data_types_;
};

}  // namespace dvt::mysql
