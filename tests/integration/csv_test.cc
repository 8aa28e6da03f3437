// CSV files (dbt's seeds) as sources: types decided from every value,
// awkward fields kept exactly, empty files refused.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "connectors/csv/csv_endpoint.h"
#include "core/error.h"
#include "engine/engine.h"
#include "support/embedded.h"
#include "support/run_dvt.h"
#include "support/services.h"

namespace dvt::test {
namespace {

TEST(CsvSource, TypesComeFromEveryValue) {
  TempDir dir;
  // The last rows decide: a sampled sniffer would call `n` an integer and
  // `price` a DOUBLE.
  std::string text = "n,price,day,flag,note\n";
  for (int i = 0; i < 3000; ++i) text += fmt::format("{},1.5,2024-01-02,true,x\n", i);
  text += "12345678901,12345.125,2024-02-29,false,\n";
  write_file(dir.file("seed.csv"), text);
  Engine engine;
  Source source = open_csv_source(engine, dir.file("seed.csv"), {});
  std::vector<std::string> types;
  for (const auto& column : source.schema.columns) types.push_back(column.type.sql());
  EXPECT_EQ(types,
            (std::vector<std::string>{"BIGINT", "DECIMAL(8,3)", "DATE", "BOOLEAN", "VARCHAR"}));
  auto rows =
      engine.query_strings("SELECT count(*), max(price), count(note) FROM " + source.relation);
  EXPECT_EQ(rows, (Rows{{"3001", "12345.125", "3000"}}));
}

TEST(CsvSource, ColumnTypesAreReadAsTextAndDeclaredAsGiven) {
  TempDir dir;
  write_file(dir.file("seed.csv"), "zip,amount\n01234,7\n");
  Engine engine;
  Source source =
      open_csv_source(engine, dir.file("seed.csv"), {.column_types = {{"zip", "varchar(5)"}}});
  EXPECT_EQ(source.schema.columns[0].type.sql(), "VARCHAR");
  EXPECT_EQ(source.schema.columns[0].declared_type, "varchar(5)");
  EXPECT_EQ(source.schema.columns[1].type.sql(), "BIGINT");
  EXPECT_EQ(engine.query_strings("SELECT zip FROM " + source.relation), (Rows{{"01234"}}));
  EXPECT_THROW(open_csv_source(engine, dir.file("seed.csv"), {.column_types = {{"nope", "int"}}}),
               ConfigError);
}

TEST(CsvSource, AnEmptyFileIsRefusedAndAHeaderAloneIsNoRows) {
  TempDir dir;
  write_file(dir.file("empty.csv"), "");
  Engine engine;
  EXPECT_THROW(open_csv_source(engine, dir.file("empty.csv"), {}), ConfigError);
  write_file(dir.file("header.csv"), "a,b\n");
  Source source = open_csv_source(engine, dir.file("header.csv"), {});
  EXPECT_EQ(source.schema.names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(engine.query_strings("SELECT count(*) FROM " + source.relation), (Rows{{"0"}}));
}

TEST(CsvSeed, AwkwardFieldsLandExactlyInSqliteAndDuckDb) {
  TempDir dir;
  write_file(dir.file("awkward.csv"),
             "id,text\n"
             "1,\"quoted, with comma\"\n"
             "2,\"line one\nline two\"\n"
             "3,\"she said \"\"hi\"\"\"\n"
             "4,\n"
             "5,ünïcödé ✓\n");
  write_profiles(dir.path(), fmt::format("test:\n  target: lite\n  outputs:\n"
                                         "    lite:\n      type: sqlite\n      path: {}\n"
                                         "    duck:\n      type: duckdb\n      path: {}\n",
                                         dir.file("a.db"), dir.file("a.duckdb")));
  for (const char* target : {"lite:awkward", "duck:awkward"}) {
    DvtRun run = run_dvt({"--profiles-dir", dir.path(), "load", dir.file("awkward.csv"), target});
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  const Rows expected = {{"1", "quoted, with comma"},
                         {"2", "line one\nline two"},
                         {"3", "she said \"hi\""},
                         {"4", std::nullopt},
                         {"5", "ünïcödé ✓"}};
  EXPECT_EQ(sqlite_query(dir.file("a.db"), "SELECT id, text FROM awkward ORDER BY id"), expected);
  EXPECT_EQ(duck_query(fmt::format("ATTACH '{}' AS a (READ_ONLY); SELECT CAST(id AS VARCHAR), "
                                   "text FROM a.awkward ORDER BY id",
                                   dir.file("a.duckdb"))),
            expected);
}

TEST(CsvSeed, ACsvFileIsNeverATarget) {
  TempDir dir;
  write_file(dir.file("a.csv"), "x\n1\n");
  DvtRun run = run_dvt({"copy", dir.file("a.csv"), dir.file("b.csv")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("writes Parquet"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace dvt::test
