// The load contract, once for every database: what a load of each mode does
// to its target, as statements in the target's dialect.
//
//   overwrite (default)  created if missing; else kept (indexes, grants and
//                        comments survive), emptied and refilled
//   append               created if missing; rows added
//   merge                created if missing; rows whose unique key exists
//                        update that row, the others are inserted
//   delete+insert        created if missing; every row whose key appears in
//                        the incoming rows is deleted, then all are inserted
//   --full-refresh       dropped and created from the incoming columns
//
// Each is one atomic step: a transaction where DDL is transactional, else
// the database's swap (plans of their own for MySQL and ClickHouse). Merge
// and delete+insert load the rows into a staging table first, refuse rows
// that repeat a key or leave a key column NULL, and then change the target
// with set-based statements. A plan is pure data (tested by exact SQL); a
// LoadRunner (load_runner.h) carries it out on a session.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "connectors/dialect.h"

namespace dvt {

// What the target's catalog says before a load, in the terms every plan uses.
struct TargetColumn {
  std::string name;
  bool nullable = true;
  // A DEFAULT (or identity, auto-increment, sequence) fills it when a load
  // leaves it out.
  bool has_default = false;
  // Computed by the database: rows cannot set it.
  bool generated = false;
};

struct TargetTable {
  bool exists = false;
  bool schema_exists = true;
  std::string qualified;  // quoted name of the table (whether or not it exists)
  // The quoted (as the database needs it, qualified) name of its schema, for
  // CREATE SCHEMA when !schema_exists; "" when the database has none to create.
  std::string schema;
  std::string display;  // for messages: output:schema.table
  std::vector<TargetColumn> columns;
  std::vector<std::string> primary_key;

  // Index of the column called `name` in `dialect`'s comparison, or -1.
  int find(const Dialect& dialect, const std::string& name) const;
};

// A statement of a plan, and which row count it reports, if any. A
// generating statement is a query whose rows (first column) are the
// statements to run, for steps that depend on what the load wrote (the
// partitions a ClickHouse append attaches).
struct Statement {
  enum class Counts { kNone, kInserted, kUpdated, kDeleted };
  std::string sql;
  Counts counts = Counts::kNone;
  bool generates = false;

  Statement(std::string text, Counts kind = Counts::kNone) : sql(std::move(text)), counts(kind) {}
  static Statement generating(std::string query) {
    Statement statement(std::move(query));
    statement.generates = true;
    return statement;
  }
  bool operator==(const Statement&) const = default;
};

// A query over the loaded rows that must return no row; `failure` is the
// message, to which the first row's values are added.
struct Check {
  std::string sql;
  std::string failure;
  bool operator==(const Check&) const = default;
};

// Which counts of a plan's statements must add up to the rows loaded.
enum class CountRule {
  kNone,                 // the bulk path's own count is the load's
  kInserted,             // the inserts moved every loaded row
  kInsertedPlusUpdated,  // every loaded row was either inserted or updated
};

struct LoadSteps {
  std::vector<Statement> before;  // before the first row (opens the transaction)
  std::string rows_into;          // the quoted table the bulk path fills
  std::vector<Check> checks;      // once every row is in
  // Moves the loaded rows where they belong (UPDATE, INSERT ... SELECT,
  // DELETE, index builds): still undone by on_failure.
  std::vector<Statement> apply;
  // Makes the load the target's, once `apply` counted right (COMMIT, or
  // the swap).
  std::vector<Statement> publish;
  // After the load is published; a failure here leaves the new rows in
  // place and is reported as a warning (e.g. dropping the old copy).
  std::vector<Statement> cleanup;
  std::vector<Statement> on_failure;  // undoes `before` (ROLLBACK, DROP staging), quietly
  CountRule count_rule = CountRule::kNone;
  std::string explanation;  // one sentence for the log: how atomicity is kept

  bool operator==(const LoadSteps&) const = default;
};

// The unique key a merge or delete+insert into `target` matches rows by:
// the request's, else the target's primary key, else (for a new table) the
// incoming one. Throws ConfigError when there is none, or a key column is not
// among the incoming columns.
std::vector<std::string> resolve_unique_key(const LoadRequest& request, const TargetTable& target,
                                            const TableSchema& incoming, const Dialect& dialect);

// Throws before any row moves when the incoming columns cannot land in the
// target: DataError for a column the table lacks (suggesting
// --full-refresh), a generated column among them, or a column the table
// requires (NOT NULL with no default) that they lack; ConfigError for a
// table or column name longer than the dialect keeps.
void check_incoming_columns(const LoadRequest& request, const TargetTable& target,
                            const TableSchema& incoming, const Dialect& dialect);

// The plan of a database whose DDL is transactional (PostgreSQL, SQLite,
// DuckDB, and ODBC targets that are): everything in one transaction.
class TransactionalLoadPlan {
 public:
  explicit TransactionalLoadPlan(const Dialect& dialect) : dialect_(dialect) {}
  virtual ~TransactionalLoadPlan() = default;

  // REQUIRES: check_incoming_columns() passed for the same arguments.
  // `query`, when set, is the SQL the rows come from (in this database):
  // a new table then takes its exact types (Dialect::create_table_as).
  LoadSteps plan(const LoadRequest& request, const TargetTable& target, const TableSchema& incoming,
                 const std::string* query = nullptr) const;

  // The statements that empty an existing target for an overwrite, and
  // those to run once the new rows are in.
  struct Emptying {
    std::vector<std::string> before;
    std::vector<std::string> after;
  };

 protected:
  // By default one TRUNCATE (the dialect's).
  virtual Emptying empty_target(const TargetTable& target) const;

  const Dialect& dialect_;
};

// The staging table name of a load by this process into `table` (plain,
// unquoted): `dvt_stage_<pid>`.
std::string staging_base_name();

const char* load_mode_name(LoadMode mode);
// Throws ConfigError for an unknown name.
LoadMode parse_load_mode(const std::string& name);

}  // namespace dvt
