// The pure parts of the ODBC connector: how each driver's description of a
// column becomes a DuckDB type (the values were read from psqlODBC 13.02,
// MariaDB Connector/ODBC 3.1.15 and SQLite ODBC 0.9998 describing real
// tables), connection strings, UTF-16, the dialect lookup and the plans of
// targets whose DDL commits on its own.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fmt/format.h>

#include "connectors/dialects.h"
#include "connectors/odbc/odbc_connection.h"
#include "connectors/odbc/odbc_load_plan.h"
#include "connectors/odbc/odbc_text.h"
#include "connectors/odbc/odbc_types.h"

namespace dvt::odbc {
namespace {

OdbcColumnInfo info(SQLSMALLINT sql_type, std::string type_name, int64_t size, int digits,
                    bool is_unsigned = false) {
  return OdbcColumnInfo{"c", sql_type, std::move(type_name), size, digits, true, is_unsigned};
}

std::string mapped(const OdbcColumnInfo& column, const std::string& family) {
  MappedColumn m = map_column(column, family);
  return m.type.sql() + " / " + m.wire.sql() + " / " + m.source_type;
}

TEST(OdbcTypes, PsqlOdbcColumnsMapToTheNativeTiersTypes) {
  EXPECT_EQ(mapped(info(SQL_BIT, "bool", 1, 0), "postgres"), "BOOLEAN / BOOLEAN / bool");
  EXPECT_EQ(mapped(info(SQL_SMALLINT, "int2", 5, 0), "postgres"), "SMALLINT / SMALLINT / int2");
  EXPECT_EQ(mapped(info(SQL_INTEGER, "int4", 10, 0), "postgres"), "INTEGER / INTEGER / int4");
  EXPECT_EQ(mapped(info(SQL_BIGINT, "int8", 19, 0), "postgres"), "BIGINT / BIGINT / int8");
  EXPECT_EQ(mapped(info(SQL_REAL, "float4", 9, 0), "postgres"), "FLOAT / FLOAT / float4");
  EXPECT_EQ(mapped(info(SQL_FLOAT, "float8", 17, 0), "postgres"), "DOUBLE / DOUBLE / float8");
  EXPECT_EQ(mapped(info(SQL_NUMERIC, "numeric", 12, 2), "postgres"),
            "DECIMAL(12,2) / VARCHAR / numeric(12,2)");
  EXPECT_EQ(mapped(info(SQL_NUMERIC, "numeric", 38, 10), "postgres"),
            "DECIMAL(38,10) / VARCHAR / numeric(38,10)");
  EXPECT_EQ(mapped(info(SQL_LONGVARCHAR, "text", 8190, -1), "postgres"),
            "VARCHAR / VARCHAR / text");
  EXPECT_EQ(mapped(info(SQL_VARCHAR, "varchar", 20, -1), "postgres"),
            "VARCHAR / VARCHAR / varchar(20)");
  EXPECT_EQ(mapped(info(SQL_CHAR, "bpchar", 3, -1), "postgres"), "VARCHAR / VARCHAR / bpchar(3)");
  EXPECT_EQ(mapped(info(SQL_LONGVARBINARY, "bytea", -4, -1), "postgres"), "BLOB / BLOB / bytea");
  EXPECT_EQ(mapped(info(SQL_TYPE_DATE, "date", 10, -1), "postgres"), "DATE / DATE / date");
  EXPECT_EQ(mapped(info(SQL_TYPE_TIMESTAMP, "timestamp", 26, 6), "postgres"),
            "TIMESTAMP / TIMESTAMP / timestamp");
  EXPECT_EQ(mapped(info(SQL_TYPE_TIMESTAMP, "timestamptz", 26, 6), "postgres"),
            "TIMESTAMP WITH TIME ZONE / TIMESTAMP WITH TIME ZONE / timestamptz");
  EXPECT_EQ(mapped(info(SQL_TYPE_TIME, "time", 8, 6), "postgres"), "TIME / VARCHAR / time");
  EXPECT_EQ(mapped(info(SQL_GUID, "uuid", 37, -1), "postgres"), "UUID / VARCHAR / uuid");
  EXPECT_EQ(mapped(info(SQL_VARCHAR, "jsonb", 255, -1), "postgres"), "JSON / JSON / jsonb");
  EXPECT_EQ(mapped(info(SQL_INTEGER, "oid", 10, 0), "postgres"), "UINTEGER / UINTEGER / oid");
}

TEST(OdbcTypes, PsqlOdbcQuirksTravelAsExactText) {
  // An unconstrained numeric is reported as numeric(28,6); money as a float.
  EXPECT_EQ(mapped(info(SQL_NUMERIC, "numeric", 28, 6), "postgres"), "VARCHAR / VARCHAR / numeric");
  EXPECT_EQ(mapped(info(SQL_FLOAT, "money", 10, 0), "postgres"), "VARCHAR / VARCHAR / money");
  // Types of no SQL type (intervals, arrays, timetz) get a made-up length
  // of 255, which does not bound their values.
  EXPECT_EQ(map_column(info(SQL_VARCHAR, "_int4", 255, -1), "postgres").max_bytes, 0u);
  EXPECT_EQ(map_column(info(SQL_VARCHAR, "varchar", 20, -1), "postgres").max_bytes, 80u);
}

TEST(OdbcTypes, MariaDbColumnsKeepTheirSignAndInstants) {
  EXPECT_EQ(mapped(info(SQL_TINYINT, "TINYINT UNSIGNED", 3, 0), "mysql"),
            "UTINYINT / UTINYINT / TINYINT UNSIGNED");
  EXPECT_EQ(mapped(info(SQL_INTEGER, "INT", 10, 0, true), "mysql"), "UINTEGER / UINTEGER / INT");
  EXPECT_EQ(mapped(info(SQL_BIGINT, "BIGINT UNSIGNED", 20, 0), "mysql"),
            "UBIGINT / UBIGINT / BIGINT UNSIGNED");
  EXPECT_EQ(mapped(info(SQL_REAL, "FLOAT", 7, -1), "mysql"), "FLOAT / FLOAT / FLOAT");
  EXPECT_EQ(mapped(info(SQL_DOUBLE, "DOUBLE", 15, -1), "mysql"), "DOUBLE / DOUBLE / DOUBLE");
  EXPECT_EQ(mapped(info(SQL_DECIMAL, "DECIMAL", 65, 30), "mysql"),
            "VARCHAR / VARCHAR / DECIMAL(65,30)");
  EXPECT_EQ(mapped(info(SQL_TYPE_TIMESTAMP, "DATETIME", 26, 6), "mysql"),
            "TIMESTAMP / TIMESTAMP / DATETIME(6)");
  EXPECT_EQ(mapped(info(SQL_TYPE_TIMESTAMP, "TIMESTAMP", 23, 3), "mysql"),
            "TIMESTAMP WITH TIME ZONE / TIMESTAMP WITH TIME ZONE / TIMESTAMP(3)");
  // TEXT is bounded (65,535 bytes), LONGTEXT is not.
  EXPECT_EQ(map_column(info(SQL_WLONGVARCHAR, "TEXT", 65535, -1), "mysql").max_bytes, 262140u);
  EXPECT_EQ(map_column(info(SQL_WLONGVARCHAR, "LONGTEXT", -1, -1), "mysql").max_bytes, 0u);
  EXPECT_EQ(mapped(info(SQL_WVARCHAR, "VARCHAR", 20, -1), "mysql"),
            "VARCHAR / VARCHAR / VARCHAR(20)");
  EXPECT_EQ(mapped(info(SQL_BINARY, "BINARY", 4, -1), "mysql"), "BLOB / BLOB / BINARY(4)");
}

TEST(OdbcTypes, SqliteDriverReportsTheDeclaredType) {
  EXPECT_EQ(mapped(info(SQL_VARCHAR, "decimal(12,2)", 2, 10), "sqlite"),
            "DECIMAL(12,2) / VARCHAR / decimal(12,2)");
  EXPECT_EQ(mapped(info(SQL_VARCHAR, "DECIMAL TEXT(38,0)", 0, 10), "sqlite"),
            "DECIMAL(38,0) / VARCHAR / DECIMAL TEXT(38,0)");
  EXPECT_EQ(mapped(info(SQL_BIT, "boolean", 1, 10), "sqlite"), "BOOLEAN / BOOLEAN / boolean");
  EXPECT_EQ(mapped(info(SQL_LONGVARCHAR, "TEXT", 0, 10), "sqlite"), "VARCHAR / VARCHAR / TEXT");
  EXPECT_EQ(mapped(info(SQL_INTEGER, "INTEGER", 9, 10), "sqlite"), "BIGINT / BIGINT / INTEGER");
}

TEST(OdbcTypes, UnknownTypesTravelAsText) {
  EXPECT_EQ(mapped(info(SQL_INTERVAL_DAY_TO_SECOND, "interval", 0, 6), ""),
            "VARCHAR / VARCHAR / interval");
  EXPECT_EQ(mapped(info(-150, "sql_variant", 0, 0), ""), "VARCHAR / VARCHAR / sql_variant");
}

TEST(OdbcTypes, WritersBindExactTextForWhatOdbcHasNoCTypeFor) {
  EXPECT_EQ(writer_wire_type(Type::decimal(12, 2)), Type(DUCKDB_TYPE_VARCHAR));
  EXPECT_EQ(writer_wire_type(Type(DUCKDB_TYPE_HUGEINT)), Type(DUCKDB_TYPE_VARCHAR));
  EXPECT_EQ(writer_wire_type(Type(DUCKDB_TYPE_TIMESTAMP_MS)), Type(DUCKDB_TYPE_TIMESTAMP));
  EXPECT_EQ(writer_wire_type(Type(DUCKDB_TYPE_BIGINT)), Type(DUCKDB_TYPE_BIGINT));
  ParameterType decimal = parameter_type(Type::decimal(12, 2), true);
  EXPECT_EQ(decimal.c_type, SQL_C_CHAR);
  EXPECT_EQ(decimal.sql_type, SQL_DECIMAL);
  EXPECT_EQ(decimal.column_size, 12u);
  EXPECT_EQ(decimal.decimal_digits, 2);
  EXPECT_EQ(parameter_type(Type(DUCKDB_TYPE_VARCHAR), true).c_type, SQL_C_WCHAR);
  EXPECT_EQ(parameter_type(Type(DUCKDB_TYPE_VARCHAR), false).c_type, SQL_C_CHAR);
  EXPECT_EQ(parameter_type(Type(DUCKDB_TYPE_TIMESTAMP_TZ), true).c_type, SQL_C_TYPE_TIMESTAMP);
}

TEST(OdbcText, Utf16RoundTripsEveryPlaneAndRefusesLoneSurrogates) {
  std::string text = "a\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80z";  // a ü € 😀 z
  std::u16string wide = utf16(text);
  EXPECT_EQ(wide.size(), 6u);  // the emoji takes a surrogate pair
  std::string back;
  ASSERT_TRUE(append_utf8(reinterpret_cast<const SQLWCHAR*>(wide.data()), wide.size(), back));
  EXPECT_EQ(back, text);
  SQLWCHAR lone[] = {0x61, 0xD800, 0x62};
  std::string out;
  EXPECT_FALSE(append_utf8(lone, 3, out));
}

TEST(OdbcConnection, ValuesWithSeparatorsAreBracedAndSecretsStayInMemory) {
  EXPECT_EQ(connection_value("plain"), "plain");
  EXPECT_EQ(connection_value("pa;ss}word"), "{pa;ss}}word}");
  EXPECT_EQ(connection_value(" lead"), "{ lead}");
  OdbcSettings settings;
  settings.output = "x";
  settings.driver = "PostgreSQL Unicode";
  settings.keywords = {{"Server", "h"}, {"PWD", "a;b"}};
  EXPECT_EQ(settings.connection_string(), "DRIVER={PostgreSQL Unicode};Server=h;PWD={a;b};");
  EXPECT_EQ(settings.label(), "output 'x' (ODBC driver 'PostgreSQL Unicode')");
}

TEST(Dialects, FamiliesAreFoundByNameAliasOrDbmsName) {
  ASSERT_NE(find_dialect("postgres"), nullptr);
  EXPECT_EQ(find_dialect("greenplum")->family(), "postgres");
  EXPECT_EQ(find_dialect("MariaDB")->family(), "mysql");
  EXPECT_EQ(find_dialect("sqlite")->family(), "sqlite");
  EXPECT_EQ(find_dialect("teradata"), nullptr);
  EXPECT_EQ(family_of_dbms("PostgreSQL"), "postgres");
  EXPECT_EQ(family_of_dbms("MariaDB"), "mysql");
  EXPECT_EQ(family_of_dbms("SQLite"), "sqlite");
  EXPECT_EQ(family_of_dbms("Microsoft SQL Server"), "sqlserver");
  EXPECT_EQ(family_of_dbms("Ingres"), "");
  EXPECT_EQ(standard_dialect().quote("a\"b"), "\"a\"\"b\"");
}

TEST(OdbcLoadPlan, TransactionalDdlKeepsTheSharedPlan) {
  const Dialect& pg = *find_dialect("postgres");
  TableSchema incoming;
  incoming.columns = {{"id", Type(DUCKDB_TYPE_INTEGER), "", false}};
  LoadRequest request;
  request.table = {"s", "t"};
  TargetTable target;
  target.qualified = "\"s\".\"t\"";
  EXPECT_EQ(plan_load(pg, request, target, incoming),
            TransactionalLoadPlan(pg).plan(request, target, incoming));
}

TEST(OdbcLoadPlan, MysqlNewTablesAreFilledUnderAnotherNameAndRenamedIntoPlace) {
  const Dialect& my = *find_dialect("mysql");
  TableSchema incoming;
  incoming.columns = {{"id", Type(DUCKDB_TYPE_INTEGER), "", false}};
  incoming.primary_key = {"id"};
  LoadRequest request;
  request.table = {"db", "t"};
  request.full_refresh = true;
  TargetTable target;
  target.exists = true;
  target.qualified = "`db`.`t`";
  const std::string fresh = fmt::format("`db`.`dvt_new_{}`", ::getpid());
  const std::string old = fmt::format("`db`.`dvt_old_{}`", ::getpid());
  LoadSteps steps = plan_load(my, request, target, incoming);
  EXPECT_EQ(steps.before,
            (std::vector<Statement>{
                {"DROP TABLE IF EXISTS " + fresh},
                {"CREATE TABLE " + fresh +
                 " (`id` INT NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
                 "COLLATE=utf8mb4_bin"},
                {"START TRANSACTION"}}));
  EXPECT_EQ(steps.rows_into, fresh);
  EXPECT_EQ(
      steps.publish,
      (std::vector<Statement>{
          {"COMMIT"}, {fmt::format("RENAME TABLE `db`.`t` TO {}, {} TO `db`.`t`", old, fresh)}}));
  EXPECT_EQ(steps.cleanup, (std::vector<Statement>{{"DROP TABLE " + old}}));
  EXPECT_EQ(steps.on_failure, (std::vector<Statement>{{"ROLLBACK"}, {"DROP TABLE " + fresh}}));
}

TEST(OdbcLoadPlan, MysqlMergeDropsItsStagingTableOnlyOnceTheLoadIsIn) {
  const Dialect& my = *find_dialect("mysql");
  TableSchema incoming;
  incoming.columns = {{"id", Type(DUCKDB_TYPE_INTEGER), "", false},
                      {"v", Type(DUCKDB_TYPE_VARCHAR), "", true}};
  LoadRequest request;
  request.table = {"db", "t"};
  request.mode = LoadMode::kMerge;
  TargetTable target;
  target.exists = true;
  target.qualified = "`db`.`t`";
  target.columns = {{"id", false}, {"v", true}};
  target.primary_key = {"id"};
  LoadSteps steps = plan_load(my, request, target, incoming);
  for (const auto& statement : steps.apply) EXPECT_FALSE(statement.sql.starts_with("DROP TABLE"));
  ASSERT_EQ(steps.cleanup.size(), 1u);
  EXPECT_EQ(steps.cleanup[0].sql, fmt::format("DROP TABLE `dvt_stage_{}`", ::getpid()));
}

}  // namespace
}  // namespace dvt::odbc
