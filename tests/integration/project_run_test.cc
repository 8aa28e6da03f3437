// dvt seed, run, test and build on a small project, in each database the
// models run in (pushdown): exact contents of every materialization, the
// DDL contract (a default run keeps the table, --full-refresh rebuilds it),
// incremental runs over changed input, a failing model that leaves its
// previous table and skips what follows, failing tests, run_results.json.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

#include "connectors/connector.h"
#include "connectors/load_runner.h"
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

// A project whose SQL every database runs: a seed, a view over it, a
// table of aggregates, an incremental model keyed by id, generic tests.
void write_project(const std::string& dir) {
  write_file(dir + "/dbt_project.yml", R"(name: people
version: "1.0.0"
profile: people
models:
  people:
    +materialized: view
    marts:
      +materialized: table
)");
  std::filesystem::create_directories(dir + "/seeds");
  std::filesystem::create_directories(dir + "/models/marts");
  write_file(dir + "/seeds/people.csv",
             "id,name,city,score\n"
             "1,Ada,Paris,10\n"
             "2,\"Smith, \"\"Jr\"\"\",Paris,20\n"
             "3,Zoë,Oslo,5\n"
             "4,\"Line\nbreak\",,7\n");
  write_file(
      dir + "/models/stg_people.sql",
      "select id, name, city, coalesce(city, '?') as place, score from {{ ref('people') }}\n");
  write_file(dir + "/models/marts/city_scores.sql",
             "select place as city, count(*) as n, sum(score) as total\n"
             "from {{ ref('stg_people') }}\ngroup by place\n");
  write_file(dir + "/models/marts/people_inc.sql",
             "{{ config(materialized='incremental', unique_key='id') }}\n"
             "select id, name, score from {{ ref('people') }}\n"
             "{% if is_incremental() %}where score > (select max(score) from {{ this }}) or id > "
             "(select max(id) from {{ this }}){% endif %}\n");
  write_file(dir + "/models/marts/top_city.sql",
             "select city from {{ ref('city_scores') }} where total = (select max(total) from "
             "{{ ref('city_scores') }})\n");
  write_file(dir + "/models/schema.yml", R"(version: 2
models:
  - name: stg_people
    columns:
      - name: id
        data_tests: [unique, not_null]
  - name: city_scores
    columns:
      - name: city
        data_tests:
          - unique
          - accepted_values:
              values: ["Paris", "Oslo", "?"]
  - name: people_inc
    columns:
      - name: id
        data_tests:
          - relationships:
              to: ref('stg_people')
              field: id
)");
}

std::string text_cast(const std::string& database) {
  return database == "clickhouse" ? "String" : database == "mysql" ? "CHAR(40)" : "VARCHAR(40)";
}

class ProjectRun : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    database_ = GetParam();
    name_ = fmt::format("dvt_proj_{}", ::getpid());
    std::map<std::string, std::string> fields;
    if (database_ == "postgres") {
      ServerEnv env = pgtest::pg_env();
      pg_.exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE", name_));
      fields = {
          {"type", "postgres"}, {"host", env.host},         {"port", std::to_string(env.port)},
          {"user", env.user},   {"password", env.password}, {"dbname", env.database},
          {"schema", name_}};
    } else if (database_ == "mysql") {
      MysqlServer server = mysql_server();
      my_.exec(fmt::format("DROP DATABASE IF EXISTS {0}; CREATE DATABASE {0}", name_));
      fields = {{"type", "mysql"},
                {"host", server.host},
                {"port", std::to_string(server.port)},
                {"user", server.user},
                {"password", server.password},
                {"database", name_}};
    } else if (database_ == "clickhouse") {
      ch_.exec("DROP DATABASE IF EXISTS " + name_);
      ch_.exec("CREATE DATABASE " + name_);
      const ServerEnv& env = ch_.env();
      fields = {{"type", "clickhouse"},
                {"host", env.host},
                {"port", std::to_string(env.port)},
                {"native_port", std::to_string(env.native_port)},
                {"user", env.user},
                {"password", env.password},
                {"database", name_}};
    } else {
      fields = {{"type", database_}, {"path", dir_.file("people." + database_)}};
    }
    std::string yaml = "people:\n  target: dev\n  outputs:\n    dev:\n";
    for (const auto& [key, value] : fields) {
      yaml += fmt::format("      {}: \"{}\"\n", key, value);
    }
    yaml += "      threads: 2\n";
    write_profiles(dir_.path(), yaml);
    write_project(dir_.path());
    output_ = std::make_unique<OutputConfig>("dev", "profiles.yml", 1, fields);
  }

  void TearDown() override {
    try {
      if (database_ == "postgres") pg_.exec(fmt::format("DROP SCHEMA IF EXISTS {} CASCADE", name_));
      if (database_ == "mysql") my_.exec("DROP DATABASE IF EXISTS " + name_);
      if (database_ == "clickhouse") ch_.exec("DROP DATABASE IF EXISTS " + name_);
    } catch (...) {
    }
  }

  DvtRun dvt(std::vector<std::string> args) {
    std::unique_ptr<LocalInfileLock> lock;
    if (database_ == "mysql") lock = std::make_unique<LocalInfileLock>();
    args.insert(args.begin(), {"--profiles-dir", dir_.path()});
    return run_dvt(args, {.cwd = dir_.path()});
  }

  // Rows of `sql`, where {t} names table t, in the target database.
  Rows query(const std::string& sql_template, const std::vector<std::string>& tables) {
    Engine engine;
    std::unique_ptr<Connector> connector = make_connector(*output_, engine);
    std::string sql = sql_template;
    for (const auto& table : tables) {
      std::string token = "{" + table + "}";
      for (size_t at = sql.find(token); at != std::string::npos; at = sql.find(token))
        sql.replace(at, token.size(), connector->qualified_name({"", table}));
    }
    return connector->open_session()->rows(sql);
  }

  Rows scores() {
    return query(fmt::format("SELECT city, CAST(n AS {0}), CAST(total AS {0}) FROM {{city_scores}} "
                             "ORDER BY city",
                             text_cast(database_)),
                 {"city_scores"});
  }

  nlohmann::json run_results() {
    return nlohmann::json::parse(read_file(dir_.file("target/run_results.json")));
  }

  std::string database_;
  std::string name_;
  TempDir dir_;
  pgtest::PgTestConnection pg_;
  chtest::ChTestConnection ch_;
  MysqlTestConnection my_;
  std::unique_ptr<OutputConfig> output_;
};

