// Models pushed down to their database: a query of that database becomes a
// table (under the load contract) or a view without a row leaving it, the
// same way in every database (Connector::materialize, create_view).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>

#include "connectors/connector.h"
#include "connectors/dialect.h"
#include "connectors/load_runner.h"
#include "core/error.h"
#include "core/output_config.h"
#include "engine/engine.h"
#include "integration/clickhouse_support.h"
#include "integration/mysql_support.h"
#include "integration/postgres_support.h"
#include "support/run_dvt.h"
#include "support/services.h"

namespace dvt::test {
namespace {

using Rows = std::vector<std::vector<std::optional<std::string>>>;

class Materialize : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string database = GetParam();
    std::map<std::string, std::string> fields;
    suffix_ = std::to_string(::getpid());
    if (database == "postgres") {
      ServerEnv env = pgtest::pg_env();
      schema_ = "dvt_materialize_" + suffix_;
      pg_.exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}", schema_));
      fields = {
          {"type", "postgres"}, {"host", env.host},         {"port", std::to_string(env.port)},
          {"user", env.user},   {"password", env.password}, {"dbname", env.database},
          {"schema", schema_}};
    } else if (database == "mysql") {
      MysqlServer server = mysql_server();
      fields = {{"type", "mysql"},
                {"host", server.host},
                {"port", std::to_string(server.port)},
                {"user", server.user},
                {"password", server.password},
                {"database", server.database}};
    } else if (database == "clickhouse") {
      schema_ = "dvt_materialize_" + suffix_;
      ch_.exec("DROP DATABASE IF EXISTS " + schema_);
      ch_.exec("CREATE DATABASE " + schema_);
      const ServerEnv& env = ch_.env();
      fields = {{"type", "clickhouse"},
                {"host", env.host},
                {"port", std::to_string(env.port)},
                {"native_port", std::to_string(env.native_port)},
                {"user", env.user},
                {"password", env.password},
                {"database", schema_}};
    } else {
      fields = {{"type", database}, {"path", dir_.file("db." + database)}};
    }
    output_ = std::make_unique<OutputConfig>("t", "profiles.yml", 1, fields);
    connector_ = make_connector(*output_, engine_);
  }

  void TearDown() override {
    connector_.reset();
    std::string database = GetParam();
    try {
      if (database == "postgres")
        pg_.exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", schema_));
      if (database == "clickhouse") ch_.exec("DROP DATABASE IF EXISTS " + schema_);
      if (database == "mysql") {
        for (const char* table : {"m1", "m2", "v1"}) {
          my_.exec(
              fmt::format("DROP TABLE IF EXISTS {0}; DROP VIEW IF EXISTS {0}", table_name(table)));
        }
      }
    } catch (...) {
    }
  }

  // The table's name in this database (MySQL tables of parallel tests share a database).
  std::string table_name(const std::string& base) const {
    return std::string(GetParam()) == "mysql" ? fmt::format("mat{}_{}", suffix_, base) : base;
  }
  TableRef table(const std::string& base) const { return {"", table_name(base)}; }

  Rows query(const std::string& sql) { return connector_->open_session()->rows(sql); }

  std::string from(const std::string& base) { return connector_->qualified_name(table(base)); }

  // A query of this database that yields three rows: id 1..3 and a name.
  std::string three_rows() const {
    std::string database = GetParam();
    if (database == "clickhouse")
      return "SELECT toInt32(number + 1) AS id, concat('n', toString(number + 1)) AS name FROM "
             "system.numbers LIMIT 3";
    if (database == "mysql")
      return "SELECT 1 AS id, CAST('n1' AS CHAR(10)) AS name UNION ALL SELECT 2, 'n2' UNION ALL "
             "SELECT 3, 'n3'";
    return "WITH v(id, name) AS (VALUES (1, 'n1'), (2, 'n2'), (3, 'n3')) SELECT * FROM v";
  }

  // `column` with an x appended, in this database's SQL.
  std::string with_x(const std::string& column) const {
    std::string database = GetParam();
    if (database == "mysql" || database == "clickhouse") return "concat(" + column + ", 'x')";
    return column + " || 'x'";
  }

  TempDir dir_;
  Engine engine_;
  std::string suffix_;
  std::string schema_;
  pgtest::PgTestConnection pg_;
  chtest::ChTestConnection ch_;
  MysqlTestConnection my_;
  std::unique_ptr<OutputConfig> output_;
  std::unique_ptr<Connector> connector_;
};

TEST_P(Materialize, AQueryBecomesANewTableAndThenReplacesItsRows) {
  EXPECT_FALSE(connector_->relation_exists(table("m1")));
  LoadRequest request;
  request.table = table("m1");
  LoadResult first = connector_->materialize(request, three_rows());
  EXPECT_EQ(first.rows, 3u);
  EXPECT_TRUE(connector_->relation_exists(table("m1")));
  EXPECT_EQ(query("SELECT count(*) FROM " + from("m1")), (Rows{{"3"}}));
  // The table survives; its rows are replaced by the query's.
  LoadResult second =
      connector_->materialize(request, "SELECT id, name FROM " + from("m1") + " WHERE id = 2");
  EXPECT_EQ(second.rows, 1u);
  EXPECT_EQ(query("SELECT count(*) FROM " + from("m1")), (Rows{{"1"}}));
}

TEST_P(Materialize, AnIncrementalMergeChangesOnlyTheMatchingRows) {
  LoadRequest request;
  request.table = table("m1");
  connector_->materialize(request, three_rows());
  request.mode = LoadMode::kMerge;
  request.unique_key = {"id"};
  LoadResult merged = connector_->materialize(
      request, "SELECT id, " + with_x("name") + " AS name FROM " + from("m1") + " WHERE id = 3");
  EXPECT_EQ(merged.rows, 1u);
  EXPECT_EQ(query("SELECT name FROM " + from("m1") + " ORDER BY id"),
            (Rows{{"n1"}, {"n2"}, {"n3x"}}));
}

TEST_P(Materialize, AViewIsCreatedAndReplaced) {
  LoadRequest request;
  request.table = table("m1");
  connector_->materialize(request, three_rows());
  connector_->create_view(table("v1"), "SELECT id FROM " + from("m1") + " WHERE id > 1");
  EXPECT_TRUE(connector_->relation_exists(table("v1")));
  EXPECT_EQ(query("SELECT count(*) FROM " + from("v1")), (Rows{{"2"}}));
  connector_->create_view(table("v1"), "SELECT id, name FROM " + from("m1"));
  EXPECT_EQ(query("SELECT count(*) FROM " + from("v1")), (Rows{{"3"}}));
}

TEST_P(Materialize, AQueryThatDoesNotBindIsTheUsersSqlAndChangesNothing) {
  LoadRequest request;
  request.table = table("m1");
  connector_->materialize(request, three_rows());
  EXPECT_THROW(connector_->materialize(request, "SELECT no_such_column FROM " + from("m1")),
               SqlError);
  EXPECT_EQ(query("SELECT count(*) FROM " + from("m1")), (Rows{{"3"}}));
}

INSTANTIATE_TEST_SUITE_P(Databases, Materialize,
                         ::testing::Values("postgres", "mysql", "clickhouse", "sqlite", "duckdb"));

}  // namespace
}  // namespace dvt::test
