// The load contract, proved the same way for every database and tier: one
// specification (load_plan.h) run over each target, in the spirit of
// LevelDB's table_test Harness. A new connector (or tier) is one more
// Target; it passes when every test here passes for it.
//
// Everything goes through dvt itself: rows come from a DuckDB file (whose
// tables carry primary keys), land in the target with `dvt copy`, and are
// read back with `dvt copy` into Parquet, compared in DuckDB as text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "integration/clickhouse_support.h"
#include "integration/mysql_support.h"
#include "integration/postgres_support.h"
#include "support/embedded.h"
#include "support/run_dvt.h"
#include "support/services.h"

namespace dvt::test {
namespace {

// One database and tier loads go into.
class Target {
 public:
  virtual ~Target() = default;
  // The profiles.yml output block (indented under "outputs:") named `t`.
  virtual std::string output_yaml() = 0;
  // The table part of an endpoint for a table called `name`.
  virtual std::string table(const std::string& name) const = 0;
  // Whether the database reports how many rows a merge updated and inserted.
  virtual bool reports_counts() const { return true; }
  // Holds what parallel tests of this database must not change meanwhile.
  virtual std::shared_ptr<void> lock() { return nullptr; }
};

class PostgresTarget : public Target {
 public:
  PostgresTarget() : schema_(fmt::format("dvt_conformance_{}", ::getpid())) {
    db_.exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema_));
  }
  ~PostgresTarget() override {
    try {
      db_.exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", schema_));
    } catch (...) {
    }
  }
  std::string output_yaml() override {
    ServerEnv env = pgtest::pg_env();
    return fmt::format(
        "    t:\n      type: postgres\n      host: {}\n      port: {}\n      user: {}\n"
        "      password: \"{}\"\n      dbname: {}\n      schema: {}\n",
        env.host, env.port, env.user, env.password, env.database, schema_);
  }
  std::string table(const std::string& name) const override { return schema_ + "." + name; }

 private:
  pgtest::PgTestConnection db_;
  std::string schema_;
};

class MysqlTarget : public Target {
 public:
  MysqlTarget() : prefix_(fmt::format("conf{}_", ::getpid())) {}
  ~MysqlTarget() override {
    try {
      for (const auto& row : db_.query(fmt::format(
               "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
               "AND TABLE_NAME LIKE '{}%'",
               prefix_)))
        db_.exec("DROP TABLE IF EXISTS `" + row[0].value_or("") + "`");
    } catch (...) {
    }
  }
  std::string output_yaml() override {
    MysqlServer server = mysql_server();
    return fmt::format(
        "    t:\n      type: mysql\n      host: {}\n      port: {}\n      user: {}\n"
        "      password: \"{}\"\n      database: {}\n",
        server.host, server.port, server.user, server.password, server.database);
  }
  std::string table(const std::string& name) const override { return prefix_ + name; }
  // Loads hold the lock under which other tests switch local_infile off.
  std::shared_ptr<void> lock() override { return std::make_shared<LocalInfileLock>(); }

 private:
  MysqlTestConnection db_;
  std::string prefix_;
};

class ClickHouseTarget : public Target {
 public:
  ClickHouseTarget() : database_(fmt::format("dvt_conformance_{}", ::getpid())) {
    db_.exec("DROP DATABASE IF EXISTS " + database_);
    db_.exec("CREATE DATABASE " + database_);
  }
  ~ClickHouseTarget() override {
    try {
      db_.exec("DROP DATABASE IF EXISTS " + database_);
    } catch (...) {
    }
  }
  std::string output_yaml() override {
    const ServerEnv& env = db_.env();
    return fmt::format(
        "    t:\n      type: clickhouse\n      host: {}\n      port: {}\n      native_port: {}\n"
        "      user: {}\n      password: \"{}\"\n      database: {}\n",
        env.host, env.port, env.native_port, env.user, env.password, database_);
  }
  std::string table(const std::string& name) const override { return database_ + "." + name; }
  bool reports_counts() const override { return false; }