TEST_P(ProjectRun, BuildSeedsRunsAndTestsInDagOrder) {
  DvtRun build = dvt({"build"});
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  EXPECT_NE(build.out.find("Done. PASS=10 WARN=0 ERROR=0 SKIP=0 TOTAL=10"), std::string::npos)
      << build.out;
  EXPECT_EQ(
      query(fmt::format("SELECT CAST(id AS {0}), name, city, CAST(score AS {0}) FROM {{people}} "
                        "ORDER BY id",
                        text_cast(database_)),
            {"people"}),
      (Rows{{"1", "Ada", "Paris", "10"},
            {"2", "Smith, \"Jr\"", "Paris", "20"},
            {"3", "Zoë", "Oslo", "5"},
            {"4", "Line\nbreak", std::nullopt, "7"}}));
  EXPECT_EQ(scores(), (Rows{{"?", "1", "7"}, {"Oslo", "1", "5"}, {"Paris", "2", "30"}}));
  EXPECT_EQ(query("SELECT city FROM {top_city}", {"top_city"}), (Rows{{"Paris"}}));
  EXPECT_EQ(query("SELECT count(*) FROM {stg_people}", {"stg_people"}), (Rows{{"4"}}));
  nlohmann::json results = run_results();
  ASSERT_EQ(results["results"].size(), 10u);
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& result : results["results"])
    by_id[result["unique_id"].get<std::string>()] = result;
  EXPECT_EQ(by_id["seed.people.people"]["status"], "success");
  EXPECT_EQ(by_id["seed.people.people"]["adapter_response"]["rows_affected"], 4);
  EXPECT_EQ(by_id["model.people.city_scores"]["status"], "success");
  EXPECT_EQ(by_id["model.people.city_scores"]["adapter_response"]["rows_affected"], 3);
  EXPECT_EQ(by_id["model.people.stg_people"]["adapter_response"]["_message"], "CREATE VIEW");
  EXPECT_TRUE(by_id["model.people.city_scores"]["relation_name"].is_string());
  EXPECT_EQ(by_id["model.people.city_scores"]["timing"].size(), 2u);
  size_t tests = 0;
  for (const auto& [id, result] : by_id) {
    if (id.rfind("test.", 0) != 0) continue;
    ++tests;
    EXPECT_EQ(result["status"], "pass") << id;
    EXPECT_EQ(result["failures"], 0) << id;
  }
  EXPECT_EQ(tests, 5u);
  EXPECT_EQ(results["metadata"]["dbt_schema_version"],
            "https://schemas.getdbt.com/dbt/run-results/v6.json");
}

