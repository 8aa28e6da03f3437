// Project commands on the embedded default (DuckDB files), with no server:
// dvt init + build, show, seeds with awkward CSV, the errors a project can
// make (federated inputs, unknown materializations, hooks), --fail-fast,
// Ctrl-C, and the DDL contract on PostgreSQL (a default run keeps a table's
// index, --full-refresh rebuilds it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "integration/postgres_support.h"
#include "support/embedded.h"
#include "support/run_dvt.h"
#include "support/services.h"

namespace dvt::test {
namespace {

class ProjectEmbedded : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_.file("dbt_project.yml"),
               "name: p\nversion: \"1\"\nprofile: p\nmodels:\n  p:\n    +materialized: table\n");
    write_profiles(dir_.path(), fmt::format("p:\n  target: dev\n  outputs:\n    dev:\n      type: "
                                            "duckdb\n      path: {0}/p.duckdb\n    other:\n      "
                                            "type: sqlite\n      path: {0}/o.sqlite\n",
                                            dir_.path()));
    std::filesystem::create_directories(dir_.file("models"));
    std::filesystem::create_directories(dir_.file("seeds"));
  }

  DvtRun dvt(std::vector<std::string> args, DvtRunOptions options = {}) {
    args.insert(args.begin(), {"--profiles-dir", dir_.path()});
    options.cwd = dir_.path();
    return run_dvt(args, options);
  }

  Rows duck(const std::string& sql) {
    return duck_query(fmt::format("ATTACH '{}/p.duckdb' AS p (READ_ONLY); {}", dir_.path(), sql));
  }

  nlohmann::json result_of(const std::string& unique_id) {
    nlohmann::json results = nlohmann::json::parse(read_file(dir_.file("target/run_results.json")));
    for (const auto& result : results["results"]) {
      if (result["unique_id"] == unique_id) return result;
    }
    return nullptr;
  }

  TempDir dir_;
};

TEST(ProjectInit, InitThenBuildRunsAStarterProjectOnDuckDb) {
  TempDir dir;
  DvtRun init = run_dvt({"init", "starter"}, {.cwd = dir.path()});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  DvtRun again = run_dvt({"init", "starter"}, {.cwd = dir.path()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("starter already exists"), std::string::npos) << again.err;
  EXPECT_EQ(run_dvt({"init", "9lives"}, {.cwd = dir.path()}).exit_code, 2);
  const std::string project = dir.file("starter");
  DvtRun build = run_dvt({"build"}, {.cwd = project});
  ASSERT_EQ(build.exit_code, 0) << build.out << build.err;
  EXPECT_NE(build.out.find("Done. PASS=11 WARN=0 ERROR=0 SKIP=0 TOTAL=11"), std::string::npos)
      << build.out;
  EXPECT_EQ(duck_query(fmt::format("ATTACH '{}/starter.duckdb' AS s (READ_ONLY); SELECT customer, "
                                   "orders, total_amount::VARCHAR FROM s.customers ORDER BY 1",
                                   project)),
            (Rows{{"ada", "1", "12.50"}, {"grace", "2", "27.99"}, {"linus", "1", "5.75"}}));
  DvtRun show = run_dvt({"show", "-s", "daily_orders", "--limit", "2"}, {.cwd = project});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("| ordered_at | orders | amount |"), std::string::npos) << show.out;
  size_t rows = 0;
  for (size_t at = show.out.find("| 2024-"); at != std::string::npos;
       at = show.out.find("| 2024-", at + 1))
    ++rows;
  EXPECT_EQ(rows, 2u) << show.out;
}

TEST_F(ProjectEmbedded, SeedsWithAwkwardCsvLandExactly) {
  write_file(dir_.file("seeds/awkward.csv"),
             "id,text,amount,day\n"
             "1,\"comma, and \"\"quotes\"\"\",1.50,2024-02-29\n"
             "2,\"two\nlines\",,2024-03-01\n"
             "3,ünïcödé 😀,-0.25,\n");
  write_file(dir_.file("seeds/header_only.csv"), "a,b\n");
  write_file(dir_.file("seeds/typed.csv"), "code,n\n007,1\n010,2\n");
  write_file(dir_.file("seeds/seeds.yml"),
             "version: 2\nseeds:\n  - name: typed\n    config:\n      column_types:\n        code: "
             "varchar\n        n: smallint\n");
  DvtRun seed = dvt({"seed"});
  ASSERT_EQ(seed.exit_code, 0) << seed.out << seed.err;
  EXPECT_EQ(duck("SELECT id, text, amount::VARCHAR, day::VARCHAR, typeof(amount) FROM "
                 "p.awkward ORDER BY id"),
            (Rows{{"1", "comma, and \"quotes\"", "1.50", "2024-02-29", "DECIMAL(3,2)"},
                  {"2", "two\nlines", std::nullopt, "2024-03-01", "DECIMAL(3,2)"},
                  {"3", "ünïcödé 😀", "-0.25", std::nullopt, "DECIMAL(3,2)"}}));
  EXPECT_EQ(duck("SELECT count(*) FROM p.header_only"), (Rows{{"0"}}));
  EXPECT_EQ(duck("SELECT code, n, typeof(n) FROM p.typed ORDER BY code"),
            (Rows{{"007", "1", "SMALLINT"}, {"010", "2", "SMALLINT"}}));
  // An empty file is an error naming it; the other seeds still load.
  write_file(dir_.file("seeds/empty.csv"), "");
  DvtRun broken = dvt({"seed"});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.out.find("empty.csv"), std::string::npos) << broken.out;
  EXPECT_EQ(result_of("seed.p.empty")["status"], "error");
  EXPECT_EQ(result_of("seed.p.typed")["status"], "success");
}