 private:
  chtest::ChTestConnection db_;
  std::string database_;
};

class FileTarget : public Target {
 public:
  FileTarget(std::string type, std::string path) : type_(std::move(type)), path_(std::move(path)) {}
  std::string output_yaml() override {
    return fmt::format("    t:\n      type: {}\n      path: {}\n", type_, path_);
  }
  std::string table(const std::string& name) const override { return name; }

 private:
  std::string type_;
  std::string path_;
};

struct Tier {
  const char* database;
  const char* method;
};

void PrintTo(const Tier& tier, std::ostream* out) {
  *out << tier.database << "/" << tier.method;
}

std::string tier_name(const ::testing::TestParamInfo<Tier>& info) {
  return std::string(info.param.database) + "_" + info.param.method;
}

class Conformance : public ::testing::TestWithParam<Tier> {
 protected:
  void SetUp() override {
    std::string database = GetParam().database;
    if (database == "postgres") {
      target_ = std::make_unique<PostgresTarget>();
    } else if (database == "mysql") {
      target_ = std::make_unique<MysqlTarget>();
    } else if (database == "clickhouse") {
      target_ = std::make_unique<ClickHouseTarget>();
    } else {
      target_ = std::make_unique<FileTarget>(database, dir_.file("target." + database));
    }
    write_profiles(dir_.path(), "test:\n  target: t\n  outputs:\n" + target_->output_yaml() +
                                    fmt::format("    src:\n      type: duckdb\n      path: {}\n",
                                                source_file()));
  }

  std::string source_file() const { return dir_.file("source.duckdb"); }

  // Runs SQL on the source DuckDB file.
  void source(const std::string& sql) {
    duck_query(fmt::format("ATTACH '{}' AS src; USE src; {}", source_file(), sql));
  }

  // The rows of a source table: (id PRIMARY KEY, name, amount DECIMAL(12,2)).
  void source_table(const std::string& name, const std::string& values) {
    source(fmt::format(
        "CREATE OR REPLACE TABLE {} (id INTEGER PRIMARY KEY, name VARCHAR, amount DECIMAL(12,2)); "
        "INSERT INTO {} VALUES {}",
        name, name, values));
  }

  DvtRun dvt(std::vector<std::string> args) {
    std::shared_ptr<void> held = target_->lock();
    std::vector<std::string> full = {"--profiles-dir", dir_.path()};
    full.insert(full.end(), args.begin(), args.end());
    if (args[0] == "copy" || args[0] == "load") {
      full.push_back("--method");
      full.push_back(GetParam().method);
    }
    return run_dvt(full, {.cwd = dir_.path()});
  }

  std::string endpoint(const std::string& table) const { return "t:" + target_->table(table); }

