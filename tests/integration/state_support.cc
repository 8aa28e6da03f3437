#include "integration/state_support.h"

#include <unistd.h>
#include <atomic>

#include <chrono>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "engine/engine.h"
#include "integration/clickhouse_support.h"
#include "integration/mysql_support.h"
#include "integration/postgres_support.h"
#include "support/services.h"

namespace dvt::test {

namespace {

std::string column_list(const std::vector<TestColumn>& columns, bool keys) {
  std::string list;
  for (const auto& column : columns) {
    if (column.key != keys) continue;
    list += (list.empty() ? "" : ", ") + column.name;
  }
  return list;
}

class PostgresSource : public StateSource {
 public:
  explicit PostgresSource(const std::string& tier)
      : PostgresSource(std::make_unique<pgtest::PgTestSchema>("state"), tier) {}

  void exec(const std::string& sql) override { schema_->db().exec(sql); }
  std::string table_sql(const std::string& table) const override {
    return schema_->name() + "." + table;
  }
  std::string endpoint(const std::string& table) const override { return schema_->endpoint(table); }
  std::string spelling(const std::string& type, bool /*nullable*/) const override {
    return type == "int" ? "integer" : type;
  }
  void change_type(const std::string& table, const std::string& column,
                   const std::string& type) override {
    exec(fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {}", table_sql(table), column,
                     spelling(type, true)));
  }

 private:
  PostgresSource(std::unique_ptr<pgtest::PgTestSchema> schema, const std::string& tier)
      : StateSource(schema->dir(), tier), schema_(std::move(schema)) {}
  std::unique_ptr<pgtest::PgTestSchema> schema_;
};

// Tables of each source object by a name of their own: one test process
// may run every test, and MySQL keeps what an earlier one created.
int next_source_number() {
  static std::atomic<int> number{0};
  return ++number;
}

class MysqlSource : public StateSource {
 public:
  explicit MysqlSource(const std::string& tier) : MysqlSource(std::make_unique<TempDir>(), tier) {}

  void exec(const std::string& sql) override { db_.exec(sql); }
  std::string table_sql(const std::string& table) const override {
    return fmt::format("`{}{}`", prefix_, table);
  }
  std::string endpoint(const std::string& table) const override {
    return fmt::format("my:{}{}", prefix_, table);
  }
  std::string spelling(const std::string& type, bool /*nullable*/) const override {
    if (type == "int") return "int(11)";
    if (type == "bigint") return "bigint(20)";
    return "text";
  }
  void change_type(const std::string& table, const std::string& column,
                   const std::string& type) override {
    exec(fmt::format("ALTER TABLE {} MODIFY {} {}", table_sql(table), column,
                     base_type(type, false)));
  }
  void settle() const override { std::this_thread::sleep_for(std::chrono::milliseconds(1100)); }

 protected:
  std::string definition(const TestColumn& column) const override {
    return column.name + " " + base_type(column.type, column.key) +
           (column.key ? " NOT NULL" : " NULL");
  }

 private:
  MysqlSource(std::unique_ptr<TempDir> dir, const std::string& tier)
      : StateSource(dir->path(), tier),
        dir_(std::move(dir)),
        prefix_(fmt::format("st{}_{}_", ::getpid(), next_source_number())) {
    write_mysql_profiles(dir_->path());
  }
  static std::string base_type(const std::string& type, bool key) {
    if (type == "int") return "INT";
    if (type == "bigint") return "BIGINT";
    return key ? "VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" : "TEXT";
  }

  std::unique_ptr<TempDir> dir_;
  std::string prefix_;
  MysqlTestConnection db_;
};

class ClickHouseSource : public StateSource {
 public:
  explicit ClickHouseSource(const std::string& tier)
      : ClickHouseSource(std::make_unique<chtest::ChTestDatabase>("state"), tier) {}

  void exec(const std::string& sql) override { database_->db().exec(sql); }
  std::string table_sql(const std::string& table) const override { return database_->table(table); }
  std::string endpoint(const std::string& table) const override {
    return database_->endpoint(table);
  }
  std::string spelling(const std::string& type, bool nullable) const override {
    std::string base = type == "int" ? "Int32" : type == "bigint" ? "Int64" : "String";
    return nullable ? "Nullable(" + base + ")" : base;
  }
  // Mutations run in the background: wait until the server is done.
  void update(const std::string& table, const std::string& assignments,
              const std::string& where) override {
    exec(fmt::format("ALTER TABLE {} UPDATE {} WHERE {}", table_sql(table), assignments, where));
    wait_for_mutations(table);
  }
  void remove(const std::string& table, const std::string& where) override {
    exec(fmt::format("ALTER TABLE {} DELETE WHERE {}", table_sql(table), where));
    wait_for_mutations(table);
  }
  void change_type(const std::string& table, const std::string& column,
                   const std::string& type) override {
    exec(fmt::format("ALTER TABLE {} MODIFY COLUMN {} {}", table_sql(table), column,
                     spelling(type, true)));
    wait_for_mutations(table);
  }

