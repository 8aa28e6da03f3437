// The load contract as statements: what each mode does, in each dialect.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include "connectors/clickhouse/ch_dialect.h"
#include "connectors/duckdb/duckdb_dialect.h"
#include "connectors/load_plan.h"
#include "connectors/mysql/mysql_dialect.h"
#include "connectors/postgres/pg_dialect.h"
#include "connectors/sqlite/sqlite_dialect.h"
#include "core/error.h"

namespace dvt {
namespace {

Column column(std::string name, duckdb_type type, bool nullable = true) {
  Column c;
  c.name = std::move(name);
  c.type = Type(type);
  c.nullable = nullable;
  return c;
}

TableSchema incoming_rows() {
  TableSchema schema;
  schema.columns = {column("id", DUCKDB_TYPE_INTEGER, false), column("name", DUCKDB_TYPE_VARCHAR)};
  schema.primary_key = {"id"};
  return schema;
}

TargetTable existing_target() {
  TargetTable target;
  target.exists = true;
  target.qualified = "\"s\".\"t\"";
  target.schema = "\"s\"";
  target.display = "out:s.t";
  target.columns = {{"id", false, false, false}, {"name", true, false, false}};
  target.primary_key = {"id"};
  return target;
}

LoadRequest request(LoadMode mode, bool full_refresh = false) {
  LoadRequest r;
  r.table = {"s", "t"};
  r.mode = mode;
  r.full_refresh = full_refresh;
  return r;
}

std::vector<std::string> sql_of(const std::vector<Statement>& statements) {
  std::vector<std::string> sql;
  for (const auto& statement : statements) sql.push_back(statement.sql);
  return sql;
}

std::string stage() {
  return fmt::format("dvt_stage_{}", ::getpid());
}

TEST(TransactionalLoadPlan, OverwriteOfAnExistingTableTruncatesItInTheTransaction) {
  LoadSteps steps = TransactionalLoadPlan(pg::dialect())
                        .plan(request(LoadMode::kOverwrite), existing_target(), incoming_rows());
  EXPECT_EQ(sql_of(steps.before), (std::vector<std::string>{"BEGIN", "TRUNCATE \"s\".\"t\""}));
  EXPECT_EQ(steps.rows_into, "\"s\".\"t\"");
  EXPECT_TRUE(steps.checks.empty());
  EXPECT_TRUE(steps.apply.empty());
  EXPECT_EQ(sql_of(steps.publish), (std::vector<std::string>{"COMMIT"}));
  EXPECT_EQ(steps.on_failure, (std::vector<Statement>{Statement("ROLLBACK")}));
}

TEST(TransactionalLoadPlan, AppendOnlyOpensTheTransaction) {
  LoadSteps steps = TransactionalLoadPlan(pg::dialect())
                        .plan(request(LoadMode::kAppend), existing_target(), incoming_rows());
  EXPECT_EQ(sql_of(steps.before), (std::vector<std::string>{"BEGIN"}));
  EXPECT_EQ(steps.rows_into, "\"s\".\"t\"");
  EXPECT_EQ(sql_of(steps.publish), (std::vector<std::string>{"COMMIT"}));
}

TEST(TransactionalLoadPlan, FullRefreshDropsCreatesAndBuildsTheKeyAfterTheRows) {
  LoadSteps steps =
      TransactionalLoadPlan(pg::dialect())
          .plan(request(LoadMode::kOverwrite, true), existing_target(), incoming_rows());
  EXPECT_EQ(sql_of(steps.before),
            (std::vector<std::string>{
                "BEGIN", "DROP TABLE \"s\".\"t\"",
                "CREATE TABLE \"s\".\"t\" (\"id\" integer NOT NULL, \"name\" text)"}));
  EXPECT_EQ(sql_of(steps.apply),
            (std::vector<std::string>{"ALTER TABLE \"s\".\"t\" ADD PRIMARY KEY (\"id\")"}));
}

TEST(TransactionalLoadPlan, AMissingTableAndSchemaAreCreated) {
  TargetTable target = existing_target();
  target.exists = false;
  target.schema_exists = false;
  LoadSteps steps = TransactionalLoadPlan(sqlite::dialect())
                        .plan(request(LoadMode::kAppend), target, incoming_rows());
  EXPECT_EQ(sql_of(steps.before),
            (std::vector<std::string>{"BEGIN IMMEDIATE", "CREATE SCHEMA IF NOT EXISTS \"s\"",
                                      "CREATE TABLE \"s\".\"t\" (\"id\" INTEGER NOT NULL, "
                                      "\"name\" TEXT, PRIMARY KEY (\"id\"))"}));
  EXPECT_TRUE(steps.apply.empty());
}

TEST(TransactionalLoadPlan, MergeStagesRowsChecksKeysThenUpdatesAndInsertsTheNewOnes) {
  LoadSteps steps = TransactionalLoadPlan(pg::dialect())
                        .plan(request(LoadMode::kMerge), existing_target(), incoming_rows());
  const std::string s = "\"" + stage() + "\"";
  EXPECT_EQ(sql_of(steps.before),
            (std::vector<std::string>{
                "BEGIN", "CREATE TEMPORARY TABLE " + s +
                             " AS SELECT \"id\", \"name\" FROM \"s\".\"t\" WHERE 1 = 0"}));
  EXPECT_EQ(steps.rows_into, s);
  ASSERT_EQ(steps.checks.size(), 2u);
  EXPECT_EQ(steps.checks[0].sql, "SELECT \"id\" FROM " + s + " WHERE \"id\" IS NULL LIMIT 1");
  EXPECT_EQ(steps.checks[0].failure, "an incoming row has NULL in the unique key (id)");
  EXPECT_EQ(steps.checks[1].sql,
            "SELECT \"id\", count(*) FROM " + s + " GROUP BY \"id\" HAVING count(*) > 1 LIMIT 1");
  EXPECT_EQ(steps.checks[1].failure, "incoming rows repeat the unique key (id)");
  EXPECT_EQ(sql_of(steps.apply),
            (std::vector<std::string>{
                "UPDATE \"s\".\"t\" AS dvt_target SET \"name\" = dvt_rows.\"name\" FROM " + s +
                    " AS dvt_rows WHERE dvt_target.\"id\" = dvt_rows.\"id\"",
                "INSERT INTO \"s\".\"t\" (\"id\", \"name\") SELECT \"id\", \"name\" FROM " + s +
                    " AS dvt_rows WHERE NOT EXISTS (SELECT 1 FROM \"s\".\"t\" AS dvt_target "
                    "WHERE dvt_target.\"id\" = dvt_rows.\"id\")",
                "DROP TABLE " + s}));
  EXPECT_EQ(steps.apply[0].counts, Statement::Counts::kUpdated);
  EXPECT_EQ(steps.apply[1].counts, Statement::Counts::kInserted);
  EXPECT_EQ(steps.count_rule, CountRule::kInsertedPlusUpdated);
  EXPECT_EQ(sql_of(steps.publish), (std::vector<std::string>{"COMMIT"}));
}

TEST(TransactionalLoadPlan, DeleteInsertDeletesEveryMatchingRowThenInsertsAll) {
  LoadSteps steps = TransactionalLoadPlan(sqlite::dialect())
                        .plan(request(LoadMode::kDeleteInsert), existing_target(), incoming_rows());
  const std::string s = "\"" + stage() + "\"";
  EXPECT_EQ(sql_of(steps.apply),
            (std::vector<std::string>{
                "DELETE FROM \"s\".\"t\" AS dvt_target WHERE EXISTS (SELECT 1 FROM " + s +
                    " AS dvt_rows WHERE dvt_target.\"id\" = dvt_rows.\"id\")",
                "INSERT INTO \"s\".\"t\" (\"id\", \"name\") SELECT \"id\", \"name\" FROM " + s +
                    " AS dvt_rows",
                "DROP TABLE " + s}));
  EXPECT_EQ(steps.apply[0].counts, Statement::Counts::kDeleted);
  EXPECT_EQ(steps.count_rule, CountRule::kInserted);
}

TEST(TransactionalLoadPlan, MergeIntoANewTableChecksTheKeysInTheNewTable) {
  TargetTable target = existing_target();
  target.exists = false;
  LoadSteps steps =
      TransactionalLoadPlan(pg::dialect()).plan(request(LoadMode::kMerge), target, incoming_rows());
  EXPECT_EQ(steps.rows_into, "\"s\".\"t\"");
  ASSERT_EQ(steps.checks.size(), 2u);
  EXPECT_EQ(steps.checks[1].sql,
            "SELECT \"id\", count(*) FROM \"s\".\"t\" GROUP BY \"id\" HAVING count(*) > 1 LIMIT 1");
}

TEST(TransactionalLoadPlan, MergeWhoseEveryColumnIsKeyOnlyInsertsTheNewRows) {
  TableSchema incoming = incoming_rows();
  incoming.columns.pop_back();
  LoadSteps steps = TransactionalLoadPlan(pg::dialect())
                        .plan(request(LoadMode::kMerge), existing_target(), incoming);
  ASSERT_EQ(steps.apply.size(), 2u);
  EXPECT_TRUE(steps.apply[0].sql.starts_with("INSERT INTO"));
  EXPECT_EQ(steps.count_rule, CountRule::kNone);
}

TEST(TransactionalLoadPlan, DuckDbStagesInTheTempCatalog) {
  LoadSteps steps = TransactionalLoadPlan(duck::dialect())
                        .plan(request(LoadMode::kDeleteInsert), existing_target(), incoming_rows());
  EXPECT_EQ(steps.rows_into, "temp.main.\"" + stage() + "\"");
  EXPECT_EQ(sql_of(steps.before)[0], "BEGIN TRANSACTION");
}

TEST(UniqueKey, DefaultsToTheTargetsPrimaryKey) {
  TargetTable target = existing_target();
  target.primary_key = {"name"};
  EXPECT_EQ(resolve_unique_key(request(LoadMode::kMerge), target, incoming_rows(), pg::dialect()),
            (std::vector<std::string>{"name"}));
}

TEST(UniqueKey, TheRequestsKeyWinsAndTakesTheIncomingSpellingInMysql) {
  LoadRequest r = request(LoadMode::kMerge);
  r.unique_key = {"NAME"};
  EXPECT_EQ(resolve_unique_key(r, existing_target(), incoming_rows(), mysql::dialect()),
            (std::vector<std::string>{"name"}));
  EXPECT_THROW(resolve_unique_key(r, existing_target(), incoming_rows(), pg::dialect()),
               ConfigError);
}

TEST(UniqueKey, NoKeyAnywhereIsAUsageError) {
  TargetTable target = existing_target();
  target.primary_key.clear();
  TableSchema incoming = incoming_rows();
  incoming.primary_key.clear();
  try {
    resolve_unique_key(request(LoadMode::kDeleteInsert), target, incoming, pg::dialect());
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "out:s.t: --mode delete+insert matches rows by a unique key, and the target table "
              "has none: name it with --unique-key COL[,COL...]");
  }
}

TEST(IncomingColumns, AColumnTheTargetRequiresAndTheRowsLackIsRefused) {
  TargetTable target = existing_target();
  target.columns.push_back({"v", false, false, false});
  target.columns.push_back({"w", false, true, false});  // has a default
  target.columns.push_back({"x", false, false, true});  // generated
  target.columns.push_back({"y", true, false, false});  // nullable
  try {
    check_incoming_columns(request(LoadMode::kAppend), target, incoming_rows(), pg::dialect());
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_EQ(std::string(error.what()),
              "out:s.t: column \"v\" is NOT NULL with no default, and the incoming rows have no "
              "such column; add it to the incoming columns, give it a DEFAULT, or use "
              "--full-refresh");
  }
  LoadRequest refresh = request(LoadMode::kOverwrite, true);
  EXPECT_NO_THROW(check_incoming_columns(refresh, target, incoming_rows(), pg::dialect()));
}

TEST(IncomingColumns, AColumnTheTargetLacksIsRefusedCaseByDialect) {
  TableSchema incoming = incoming_rows();
  incoming.columns[1].name = "NAME";
  EXPECT_THROW(check_incoming_columns(request(LoadMode::kAppend), existing_target(), incoming,
                                      pg::dialect()),
               DataError);
  EXPECT_NO_THROW(check_incoming_columns(request(LoadMode::kAppend), existing_target(), incoming,
                                         mysql::dialect()));
}

TEST(IncomingColumns, AGeneratedColumnCannotBeSet) {
  TargetTable target = existing_target();
  target.columns[1].generated = true;
  EXPECT_THROW(
      check_incoming_columns(request(LoadMode::kAppend), target, incoming_rows(), pg::dialect()),
      DataError);
}

TEST(IncomingColumns, NamesLongerThanTheDialectKeepsAreRefusedBeforeAnyRowMoves) {
  TableSchema incoming = incoming_rows();
  incoming.columns[1].name = std::string(64, 'c');
  try {
    check_incoming_columns(request(LoadMode::kOverwrite, true), existing_target(), incoming,
                           pg::dialect());
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "column name \"" + std::string(64, 'c') +
                  "\" is 64 bytes long, and postgres keeps at most 63: it would be cut short (and "
                  "might then name another object); choose a shorter name");
  }
  EXPECT_NO_THROW(check_incoming_columns(request(LoadMode::kOverwrite, true), existing_target(),
                                         incoming, mysql::dialect()));
}

