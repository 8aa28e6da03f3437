// One source database for the source-state tests, behind one interface, so
// that one specification runs on PostgreSQL, MySQL/MariaDB and ClickHouse
// (each through both tiers), SQLite and DuckDB. Tables are described in
// neutral types ("int", "bigint", "text") that each database spells its own
// way; statements that differ between databases (UPDATE and DELETE are
// mutations in ClickHouse, SQLite cannot change a column's type) are methods.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/embedded.h"
#include "support/run_dvt.h"

namespace dvt::test {

struct TestColumn {
  std::string name;
  std::string type;  // "int", "bigint" or "text"
  bool key = false;  // part of the primary key (NOT NULL); other columns are nullable
};

class StateSource {
 public:
  // `backend`: "postgres_native", "postgres_pipe", "mysql_native", "mysql_pipe",
  // "clickhouse_native", "clickhouse_pipe", "sqlite" or "duckdb".
  static std::unique_ptr<StateSource> make(const std::string& backend);
  virtual ~StateSource() = default;

  // Runs statements written for this database, on its tables (table_sql()).
  virtual void exec(const std::string& sql) = 0;
  // The name `table` has in statements.
  virtual std::string table_sql(const std::string& table) const = 0;
  // The endpoint dvt reads `table` through.
  virtual std::string endpoint(const std::string& table) const = 0;
  // The source's catalog spelling of a neutral type (the schema messages
  // name it so).
  virtual std::string spelling(const std::string& type, bool nullable) const = 0;

  void create_table(const std::string& table, const std::vector<TestColumn>& columns);
  // `rows`: SQL tuples, "(1, 'a', NULL)".
  void insert(const std::string& table, const std::vector<std::string>& rows);
  // Sets `assignments` on the rows `where` selects, and waits until it is visible.
  virtual void update(const std::string& table, const std::string& assignments,
                      const std::string& where);
  virtual void remove(const std::string& table, const std::string& where);
  void add_column(const std::string& table, const TestColumn& column);
  virtual void change_type(const std::string& table, const std::string& column,
                           const std::string& type);

  // dvt extract of `table` into staging() as `name` (default: the table's
  // name) with this source's tier, then `args`.
  DvtRun extract(const std::string& table, const std::vector<std::string>& args = {},
                 const DvtRunOptions& options = {}, const std::string& name = "") const;
  // Waits until a change just made can be told apart from the next one by
  // the source's fingerprint (MySQL's UPDATE_TIME counts whole seconds).
  virtual void settle() const {}
  const std::string& staging() const { return staging_.path(); }
  // <staging>/<name>.parquet, <staging>/_state/<name>.state.json, ...
  std::string staging_file(const std::string& name) const;
  std::string state_file(const std::string& name) const;
  std::string hashes_file(const std::string& name) const;

 protected:
  StateSource(std::string profiles_dir, std::string tier)
      : profiles_dir_(std::move(profiles_dir)), tier_(std::move(tier)) {}
  // The column's definition in CREATE TABLE / ADD COLUMN.
  virtual std::string definition(const TestColumn& column) const;
  virtual std::string create_sql(const std::string& table,
                                 const std::vector<TestColumn>& columns) const;

  std::map<std::string, std::vector<TestColumn>> tables_;

 private:
  std::string profiles_dir_;
  std::string tier_;  // empty: in-process
  TempDir staging_;
};

// Rows of the Parquet file `a` missing from `b` plus rows of `b` missing
// from `a`, value by value (EXCEPT ALL, so a repeated row counts), or -1
// when their columns differ in names or types. 0 means identical.
long differing_parquet_rows(const std::string& a, const std::string& b);

}  // namespace dvt::test
