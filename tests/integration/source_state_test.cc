// Source state, delta extraction and cursor increments: one specification,
// run on PostgreSQL, MySQL/MariaDB and ClickHouse through each tier, SQLite
// and DuckDB (state_support.h).
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "integration/state_support.h"
#include "state/state_store.h"

namespace dvt::test {
namespace {

namespace fs = std::filesystem;

// id 1..n; every 11th name and every 7th amount NULL.
std::string item(int id) {
  return fmt::format("({}, {}, {})", id, id % 11 == 0 ? "NULL" : fmt::format("'item {}'", id),
                     id % 7 == 0 ? "NULL" : std::to_string(id * 10));
}

std::vector<std::string> items(int from, int to) {
  std::vector<std::string> rows;
  for (int id = from; id <= to; ++id) rows.push_back(item(id));
  return rows;
}

nlohmann::json last_json_line(const std::string& out) {
  std::string line = out;
  while (!line.empty() && line.back() == '\n') line.pop_back();
  return nlohmann::json::parse(line.substr(line.rfind('\n') + 1));
}

class SourceState : public ::testing::TestWithParam<std::string> {
 protected:
  SourceState() : source_(StateSource::make(GetParam())) {}

  void create_items(int rows) {
    source_->create_table("items", {{"id", "int", true}, {"name", "text"}, {"amount", "int"}});
    source_->insert("items", items(1, rows));
  }

  // Extracts `table` as `name`, expecting success.
  DvtRun extract(const std::string& table, const std::vector<std::string>& args = {},
                 const std::string& name = "") {
    DvtRun run = source_->extract(table, args, {}, name);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return run;
  }

  // The rows a full extraction of `table` reads now, against the staging file.
  long differs_from_full_extraction(const std::string& table) {
    extract(table, {"--full-refresh"}, table + "_full");
    return differing_parquet_rows(source_->staging_file(table),
                                  source_->staging_file(table + "_full"));
  }

  std::string extracted_at(const std::string& name) {
    return nlohmann::json::parse(read_file(source_->state_file(name))).at("extracted_at");
  }

  std::string summary(const DvtRun& run) { return run.out.substr(0, run.out.find('\n')); }