TEST(Dialect, QuotesAndLiterals) {
  EXPECT_EQ(pg::dialect().quote("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(mysql::dialect().quote("a`b"), "`a``b`");
  EXPECT_EQ(ch::ChDialect().quote("a`b"), "`a\\`b`");
  EXPECT_EQ(pg::dialect().literal("it's"), "'it''s'");
  EXPECT_EQ(pg::dialect().qualify({"s", "t"}), "\"s\".\"t\"");
  EXPECT_EQ(pg::dialect().qualify({"", "t"}), "\"t\"");
}

TEST(Dialect, LimitRows) {
  EXPECT_EQ(pg::dialect().limit_rows("SELECT 1", 5), "SELECT 1 LIMIT 5");
}

TEST(Dialect, MysqlStatementsJoinInsteadOfFrom) {
  const auto& d = mysql::dialect();
  EXPECT_EQ(d.update_from("`db`.`t`", "`s`", {"id"}, {"v"}),
            "UPDATE `db`.`t` AS dvt_target JOIN `s` AS dvt_rows ON dvt_target.`id` = "
            "dvt_rows.`id` SET dvt_target.`v` = dvt_rows.`v`");
  EXPECT_EQ(d.delete_matching("`db`.`t`", "`s`", {"a", "b"}),
            "DELETE dvt_target FROM `db`.`t` AS dvt_target JOIN `s` AS dvt_rows ON "
            "dvt_target.`a` = dvt_rows.`a` AND dvt_target.`b` = dvt_rows.`b`");
  EXPECT_EQ(d.truncate("`db`.`t`"), "DELETE FROM `db`.`t`");
  EXPECT_EQ(d.create_table("`db`.`t`", incoming_rows()),
            "CREATE TABLE `db`.`t` (`id` INT NOT NULL, `name` LONGTEXT NULL, PRIMARY KEY (`id`)) "
            "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
}

TEST(RowHash, PostgresEncodesEachValueAsItsText) {
  std::vector<Column> columns = {column("id", DUCKDB_TYPE_INTEGER),
                                 column("v", DUCKDB_TYPE_VARCHAR)};
  EXPECT_EQ(pg::dialect().row_hash(columns),
            "md5(CASE WHEN \"id\" IS NULL THEN 'N' ELSE 'V' || CAST(octet_length(\"id\"::text) AS "
            "VARCHAR) || ':' || \"id\"::text END || CASE WHEN \"v\" IS NULL THEN 'N' ELSE 'V' || "
            "CAST(octet_length(\"v\"::text) AS VARCHAR) || ':' || \"v\"::text END)");
  EXPECT_EQ(pg::dialect().key_text({columns[0]}), "\"id\"::text");
}

TEST(RowHash, MysqlConvertsToUtf8mb4AndReadsFloatsAsDoubles) {
  Column f = column("f", DUCKDB_TYPE_FLOAT);
  EXPECT_EQ(mysql::dialect().encoded_value(f),
            "CASE WHEN `f` IS NULL THEN 'N' ELSE CONCAT('V', OCTET_LENGTH(CONVERT(CAST(`f` AS "
            "DOUBLE) USING utf8mb4)), ':', CONVERT(CAST(`f` AS DOUBLE) USING utf8mb4)) END");
}

TEST(RowHash, ClickHouseTextOfANullableColumnAssumesNotNull) {
  Column c = column("c", DUCKDB_TYPE_VARCHAR);
  c.source_type = "Nullable(String)";
  EXPECT_EQ(ch::ChDialect().text_of(c), "toString(assumeNotNull(`c`))");
  EXPECT_EQ(ch::ChDialect().md5_hex("x"), "lower(hex(MD5(x)))");
}

}  // namespace
}  // namespace dvt