TEST_P(ProjectRun, IncrementalRunsMoveOnlyNewRowsAndFullRefreshRebuilds) {
  ASSERT_EQ(dvt({"build"}).exit_code, 0);
  // New rows in the seed: the incremental model takes id 5 (new) and id 2
  // (score now above the max), keyed by id (delete+insert).
  write_file(dir_.file("seeds/people.csv"),
             "id,name,city,score\n1,Ada,Paris,10\n2,Bo,Paris,99\n3,Zoë,Oslo,5\n4,Li,,7\n"
             "5,Eve,Oslo,3\n");
  DvtRun seed = dvt({"seed"});
  ASSERT_EQ(seed.exit_code, 0) << seed.out << seed.err;
  DvtRun run = dvt({"run", "-s", "people_inc"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  Rows expected{{"1", "Ada", "10"},
                {"2", "Bo", "99"},
                {"3", "Zoë", "5"},
                {"4", "Line\nbreak", "7"},
                {"5", "Eve", "3"}};
  const std::string sql = fmt::format(
      "SELECT CAST(id AS {0}), name, CAST(score AS {0}) FROM {{people_inc}} ORDER BY id",
      text_cast(database_));
  EXPECT_EQ(query(sql, {"people_inc"}), expected);
  EXPECT_EQ(run_results()["results"][0]["adapter_response"]["rows_affected"], 2);
  // --full-refresh rebuilds it from every row.
  DvtRun refresh = dvt({"run", "-s", "people_inc", "--full-refresh"});
  ASSERT_EQ(refresh.exit_code, 0) << refresh.out << refresh.err;
  expected[3][1] = "Li";
  EXPECT_EQ(query(sql, {"people_inc"}), expected);
  EXPECT_EQ(run_results()["results"][0]["adapter_response"]["rows_affected"], 5);
}

TEST_P(ProjectRun, AFailingModelKeepsItsPreviousTableAndSkipsWhatFollows) {
  ASSERT_EQ(dvt({"run"}).exit_code, 1);  // no seed yet: the models error
  ASSERT_EQ(dvt({"build"}).exit_code, 0);
  write_file(dir_.file("models/marts/city_scores.sql"),
             "select no_such_column as city from {{ ref('stg_people') }}\n");
  DvtRun run = dvt({"run"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("ERROR creating sql table model"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("SKIP relation"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Done. PASS=2 WARN=0 ERROR=1 SKIP=1 TOTAL=4"), std::string::npos)
      << run.out;
  EXPECT_EQ(scores(), (Rows{{"?", "1", "7"}, {"Oslo", "1", "5"}, {"Paris", "2", "30"}}));
  std::map<std::string, std::string> status;
  nlohmann::json results = run_results();
  for (const auto& result : results["results"])
    status[result["unique_id"].get<std::string>()] = result["status"].get<std::string>();
  EXPECT_EQ(status["model.people.city_scores"], "error");
  EXPECT_EQ(status["model.people.top_city"], "skipped");
  EXPECT_EQ(status["model.people.people_inc"], "success");
}

TEST_P(ProjectRun, AFailingTestFailsTheRunWithItsCount) {
  ASSERT_EQ(dvt({"build"}).exit_code, 0);
  write_file(dir_.file("models/schema.yml"), R"(version: 2
models:
  - name: stg_people
    columns:
      - name: city
        data_tests: [not_null, unique]
      - name: score
        data_tests:
          - accepted_values:
              values: [10, 20]
              quote: false
              config:
                severity: warn
)");
  DvtRun test = dvt({"test"});
  EXPECT_EQ(test.exit_code, 1) << test.out << test.err;
  std::map<std::string, nlohmann::json> by_name;
  nlohmann::json results = run_results();
  for (const auto& result : results["results"])
    by_name[result["unique_id"].get<std::string>()] = result;
  ASSERT_EQ(by_name.size(), 3u);
  std::map<std::string, std::pair<std::string, int>> seen;
  for (const auto& [id, result] : by_name) {
    std::string kind = id.find("not_null") != std::string::npos ? "not_null"
                       : id.find("unique") != std::string::npos ? "unique"
                                                                : "accepted_values";
    seen[kind] = {result["status"], result["failures"]};
  }
  EXPECT_EQ(seen["not_null"], (std::pair<std::string, int>{"fail", 1}));
  EXPECT_EQ(seen["unique"], (std::pair<std::string, int>{"fail", 1}));
  EXPECT_EQ(seen["accepted_values"], (std::pair<std::string, int>{"warn", 2}));
  EXPECT_NE(test.out.find("Done. PASS=0 WARN=1 ERROR=2 SKIP=0 TOTAL=3"), std::string::npos)
      << test.out;
}

INSTANTIATE_TEST_SUITE_P(Databases, ProjectRun,
                         ::testing::Values("postgres", "mysql", "clickhouse", "sqlite", "duckdb"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param);
                         });

}  // namespace
}  // namespace dvt::test
