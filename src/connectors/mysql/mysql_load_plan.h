// How a load keeps its promise that a failure leaves the target as it was,
// given that MySQL's TRUNCATE, CREATE, DROP and RENAME each commit on their
// own (docs/mysql.md#loading):
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
#pragma once

#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/mysql/mysql_catalog.h"
#include "connectors/mysql/mysql_connection.h"

namespace dvt::mysql {

enum class LoadStrategy { kSwap, kInPlace, kStagedCopy };

class MysqlLoadPlan {
 public:
  // Looks at the target and decides; changes nothing. Throws DataError when
  // the target cannot take the rows atomically (a view; a non-transactional
  // engine for append; an incoming column the target lacks).
  // `rows_in_other_session`: the rows are loaded by another connection.
  MysqlLoadPlan(MysqlConnection& connection, const LoadRequest& request,
                const TableSchema& incoming, bool rows_in_other_session);
  ~MysqlLoadPlan();
  MysqlLoadPlan(const MysqlLoadPlan&) = delete;
  MysqlLoadPlan& operator=(const MysqlLoadPlan&) = delete;

  // Creates the shadow table or starts the transaction.
  void begin();
  // The qualified, quoted table the rows go into.
  const std::string& load_table() const { return load_table_; }
  // Per incoming column: the DATA_TYPE of the column it lands in ("bit",
  // "year", ...), or "" when the table is created from the incoming columns.
  const std::vector<std::string>& target_data_types() const { return target_data_types_; }
  LoadStrategy strategy() const { return strategy_; }
  // One sentence on how atomicity is kept, for the log.
  const std::string& explanation() const { return explanation_; }

  // Makes the `rows` loaded rows the target's (RENAME swap, or COMMIT).
  // Throws DataError on failure; the target is then as it was.
  void finish(uint64_t rows);
  // Undoes begin(): ROLLBACK, DROP the shadow. Never throws.
  void abandon() noexcept;

 private:
  std::string create_from_incoming(const std::string& table) const;
  std::string shadow_name(const char* role) const;

  MysqlConnection& connection_;
  LoadRequest request_;
  TableSchema incoming_;
  TableInfo target_;
  std::string target_table_;  // quoted
  std::string load_table_;    // quoted
  std::string shadow_;        // quoted, or empty
  LoadStrategy strategy_ = LoadStrategy::kSwap;
  bool create_from_incoming_ = false;
  bool delete_first_ = false;
  bool in_transaction_ = false;
  bool began_ = false;
  bool finished_ = false;
  std::vector<std::string> target_data_types_;
  std::string explanation_;
  std::string token_;
};

}  // namespace dvt::mysql