  std::unique_ptr<StateSource> source_;
};

// --- state ------------------------------------------------------------------

TEST_P(SourceState, UnchangedSourceIsSkipped) {
  create_items(10);
  source_->settle();
  EXPECT_EQ(summary(extract("items")).substr(0, 17), "extract: 10 rows ");
  std::string staging = read_file(source_->staging_file("items"));
  DvtRun again = extract("items");
  EXPECT_EQ(again.out,
            fmt::format("extract: skipped: unchanged since {}  {} -> {}\n", extracted_at("items"),
                        source_->endpoint("items"), source_->staging_file("items")));
  EXPECT_EQ(read_file(source_->staging_file("items")), staging);
  nlohmann::json result = last_json_line(extract("items", {"--log-format", "json"}).out);
  EXPECT_EQ(result.at("status"), "skipped");
  EXPECT_EQ(result.at("rows"), 0);
  EXPECT_EQ(result.at("note"), "unchanged since " + extracted_at("items"));
}

TEST_P(SourceState, UpdatedRowIsExtracted) {
  create_items(10);
  extract("items");
  const std::string first = extracted_at("items");
  // Row 7 has a NULL amount: a change beside a NULL must change the fingerprint too.
  source_->update("items", "name = 'changed'", "id = 7");
  DvtRun run = extract("items");
  EXPECT_EQ(summary(run).substr(0, 17), "extract: 10 rows ");
  EXPECT_NE(run.out.find("extracted in full: the source changed since " + first), std::string::npos)
      << run.out;
  EXPECT_EQ(
      duck_query(fmt::format("SELECT name FROM '{}' WHERE id = 7", source_->staging_file("items"))),
      (Rows{{"changed"}}));
  EXPECT_EQ(differs_from_full_extraction("items"), 0);
}

TEST_P(SourceState, InsertedRowIsExtracted) {
  create_items(10);
  extract("items");
  source_->insert("items", {item(11)});
  EXPECT_EQ(summary(extract("items")).substr(0, 17), "extract: 11 rows ");
  EXPECT_EQ(differs_from_full_extraction("items"), 0);
}

TEST_P(SourceState, DeletedRowIsExtracted) {
  create_items(10);
  extract("items");
  source_->remove("items", "id = 3");
  EXPECT_EQ(summary(extract("items")).substr(0, 16), "extract: 9 rows ");
  EXPECT_EQ(differs_from_full_extraction("items"), 0);
}

TEST_P(SourceState, AddedColumnForcesAFullExtractionAndSaysSo) {
  create_items(10);
  extract("items");
  source_->add_column("items", {"extra", "text"});
  DvtRun run = extract("items");
  EXPECT_NE(run.out.find("\n  extracted in full: the schema changed: column extra added\n"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(duck_query(fmt::format("SELECT count(*), count(extra) FROM '{}'",
                                   source_->staging_file("items"))),
            (Rows{{"10", "0"}}));
}

TEST_P(SourceState, ChangedTypeForcesAFullExtractionAndSaysSo) {
  create_items(10);
  extract("items");
  source_->change_type("items", "amount", "bigint");
  DvtRun run = extract("items");
  EXPECT_NE(
      run.out.find(fmt::format("\n  extracted in full: the schema changed: column amount: "
                               "{} -> {}\n",
                               source_->spelling("int", true), source_->spelling("bigint", true))),
      std::string::npos)
      << run.out;
  EXPECT_EQ(duck_query(fmt::format("SELECT typeof(amount) FROM '{}' LIMIT 1",
                                   source_->staging_file("items"))),
            (Rows{{"BIGINT"}}));
}

TEST_P(SourceState, DeletedStagingFileIsExtractedAgain) {
  create_items(10);
  source_->settle();
  extract("items");
  fs::remove(source_->staging_file("items"));
  DvtRun run = extract("items");
  EXPECT_NE(
      run.out.find(fmt::format("extracted in full: {} is missing", source_->staging_file("items"))),
      std::string::npos)
      << run.out;
  EXPECT_EQ(differs_from_full_extraction("items"), 0);
}

TEST_P(SourceState, TruncatedStagingFileIsExtractedAgain) {
  create_items(10);
  source_->settle();
  extract("items");
  const std::string first = extracted_at("items");
  fs::resize_file(source_->staging_file("items"),
                  fs::file_size(source_->staging_file("items")) / 2);
  DvtRun run = extract("items");
  EXPECT_NE(run.out.find(fmt::format("extracted in full: {} is not the file extracted on {} (its "
                                     "size or footer differs)",
                                     source_->staging_file("items"), first)),
            std::string::npos)
      << run.out;
  EXPECT_EQ(differs_from_full_extraction("items"), 0);
}

TEST_P(SourceState, FullRefreshExtractsAnUnchangedSource) {
  create_items(10);
  source_->settle();
  extract("items");
  DvtRun run = extract("items", {"--full-refresh"});
  EXPECT_EQ(summary(run).substr(0, 17), "extract: 10 rows ");
  EXPECT_NE(run.out.find("\n  extracted in full: --full-refresh\n"), std::string::npos) << run.out;
}

// --- delta --------------------------------------------------------------------

TEST_P(SourceState, DeltaOfAnUnchangedTableIsSkipped) {
  create_items(100);
  source_->settle();
  EXPECT_EQ(summary(extract("items", {"--delta"})).substr(0, 18), "extract: 100 rows ");
  DvtRun again = extract("items", {"--delta"});
  EXPECT_EQ(summary(again).substr(0, 34), "extract: skipped: unchanged since ");
  EXPECT_EQ(duck_query(fmt::format("SELECT count(*), count(DISTINCT _pk) FROM '{}'",
                                   source_->hashes_file("items"))),
            (Rows{{"100", "100"}}));
}

TEST_P(SourceState, DeltaMovesOnlyChangedRowsAcrossChunkBoundaries) {
  create_items(5000);
  extract("items", {"--delta"});
  // Around the engine's chunks of 2,048 rows.
  source_->update("items", "name = 'updated'", "id IN (1, 2047, 2048, 2049, 4095, 4096, 4097)");
  source_->remove("items", "id IN (2, 2050, 4098)");
  source_->insert("items", items(5001, 5004));
  DvtRun run = extract("items", {"--delta"});
  EXPECT_EQ(summary(run).substr(0, 17), "extract: 11 rows ") << run.out;
  EXPECT_NE(run.out.find("\n  target: 4 inserted, 7 updated, 3 deleted\n"), std::string::npos)
      << run.out;
  EXPECT_EQ(duck_query(fmt::format("SELECT count(*) FROM '{}'", source_->staging_file("items"))),
            (Rows{{"5001"}}));
  EXPECT_EQ(differs_from_full_extraction("items"), 0);
  // The hashes now describe the new staging file: nothing left to move.
  source_->settle();
  EXPECT_EQ(summary(extract("items", {"--delta"})).substr(0, 16), "extract: skipped");
}

// PostgreSQL gives rewritten rows a new version: they are read again, found
// to hold the same values, and nothing moves; elsewhere the version is the
// values' hash, which does not change.
TEST_P(SourceState, DeltaOfRowsRewrittenAsTheyWereIsSkipped) {
  create_items(100);
  extract("items", {"--delta"});
  std::string staging = read_file(source_->staging_file("items"));
  source_->update("items", "name = name", "id <= 10");
  DvtRun run = extract("items", {"--delta"});
  EXPECT_EQ(summary(run).substr(0, 34), "extract: skipped: unchanged since ") << run.out;
  EXPECT_EQ(differs_from_full_extraction("items"), 0);
}

TEST_P(SourceState, DeltaHandlesCompositeKeysUnicodeQuotesAndNulls) {
  source_->create_table(
      "places",
      {{"region", "text", true}, {"code", "int", true}, {"label", "text"}, {"amount", "int"}});
  source_->insert("places",
                  {"('Zürich', 1, 'a', 1)", "('O''Brien', 2, 'b', NULL)", "('日本語', 1, NULL, 3)",
                   "('a\"b', 3, 'd', 4)", "('', 5, 'e', 5)", "('emoji 😀', 6, 'f', 6)"});
  extract("places", {"--delta"});
  source_->update("places", "label = NULL", "region = 'O''Brien' AND code = 2");
  source_->update("places", "amount = 30", "region = '日本語' AND code = 1");
  source_->remove("places", "region = 'a\"b' AND code = 3");
  source_->insert("places", {"('Zürich', 9, 'neu', NULL)", "('x''y', 0, 'q''uote', 5)"});
  DvtRun run = extract("places", {"--delta"});
  EXPECT_NE(run.out.find("\n  target: 2 inserted, 2 updated, 1 deleted\n"), std::string::npos)
      << run.out;
  EXPECT_EQ(differs_from_full_extraction("places"), 0);
  EXPECT_EQ(duck_query(fmt::format("SELECT label, amount FROM '{}' WHERE region = 'O''Brien'",
                                   source_->staging_file("places"))),
            (Rows{{std::nullopt, std::nullopt}}));
}

// Every point between reading the source and the last rename: the previous
// staging file, hashes and state stay as they were until the state's
// rename; after it the next run finishes the switch. Either way the three
// agree, and the next delta matches a full extraction.
TEST_P(SourceState, KilledDeltaLeavesTheThreeFilesConsistent) {
  create_items(50);
  extract("items", {"--delta"});
  const std::vector<std::string> before_commit = {"compared", "fetched", "staging-written",
                                                  "hashes-written", "state-written"};
  const std::vector<std::string> after_commit = {"committed", "staging-renamed"};
  int round = 0;
  for (const bool committed : {false, true}) {
    for (const auto& point : committed ? after_commit : before_commit) {
      SCOPED_TRACE(point);
      ++round;
      source_->update("items", fmt::format("amount = {}", 1000 + round), "id = 5");
      source_->insert("items", {item(100 + round)});
      std::string staging = read_file(source_->staging_file("items"));
      std::string hashes = read_file(source_->hashes_file("items"));
      std::string state = read_file(source_->state_file("items"));
      TempDir scratch;
      DvtRunOptions options;
      options.environment = {{"DVT_TEST_KILL_AT", point}, {"TMPDIR", scratch.path()}};
      DvtRun killed = source_->extract("items", {"--delta"}, options);
      ASSERT_EQ(killed.exit_code, 128 + 9) << killed.out << killed.err;
      if (!committed) {
        EXPECT_EQ(read_file(source_->staging_file("items")), staging);
        EXPECT_EQ(read_file(source_->hashes_file("items")), hashes);
        EXPECT_EQ(read_file(source_->state_file("items")), state);
      } else {
        EXPECT_NE(read_file(source_->state_file("items")), state);
      }
      {
        // What any run on the name sees first: the files the state names.
        StateStore store(source_->staging(), "items");
        ASSERT_TRUE(store.state().has_value());
        EXPECT_TRUE(store.staging_intact());
        EXPECT_TRUE(store.hashes_intact());
      }
      extract("items", {"--delta"});
      EXPECT_EQ(differs_from_full_extraction("items"), 0);
    }
  }
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(source_->staging() + "/_state"))
    left.push_back(entry.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"items.hashes.parquet", "items.state.json",
                                            "items_full.state.json"}));
}

TEST_P(SourceState, InterruptedDeltaRemovesItsFilesAndKeepsThePreviousOnes) {
  create_items(50);
  extract("items", {"--delta"});
  source_->update("items", "amount = 1", "id = 5");
  std::string staging = read_file(source_->staging_file("items"));
  std::string state = read_file(source_->state_file("items"));
  DvtRunOptions options;
  options.environment = {{"DVT_TEST_INTERRUPT_AT", "fetched"}};
  DvtRun interrupted = source_->extract("items", {"--delta"}, options);
  EXPECT_EQ(interrupted.exit_code, 130) << interrupted.out << interrupted.err;
  EXPECT_EQ(read_file(source_->staging_file("items")), staging);
  EXPECT_EQ(read_file(source_->state_file("items")), state);
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(source_->staging() + "/_state"))
    left.push_back(entry.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"items.hashes.parquet", "items.state.json"}));
}