  // Loads source table `from` into target table `to`; expects success.
  DvtRun load(const std::string& from, const std::string& to, std::vector<std::string> flags) {
    std::vector<std::string> args = {"copy", "src:" + from, endpoint(to)};
    args.insert(args.end(), flags.begin(), flags.end());
    DvtRun run = dvt(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run;
  }

  // The target table's rows, ordered by `order`, every value as DuckDB's text.
  Rows contents(const std::string& table, const std::string& order = "id") {
    std::string file = dir_.file(table + ".read.parquet");
    std::shared_ptr<void> held = target_->lock();
    DvtRun run = run_dvt({"--profiles-dir", dir_.path(), "copy", endpoint(table), file},
                         {.cwd = dir_.path()});
    if (run.exit_code != 0) {
      ADD_FAILURE() << "reading " << table << ": " << run.err;
      return {};
    }
    return duck_query(fmt::format("SELECT * FROM read_parquet('{}') ORDER BY {}", file, order));
  }

  static Rows rows(std::vector<std::vector<std::optional<std::string>>> values) { return values; }

  // The seed every test starts from: three rows, id the primary key.
  void seed(const std::string& table) {
    source_table("seed", "(1, 'a', 10.00), (2, 'b', 20.00), (3, 'c', 30.00)");
    load("seed", table, {"--full-refresh"});
  }

  // The "target: ..." line of a merge's summary, or "" when none.
  static std::string changes_line(const DvtRun& run) {
    size_t at = run.out.find("  target: ");
    if (at == std::string::npos) return "";
    size_t end = run.out.find('\n', at);
    return run.out.substr(at + 10, end - at - 10);
  }

  TempDir dir_;
  std::unique_ptr<Target> target_;
};

const Rows kSeed = {{"1", "a", "10.00"}, {"2", "b", "20.00"}, {"3", "c", "30.00"}};

TEST_P(Conformance, EveryModeCreatesAMissingTable) {
  source_table("incoming", "(2, 'B', 21.50), (4, 'D', 40.00)");
  const Rows expected = {{"2", "B", "21.50"}, {"4", "D", "40.00"}};
  for (const char* mode : {"overwrite", "append", "merge", "delete+insert"}) {
    std::string table = std::string("new_") + (mode[0] == 'd' ? "delete_insert" : mode);
    load("incoming", table, {"--mode", mode});
    EXPECT_EQ(contents(table), expected) << mode;
  }
}

TEST_P(Conformance, OverwriteReplacesTheRowsOfTheSameTable) {
  seed("t1");
  source_table("incoming", "(2, 'B', 21.50), (4, 'D', 40.00)");
  load("incoming", "t1", {});
  EXPECT_EQ(contents("t1"), (Rows{{"2", "B", "21.50"}, {"4", "D", "40.00"}}));
  // The table survived with its key: a merge needs no --unique-key.
  source_table("again", "(4, 'DD', 41.00)");
  load("again", "t1", {"--mode", "merge"});
  EXPECT_EQ(contents("t1"), (Rows{{"2", "B", "21.50"}, {"4", "DD", "41.00"}}));
}

TEST_P(Conformance, AppendAddsTheRows) {
  seed("t1");
  source_table("incoming", "(4, 'D', 40.00), (5, NULL, NULL)");
  load("incoming", "t1", {"--mode", "append"});
  Rows expected = kSeed;
  expected.push_back({"4", "D", "40.00"});
  expected.push_back({"5", std::nullopt, std::nullopt});
  EXPECT_EQ(contents("t1"), expected);
}

TEST_P(Conformance, MergeUpdatesMatchingKeysAndInsertsTheRest) {
  seed("t1");
  source_table("incoming", "(2, 'B', 21.50), (4, 'D', 40.00), (3, NULL, 30.00)");
  DvtRun run = load("incoming", "t1", {"--mode", "merge"});
  EXPECT_EQ(contents("t1"), (Rows{{"1", "a", "10.00"},
                                  {"2", "B", "21.50"},
                                  {"3", std::nullopt, "30.00"},
                                  {"4", "D", "40.00"}}));
  EXPECT_EQ(changes_line(run), target_->reports_counts() ? "1 inserted, 2 updated" : "");
}

TEST_P(Conformance, DeleteInsertReplacesEveryRowWhoseKeyIsIncoming) {
  seed("t1");
  source_table("incoming", "(2, 'B', 21.50), (4, 'D', 40.00)");
  DvtRun run = load("incoming", "t1", {"--mode", "delete+insert", "--unique-key", "id"});
  EXPECT_EQ(
      contents("t1"),
      (Rows{{"1", "a", "10.00"}, {"2", "B", "21.50"}, {"3", "c", "30.00"}, {"4", "D", "40.00"}}));
  EXPECT_EQ(changes_line(run), target_->reports_counts() ? "2 inserted, 1 deleted" : "");
}

TEST_P(Conformance, MergeOfFewerColumnsKeepsTheOthers) {
  seed("t1");
  source(
      "CREATE TABLE names (id INTEGER PRIMARY KEY, name VARCHAR); "
      "INSERT INTO names VALUES (1, 'A'), (9, 'I')");
  load("names", "t1", {"--mode", "merge"});
  EXPECT_EQ(contents("t1"), (Rows{{"1", "A", "10.00"},
                                  {"2", "b", "20.00"},
                                  {"3", "c", "30.00"},
                                  {"9", "I", std::nullopt}}));
}

TEST_P(Conformance, MergeByACompositeKeyAcrossManyChunks) {
  // 6,000 rows (three chunks of 2,048): every third key changes, and 500
  // rows are new.
  source(
      "CREATE TABLE grid (region VARCHAR, n INTEGER, v VARCHAR, PRIMARY KEY (region, n)); "
      "INSERT INTO grid SELECT CASE WHEN i % 2 = 0 THEN 'north' ELSE 'süd''s' END, i, 'v' || i "
      "FROM range(6000) t(i); "
      "CREATE TABLE changes (region VARCHAR, n INTEGER, v VARCHAR, PRIMARY KEY (region, n)); "
      "INSERT INTO changes SELECT region, n, 'changed' || n FROM grid WHERE n % 3 = 0; "
      "INSERT INTO changes SELECT 'new', i, 'n' || i FROM range(500) t(i)");
  load("grid", "grid", {"--full-refresh"});
  DvtRun run = load("changes", "grid", {"--mode", "merge"});
  Rows expected = duck_query(fmt::format(
      "ATTACH '{}' AS src (READ_ONLY); "
      "SELECT region, CAST(n AS VARCHAR), v FROM (SELECT g.region, g.n, coalesce(c.v, g.v) AS v "
      "FROM src.grid g LEFT JOIN src.changes c USING (region, n) UNION ALL SELECT region, n, v "
      "FROM src.changes WHERE region = 'new') ORDER BY region, n",
      source_file()));
  ASSERT_EQ(expected.size(), 6500u);
  EXPECT_EQ(contents("grid", "region, n"), expected);
  EXPECT_EQ(changes_line(run), target_->reports_counts() ? "500 inserted, 2000 updated" : "");
}

TEST_P(Conformance, RepeatedIncomingKeysAreRefusedAndNothingChanges) {
  seed("t1");
  // DuckDB would refuse the repeat in a keyed table: the rows come from a query.
  for (const char* mode : {"merge", "delete+insert"}) {
    DvtRun run = dvt({"copy", "src", "--query",
                      "SELECT * FROM (VALUES (2, 'x', 1.00), (4, 'y', 2.00), (2, 'z', 3.00)) "
                      "AS v(id, name, amount)",
                      endpoint("t1"), "--mode", mode, "--unique-key", "id"});
    EXPECT_EQ(run.exit_code, 1) << mode << ": " << run.out;
    EXPECT_NE(run.err.find("incoming rows repeat the unique key (id): ('2', '2')"),
              std::string::npos)
        << run.err;
    EXPECT_EQ(contents("t1"), kSeed) << mode;
  }
}

TEST_P(Conformance, ANullKeyIsRefusedAndNothingChanges) {
  seed("t1");
  DvtRun run = dvt({"copy", "src", "--query",
                    "SELECT * FROM (VALUES (CAST(NULL AS INTEGER), 'x', CAST(1 AS DECIMAL(12,2))))"
                    " AS v(id, name, amount)",
                    endpoint("t1"), "--mode", "merge", "--unique-key", "id"});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  // Said by the plan's check, or, where the key column cannot hold a NULL
  // at all, by the encoder (ClickHouse) or the server (MySQL).
  EXPECT_TRUE(run.err.find("NULL in the unique key (id)") != std::string::npos ||
              run.err.find("column \"id\": NULL in a ClickHouse column that is not Nullable") !=
                  std::string::npos ||
              run.err.find("NULL supplied to NOT NULL column 'id'") != std::string::npos)
      << run.err;
  EXPECT_EQ(contents("t1"), kSeed);
}

TEST_P(Conformance, MergeWithoutAnyKeyIsAUsageError) {
  source("CREATE TABLE keyless AS SELECT 1 AS id, 'a' AS name");
  DvtRun run = dvt({"copy", "src:keyless", endpoint("nokey"), "--mode", "merge"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--unique-key"), std::string::npos) << run.err;
}

TEST_P(Conformance, AFailureInTheLastBatchLeavesThePreviousContents) {
  seed("t1");
  source(
      "CREATE TABLE big AS SELECT CAST(i AS INTEGER) AS id, 'n' || i AS name, "
      "CAST(i AS DECIMAL(12,2)) AS amount FROM range(1, 7001) t(i)");
  for (const char* mode : {"overwrite", "append", "merge", "delete+insert"}) {
    // The error is raised while the engine produces the last rows, after
    // the first chunks reached the target.
    std::vector<std::string> args = {"copy",
                                     "src",
                                     "--query",
                                     "SELECT id + 100 AS id, name, CASE WHEN id < 7000 THEN "
                                     "amount ELSE error('the last row is bad') END AS amount "
                                     "FROM big",
                                     endpoint("t1"),
                                     "--mode",
                                     mode};
    if (mode[0] == 'm' || mode[0] == 'd') args.insert(args.end(), {"--unique-key", "id"});
    DvtRun run = dvt(args);
    EXPECT_EQ(run.exit_code, 1) << mode << ": " << run.out;
    EXPECT_NE(run.err.find("the last row is bad"), std::string::npos) << run.err;
    EXPECT_EQ(contents("t1"), kSeed) << mode;
  }
}

TEST_P(Conformance, AColumnTheTargetRequiresIsRefusedNamingIt) {
  source(
      "CREATE TABLE coded (id INTEGER PRIMARY KEY, code VARCHAR NOT NULL, name VARCHAR); "
      "INSERT INTO coded VALUES (1, 'x', 'a'); "
      "CREATE TABLE uncoded (id INTEGER PRIMARY KEY, name VARCHAR); "
      "INSERT INTO uncoded VALUES (2, 'b')");
  load("coded", "coded", {"--full-refresh"});
  for (const char* mode : {"overwrite", "append", "merge"}) {
    DvtRun run = dvt({"copy", "src:uncoded", endpoint("coded"), "--mode", mode});
    EXPECT_EQ(run.exit_code, 1) << mode;
    EXPECT_NE(run.err.find("column \"code\" is NOT NULL with no default"), std::string::npos)
        << run.err;
    EXPECT_EQ(contents("coded"), (Rows{{"1", "x", "a"}})) << mode;
  }
}

TEST_P(Conformance, FullRefreshRebuildsFromTheIncomingColumns) {
  seed("t1");
  source(
      "CREATE TABLE other (id INTEGER PRIMARY KEY, label VARCHAR); INSERT INTO other VALUES (7, "
      "'g')");
  load("other", "t1", {"--full-refresh"});
  EXPECT_EQ(contents("t1"), (Rows{{"7", "g"}}));
}

TEST_P(Conformance, LoadFromAStagingFileTakesTheModesToo) {
  seed("t1");
  source_table("incoming", "(3, 'C', 33.00), (8, 'H', 80.00)");
  DvtRun extract = run_dvt(
      {"--profiles-dir", dir_.path(), "copy", "src:incoming", dir_.file("incoming.parquet")});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  DvtRun run = dvt({"load", dir_.file("incoming.parquet"), endpoint("t1"), "--mode", "merge"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(
      contents("t1"),
      (Rows{{"1", "a", "10.00"}, {"2", "b", "20.00"}, {"3", "C", "33.00"}, {"8", "H", "80.00"}}));
}

INSTANTIATE_TEST_SUITE_P(Targets, Conformance,
                         ::testing::Values(Tier{"postgres", "native"}, Tier{"postgres", "pipe"},
                                           Tier{"mysql", "native"}, Tier{"mysql", "pipe"},
                                           Tier{"clickhouse", "native"}, Tier{"clickhouse", "pipe"},
                                           Tier{"sqlite", "native"}, Tier{"duckdb", "native"}),
                         tier_name);

}  // namespace
}  // namespace dvt::test