 protected:
  std::string definition(const TestColumn& column) const override {
    return column.name + " " + spelling(column.type, !column.key);
  }
  std::string create_sql(const std::string& table,
                         const std::vector<TestColumn>& columns) const override {
    std::string definitions;
    for (const auto& column : columns)
      definitions += (definitions.empty() ? "" : ", ") + definition(column);
    std::string key = column_list(columns, true);
    return fmt::format("CREATE TABLE {} ({}) ENGINE = MergeTree ORDER BY {}", table_sql(table),
                       definitions, key.empty() ? "tuple()" : "(" + key + ")");
  }

 private:
  ClickHouseSource(std::unique_ptr<chtest::ChTestDatabase> database, const std::string& tier)
      : StateSource(database->dir(), tier), database_(std::move(database)) {}

  void wait_for_mutations(const std::string& table) {
    for (int attempt = 0; attempt < 600; ++attempt) {
      if (database_->db().value(fmt::format(
              "SELECT toString(count()) FROM system.mutations WHERE database = '{}' AND table = "
              "'{}' AND is_done = 0",
              database_->name(), table)) == "0") {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("ClickHouse mutation on " + table + " did not finish in 30 s");
  }

  std::unique_ptr<chtest::ChTestDatabase> database_;
};

// SQLite and DuckDB files, with the output `src`.
class FileSource : public StateSource {
 public:
  FileSource(std::unique_ptr<TempDir> dir, std::string type)
      : StateSource(dir->path(), ""), dir_(std::move(dir)), type_(std::move(type)) {
    path_ = dir_->file(type_ == "sqlite" ? "source.db" : "source.duckdb");
    write_profiles(dir_->path(),
                   fmt::format("test:\n  target: src\n  outputs:\n    src:\n      type: {}\n      "
                               "path: {}\n",
                               type_, path_));
    if (type_ == "sqlite") sqlite_exec(path_, "PRAGMA user_version = 1");
  }

  void exec(const std::string& sql) override {
    if (type_ == "sqlite") {
      sqlite_exec(path_, sql);
      return;
    }
    // Attached only while the statements run: dvt opens the file itself.
    Engine engine;
    engine.execute(fmt::format("ATTACH '{}' AS src; USE src", path_));
    engine.execute(sql);
  }
  std::string table_sql(const std::string& table) const override { return table; }
  std::string endpoint(const std::string& table) const override { return "src:" + table; }
  std::string spelling(const std::string& type, bool /*nullable*/) const override {
    if (type_ == "sqlite") return type == "int" ? "INTEGER" : type == "bigint" ? "BIGINT" : "TEXT";
    return type == "int" ? "INTEGER" : type == "bigint" ? "BIGINT" : "VARCHAR";
  }
  void change_type(const std::string& table, const std::string& column,
                   const std::string& type) override {
    if (type_ == "duckdb") {
      exec(fmt::format("ALTER TABLE {} ALTER {} TYPE {}", table, column, spelling(type, true)));
      return;
    }
    // SQLite changes a column's type by rebuilding its table.
    std::vector<TestColumn> columns = tables_.at(table);
    for (auto& found : columns)
      if (found.name == column) found.type = type;
    exec(fmt::format(
        "ALTER TABLE {0} RENAME TO {0}_old; {1}; INSERT INTO {0} SELECT * FROM {0}_old; "
        "DROP TABLE {0}_old",
        table, create_sql(table, columns)));
    tables_[table] = columns;
  }

 private:
  std::unique_ptr<TempDir> dir_;
  std::string type_;
  std::string path_;
};

}  // namespace

std::unique_ptr<StateSource> StateSource::make(const std::string& backend) {
  if (backend == "postgres_native") return std::make_unique<PostgresSource>("native");
  if (backend == "postgres_pipe") return std::make_unique<PostgresSource>("pipe");
  if (backend == "mysql_native") return std::make_unique<MysqlSource>("native");
  if (backend == "mysql_pipe") return std::make_unique<MysqlSource>("pipe");
  if (backend == "clickhouse_native") return std::make_unique<ClickHouseSource>("native");
  if (backend == "clickhouse_pipe") return std::make_unique<ClickHouseSource>("pipe");
  if (backend == "sqlite" || backend == "duckdb")
    return std::make_unique<FileSource>(std::make_unique<TempDir>(), backend);
  throw std::runtime_error("unknown backend " + backend);
}

std::string StateSource::definition(const TestColumn& column) const {
  return column.name + " " + spelling(column.type, !column.key) + (column.key ? " NOT NULL" : "");
}

std::string StateSource::create_sql(const std::string& table,
                                    const std::vector<TestColumn>& columns) const {
  std::string definitions;
  for (const auto& column : columns)
    definitions += (definitions.empty() ? "" : ", ") + definition(column);
  std::string key = column_list(columns, true);
  if (!key.empty()) definitions += ", PRIMARY KEY (" + key + ")";
  return fmt::format("CREATE TABLE {} ({})", table_sql(table), definitions);
}

void StateSource::create_table(const std::string& table, const std::vector<TestColumn>& columns) {
  exec(create_sql(table, columns));
  tables_[table] = columns;
}

void StateSource::insert(const std::string& table, const std::vector<std::string>& rows) {
  // A few thousand rows a statement keeps ClickHouse's query under its size limit.
  for (size_t start = 0; start < rows.size(); start += 2000) {
    std::string values;
    for (size_t i = start; i < rows.size() && i < start + 2000; ++i)
      values += (values.empty() ? "" : ", ") + rows[i];
    exec(fmt::format("INSERT INTO {} VALUES {}", table_sql(table), values));
  }
}

void StateSource::update(const std::string& table, const std::string& assignments,
                         const std::string& where) {
  exec(fmt::format("UPDATE {} SET {} WHERE {}", table_sql(table), assignments, where));
}

void StateSource::remove(const std::string& table, const std::string& where) {
  exec(fmt::format("DELETE FROM {} WHERE {}", table_sql(table), where));
}

void StateSource::add_column(const std::string& table, const TestColumn& column) {
  exec(fmt::format("ALTER TABLE {} ADD COLUMN {}", table_sql(table), definition(column)));
  tables_[table].push_back(column);
}

void StateSource::change_type(const std::string&, const std::string&, const std::string&) {
  throw std::runtime_error("change_type: not for this database");
}

DvtRun StateSource::extract(const std::string& table, const std::vector<std::string>& args,
                            const DvtRunOptions& options, const std::string& name) const {
  std::vector<std::string> command = {"--profiles-dir", profiles_dir_, "extract",
                                      endpoint(table),  "--name",      name.empty() ? table : name,
                                      "--staging-dir",  staging()};
  if (!tier_.empty()) command.insert(command.end(), {"--method", tier_});
  command.insert(command.end(), args.begin(), args.end());
  return run_dvt(command, options);
}

std::string StateSource::staging_file(const std::string& name) const {
  return staging_.file(name + ".parquet");
}

std::string StateSource::state_file(const std::string& name) const {
  return staging_.file("_state/" + name + ".state.json");
}

std::string StateSource::hashes_file(const std::string& name) const {
  return staging_.file("_state/" + name + ".hashes.parquet");
}

long differing_parquet_rows(const std::string& a, const std::string& b) {
  auto columns = [](const std::string& file) {
    return duck_query(fmt::format(
        "SELECT string_agg(column_name || ' ' || column_type, ', ' ORDER BY column_name), "
        "string_agg('\"' || replace(column_name, '\"', '\"\"') || '\"', ', ' ORDER BY "
        "column_name) FROM (DESCRIBE SELECT * FROM '{}')",
        file));
  };
  Rows left = columns(a);
  if (left != columns(b)) return -1;
  const std::string list = left.at(0).at(1).value_or("*");
  Rows rows = duck_query(fmt::format(
      "SELECT (SELECT count(*) FROM (SELECT {2} FROM '{0}' EXCEPT ALL SELECT {2} FROM '{1}')) + "
      "(SELECT count(*) FROM (SELECT {2} FROM '{1}' EXCEPT ALL SELECT {2} FROM '{0}'))",
      a, b, list));
  return std::stol(rows.at(0).at(0).value_or("-1"));
}

}  // namespace dvt::test