// --- cursor increments ---------------------------------------------------------

TEST_P(SourceState, IncrementalKeyMergesRowsAtAndPastTheLastValue) {
  source_->create_table("events", {{"id", "int", true}, {"name", "text"}, {"version", "int"}});
  std::vector<std::string> rows;
  for (int id = 1; id <= 20; ++id) rows.push_back(fmt::format("({0}, 'e{0}', {0})", id));
  source_->insert("events", rows);
  extract("events", {"--incremental-key", "version"});
  nlohmann::json state = nlohmann::json::parse(read_file(source_->state_file("events")));
  EXPECT_EQ(state.at("cursor"), (nlohmann::json{{"column", "version"}, {"max", "20"}}));
  // A row committed late with the last value, a new one, one moved forward.
  source_->insert("events", {"(21, 'late', 20)", "(22, 'new', 25)"});
  source_->update("events", "version = 30, name = 'moved'", "id = 3");
  DvtRun run = extract("events", {"--incremental-key", "version"});
  EXPECT_NE(run.out.find("\n  target: 2 inserted, 1 updated\n"), std::string::npos) << run.out;
  state = nlohmann::json::parse(read_file(source_->state_file("events")));
  EXPECT_EQ(state.at("cursor").at("max"), "30");
  EXPECT_EQ(differs_from_full_extraction("events"), 0);
  DvtRun again = extract("events", {"--incremental-key", "version"});
  EXPECT_EQ(summary(again).substr(0, 16), "extract: skipped");
}

TEST_P(SourceState, IncrementalKeyAppendsToATableWithoutAKey) {
  source_->create_table("log", {{"seq", "int"}, {"message", "text"}});
  std::vector<std::string> rows;
  for (int seq = 1; seq <= 10; ++seq) rows.push_back(fmt::format("({0}, 'm{0}')", seq));
  source_->insert("log", rows);
  extract("log", {"--incremental-key", "seq"});
  source_->insert("log", {"(10, 'late')", "(11, 'next')", "(12, 'last')"});
  DvtRun run = extract("log", {"--incremental-key", "seq"});
  EXPECT_NE(run.out.find("\n  target: 3 inserted\n"), std::string::npos) << run.out;
  EXPECT_EQ(duck_query(fmt::format("SELECT count(*) FROM '{}'", source_->staging_file("log"))),
            (Rows{{"13"}}));
  EXPECT_EQ(differs_from_full_extraction("log"), 0);
}

INSTANTIATE_TEST_SUITE_P(Sources, SourceState,
                         ::testing::Values("postgres_native", "postgres_pipe", "mysql_native",
                                           "mysql_pipe", "clickhouse_native", "clickhouse_pipe",
                                           "sqlite", "duckdb"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace dvt::test
