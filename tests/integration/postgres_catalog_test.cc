// describe(): exact column types from the catalog (domains resolved to their
// base, enums and arrays recognized), the key, and the row estimate.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "connectors/connector.h"
#include "engine/engine.h"
#include "integration/postgres_support.h"
#include "project/profiles.h"

namespace dvt::test::pgtest {
namespace {

class PostgresCatalog : public ::testing::Test {
 protected:
  PostgresCatalog() : schema_("catalog") {}

  TableSchema describe(const std::string& table) {
    ServerEnv env = pg_env();
    OutputConfig output("pg", "profiles.yml", 1,
                        {{"type", "postgres"},
                         {"host", env.host},
                         {"port", std::to_string(env.port)},
                         {"user", env.user},
                         {"password", env.password},
                         {"dbname", env.database}});
    Engine engine;
    return make_connector(output, engine)->describe(TableRef{schema_.name(), table});
  }

  PgTestSchema schema_;
};

TEST_F(PostgresCatalog, TypesComeFromTheCatalogThroughDomainsEnumsAndArrays) {
  schema_.db().exec(fmt::format(R"(SET search_path = {};
      CREATE TYPE color AS ENUM ('red', 'green');
      CREATE DOMAIN money2 AS numeric(10,2) CHECK (VALUE >= 0);
      CREATE DOMAIN money2_again AS money2;
      CREATE TABLE t ("Id" bigint NOT NULL, price money2_again, tint color, tags varchar(8)[],
                      free numeric, wide numeric(40,2), odd_scale numeric(3,5), whenever interval,
                      amounts money2[], PRIMARY KEY ("Id"));
      SET search_path = public)",
                                schema_.name()));
  TableSchema schema = describe("t");
  std::vector<std::tuple<std::string, std::string, std::string, bool>> columns;
  for (const auto& column : schema.columns) {
    columns.emplace_back(column.name, column.type.sql(), column.source_type, column.nullable);
  }
  using Row = std::tuple<std::string, std::string, std::string, bool>;
  EXPECT_EQ(columns,
            (std::vector<Row>{
                Row{"Id", "BIGINT", "bigint", false},
                Row{"price", "DECIMAL(10,2)", fmt::format("{}.money2_again", schema_.name()), true},
                Row{"tint", "VARCHAR", fmt::format("{}.color", schema_.name()), true},
                Row{"tags", "VARCHAR[]", "character varying(8)[]", true},
                Row{"free", "VARCHAR", "numeric", true},
                Row{"wide", "VARCHAR", "numeric(40,2)", true},
                Row{"odd_scale", "VARCHAR", "numeric(3,5)", true},
                Row{"whenever", "VARCHAR", "interval", true},
                Row{"amounts", "DECIMAL(10,2)[]", fmt::format("{}.money2[]", schema_.name()), true},
            }));
  EXPECT_EQ(schema.primary_key, (std::vector<std::string>{"Id"}));
}

TEST_F(PostgresCatalog, KeyFallsBackToANotNullUniqueIndexAndEstimatesComeFromAnalyze) {
  schema_.db().exec(fmt::format(R"(SET search_path = {};
      CREATE TABLE keyed (a int, b int, c int NOT NULL, d int NOT NULL, PRIMARY KEY (b, a));
      CREATE TABLE unique_only (x int UNIQUE, y int NOT NULL, z int NOT NULL, UNIQUE (z, y));
      CREATE TABLE no_key (v int);
      CREATE TABLE nullable_unique (x int UNIQUE, v int);
      INSERT INTO keyed SELECT g, g, g, g FROM generate_series(1, 1234) g;
      ANALYZE keyed;
      SET search_path = public)",
                                schema_.name()));
  TableSchema keyed = describe("keyed");
  EXPECT_EQ(keyed.primary_key, (std::vector<std::string>{"b", "a"}));
  ASSERT_TRUE(keyed.estimated_rows.has_value());
  EXPECT_EQ(*keyed.estimated_rows, 1234u);
  // The nullable unique column cannot identify rows; the NOT NULL pair can.
  EXPECT_EQ(describe("unique_only").primary_key, (std::vector<std::string>{"z", "y"}));
  EXPECT_TRUE(describe("no_key").primary_key.empty());
  // A unique index over a nullable column admits many NULL rows: no key.
  EXPECT_TRUE(describe("nullable_unique").primary_key.empty());
}

}  // namespace
}  // namespace dvt::test::pgtest