TEST_F(ProjectEmbedded, AModelReadingAnotherOutputIsRefusedNamingIt) {
  write_file(dir_.file("models/sources.yml"),
             "version: 2\nsources:\n  - name: lite\n    connection: other\n    tables:\n      - "
             "name: t\n");
  write_file(dir_.file("models/m.sql"), "select * from {{ source('lite', 't') }}\n");
  DvtRun run = dvt({"run"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("is written to output 'dev' but reads from other"), std::string::npos)
      << run.out;
  EXPECT_EQ(result_of("model.p.m")["status"], "error");
}

TEST_F(ProjectEmbedded, UnsupportedMaterializationsAndHooksAreErrorsNamingTheModel) {
  write_file(dir_.file("models/snap.sql"),
             "{{ config(materialized='materialized_view') }}\nselect 1 as x\n");
  write_file(dir_.file("models/hooked.sql"),
             "{{ config(post_hook='grant select on {{ this }} to reporter') }}\nselect 1 as x\n");
  write_file(dir_.file("models/fine.sql"), "select 1 as x\n");
  DvtRun run = dvt({"run"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("materialization 'materialized_view' is not one dvt runs"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("post-hook is not run by this build of dvt"), std::string::npos)
      << run.out;
  EXPECT_EQ(result_of("model.p.fine")["status"], "success");
  EXPECT_EQ(duck("SELECT x FROM p.fine"), (Rows{{"1"}}));
}

TEST_F(ProjectEmbedded, FailFastStopsAtTheFirstFailure) {
  write_file(dir_.file("models/a_bad.sql"), "select no_such_column from range(1)\n");
  write_file(dir_.file("models/b.sql"), "select 1 as x\n");
  write_file(dir_.file("models/c.sql"), "select 2 as x\n");
  DvtRun run = dvt({"--threads", "1", "run", "--fail-fast"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(result_of("model.p.a_bad")["status"], "error");
  EXPECT_EQ(result_of("model.p.b")["status"], "skipped");
  EXPECT_EQ(result_of("model.p.c")["status"], "skipped");
  DvtRun on = dvt({"--threads", "1", "run"});
  EXPECT_EQ(on.exit_code, 1);
  EXPECT_EQ(result_of("model.p.b")["status"], "success");
  EXPECT_EQ(result_of("model.p.c")["status"], "success");
}

TEST_F(ProjectEmbedded, CtrlCStopsTheRunAndLeavesThePreviousTable) {
  write_file(dir_.file("models/slow.sql"),
             "select count(*) as n from range({{ var('rows', 3) }}) a, range(100000) b\n");
  ASSERT_EQ(dvt({"run"}).exit_code, 0);
  EXPECT_EQ(duck("SELECT n FROM p.slow"), (Rows{{"300000"}}));
  DvtRunOptions options;
  options.interrupt_after_ms = 700;
  DvtRun run = dvt({"run", "--vars", "{rows: 100000000}"}, options);
  EXPECT_EQ(run.exit_code, 130) << run.out << run.err;
  EXPECT_EQ(duck("SELECT n FROM p.slow"), (Rows{{"300000"}}));
}

TEST(ProjectPostgres, ADefaultRunKeepsTheTablesIndexAndFullRefreshRebuildsIt) {
  TempDir dir;
  ServerEnv env = pgtest::pg_env();
  const std::string schema = fmt::format("dvt_projpg_{}", ::getpid());
  pgtest::PgTestConnection pg;
  pg.exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE", schema));
  write_profiles(dir.path(),
                 fmt::format("p:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      "
                             "host: {}\n      port: {}\n      user: {}\n      password: \"{}\"\n  "
                             "    dbname: {}\n      schema: {}\n",
                             env.host, env.port, env.user, env.password, env.database, schema));
  write_file(dir.file("dbt_project.yml"),
             "name: p\nversion: \"1\"\nprofile: p\nmodels:\n  p:\n    +materialized: table\n");
  std::filesystem::create_directories(dir.file("models"));
  write_file(dir.file("models/t.sql"),
             "select g as id, 'v' || g as v from generate_series(1, {{ var('n', 3) }}) g\n");
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--profiles-dir", dir.path()});
    return run_dvt(args, {.cwd = dir.path()});
  };
  ASSERT_EQ(run({"run"}).exit_code, 0);
  pg.exec(fmt::format("CREATE INDEX t_v ON {}.t (v)", schema));
  const std::string indexes =
      fmt::format("SELECT indexname FROM pg_indexes WHERE schemaname = '{}' ORDER BY 1", schema);
  DvtRun again = run({"run", "--vars", "{n: 5}"});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(pg.query(indexes), (pgtest::PgRows{{"t_v"}}));
  EXPECT_EQ(pg.query(fmt::format("SELECT count(*) FROM {}.t", schema)), (pgtest::PgRows{{"5"}}));
  DvtRun refresh = run({"run", "--full-refresh", "--vars", "{n: 2}"});
  ASSERT_EQ(refresh.exit_code, 0) << refresh.out << refresh.err;
  EXPECT_EQ(pg.query(indexes), pgtest::PgRows{});
  EXPECT_EQ(pg.query(fmt::format("SELECT id, v FROM {}.t ORDER BY id", schema)),
            (pgtest::PgRows{{"1", "v1"}, {"2", "v2"}}));
  pg.exec(fmt::format("DROP SCHEMA IF EXISTS {0} CASCADE", schema));
}

}  // namespace
}  // namespace dvt::test
