// End to end over the embedded default: the real dvt binary moving data
// between SQLite files, Parquet staging and DuckDB files.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/embedded.h"
#include "support/run_dvt.h"

namespace dvt::test {
namespace {

std::string all_bytes_hex() {
  std::string hex;
  for (int i = 0; i < 256; ++i) hex += fmt::format("{:02X}", i);
  return hex;
}

class EmbeddedPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    lite_ = dir_.file("source.db");
    warehouse_ = dir_.file("warehouse.duckdb");
    write_file(dir_.file("profiles.yml"), fmt::format(R"(demo:
  target: wh
  outputs:
    lite:
      type: sqlite
      path: {}
    wh:
      type: duckdb
      path: {}
    other:
      type: sqlite
      path: {}
)",
                                                      lite_, warehouse_, other_));
    sqlite_exec(lite_, fmt::format(R"(
      CREATE TABLE items (
        id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL(12,2), ts TIMESTAMP, day DATE,
        flag BOOLEAN, ratio REAL, payload BLOB, "Customer Code" VARCHAR(20), "select" INTEGER);
      INSERT INTO items VALUES
        (1, 'naïve café 😀', '12.30', '2024-01-02 03:04:05.123456', '2024-02-29', 1, 0.1, X'00FF7F80', 'C-1', 7),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (3, '', '-99999.99', '1970-01-01 00:00:00', '0001-01-01', 0, -1.5e300, X'', 'tab	here', -9223372036854775808),
        (4, 'line1
line2 "quoted" ''single'' back\slash,comma', '0.01', '9999-12-31 23:59:59.999999', '9999-12-31', 1, 1e-300,
         X'{}', 'NULL', 9223372036854775807);
      WITH RECURSIVE n(i) AS (SELECT 5 UNION ALL SELECT i + 1 FROM n WHERE i < 2004)
      INSERT INTO items SELECT i, 'row ' || i, printf('%d.%02d', i, i % 100),
        datetime(1700000000 + i * 3600, 'unixepoch'), date(19000 + i, 'unixepoch'), i % 2, i / 7.0,
        NULL, 'C-' || i, i * 1000 FROM n;
    )",
                                   all_bytes_hex()));
  }

  DvtRun dvt(std::vector<std::string> args) {
    args.insert(args.begin(), {"--profiles-dir", dir_.path(), "--project-dir", dir_.path()});
    return run_dvt(args, {.cwd = dir_.path(), .environment = {}});
  }

  std::string parquet(const std::string& path) { return "read_parquet('" + path + "')"; }

  TempDir dir_;
  std::string lite_;
  std::string warehouse_;
  std::string other_ = dir_.file("other.db");
};

TEST_F(EmbeddedPipeline, SqliteToParquetKeepsExactTypesAndValues) {
  DvtRun run = dvt({"extract", "lite:items"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::string staged = dir_.file(".dvt/staging/items.parquet");
  ASSERT_TRUE(std::filesystem::exists(staged));
  EXPECT_NE(run.out.find("extract: 2004 rows"), std::string::npos) << run.out;

  Rows types = duck_query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " +
                          parquet(staged) + ")");
  Rows expected_types = {{"id", "BIGINT"},    {"name", "VARCHAR"}, {"amount", "DECIMAL(12,2)"},
                         {"ts", "TIMESTAMP"}, {"day", "DATE"},     {"flag", "BOOLEAN"},
                         {"ratio", "DOUBLE"}, {"payload", "BLOB"}, {"Customer Code", "VARCHAR"},
                         {"select", "BIGINT"}};
  EXPECT_EQ(types, expected_types);

  Rows rows = duck_query(
      "SELECT id, name, amount::VARCHAR, ts::VARCHAR, day::VARCHAR, flag::VARCHAR, ratio::VARCHAR, "
      "hex(payload), "
      "\"Customer Code\", \"select\"::VARCHAR FROM " +
      parquet(staged) + " WHERE id <= 4 ORDER BY id");
  Rows expected = {{"1", "naïve café 😀", "12.30", "2024-01-02 03:04:05.123456", "2024-02-29",
                    "true", "0.1", "00FF7F80", "C-1", "7"},
                   {"2", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                    std::nullopt, std::nullopt, std::nullopt, std::nullopt},
                   {"3", "", "-99999.99", "1970-01-01 00:00:00", "0001-01-01", "false", "-1.5e+300",
                    "", "tab\there", "-9223372036854775808"},
                   {"4", "line1\nline2 \"quoted\" 'single' back\\slash,comma", "0.01",
                    "9999-12-31 23:59:59.999999", "9999-12-31", "true", "1e-300", all_bytes_hex(),
                    "NULL", "9223372036854775807"}};
  EXPECT_EQ(rows, expected);
  Rows generated =
      duck_query("SELECT count(*), sum(id), sum(amount)::VARCHAR, max(ts)::VARCHAR FROM " +
                 parquet(staged) + " WHERE id >= 5");
  EXPECT_EQ(generated, (Rows{{"2000", "2009000", "2009990.00", "2024-02-06 10:13:20"}}));
}

TEST_F(EmbeddedPipeline, SqliteToParquetToDuckDbAndBackComparesEqual) {
  ASSERT_EQ(dvt({"extract", "lite:items"}).exit_code, 0);
  std::string staged = dir_.file(".dvt/staging/items.parquet");
  DvtRun load = dvt({"load", staged, "wh:main.items"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  DvtRun back = dvt({"copy", "wh:main.items", "lite:items_back"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  DvtRun reread = dvt({"copy", "lite:items_back", dir_.file("back.parquet")});
  ASSERT_EQ(reread.exit_code, 0) << reread.err;

  std::string back_file = parquet(dir_.file("back.parquet"));
  // Same columns, same types, same values: no row differs in either direction.
  EXPECT_EQ(
      duck_query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + back_file + ")"),
      duck_query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + parquet(staged) +
                 ")"));
  EXPECT_EQ(duck_query("SELECT count(*) FROM (SELECT * FROM " + parquet(staged) +
                       " EXCEPT ALL SELECT * FROM " + back_file + ")"),
            (Rows{{"0"}}));
  EXPECT_EQ(duck_query("SELECT count(*) FROM (SELECT * FROM " + back_file +
                       " EXCEPT ALL SELECT * FROM " + parquet(staged) + ")"),
            (Rows{{"0"}}));
  EXPECT_EQ(duck_query("SELECT count(*) FROM " + back_file), (Rows{{"2004"}}));
  // The DuckDB table holds the same rows as the staging file.
  EXPECT_EQ(duck_query("ATTACH '" + warehouse_ +
                       "' AS wh (READ_ONLY); SELECT count(*) FROM (SELECT * FROM wh.items "
                       "EXCEPT ALL SELECT * FROM " +
                       parquet(staged) + ")"),
            (Rows{{"0"}}));
  // SQLite stored decimals as exact text, not as REAL.
  EXPECT_EQ(sqlite_query(lite_, "SELECT typeof(amount), amount FROM items_back WHERE id = 1"),
            (Rows{{"text", "12.30"}}));
}

TEST_F(EmbeddedPipeline, DirectCopyKeepsPrimaryKey) {
  DvtRun run = dvt({"copy", "lite:items", "wh:items_direct"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(
      duck_query(
          "ATTACH '" + warehouse_ +
          "' AS wh (READ_ONLY); SELECT constraint_column_names::VARCHAR FROM "
          "duckdb_constraints() WHERE database_name = 'wh' AND table_name = 'items_direct' AND "
          "constraint_type = 'PRIMARY KEY'"),
      (Rows{{"[id]"}}));
}

TEST_F(EmbeddedPipeline, StagingCarriesNotNullAndThePrimaryKeyToANewTable) {
  sqlite_exec(lite_, R"(
    CREATE TABLE keyed (region TEXT NOT NULL, n INTEGER NOT NULL, note TEXT, PRIMARY KEY (region, n));
    INSERT INTO keyed VALUES ('eu', 1, NULL), ('eu', 2, 'x'), ('us', 1, 'y');
  )");
  ASSERT_EQ(dvt({"extract", "lite:keyed"}).exit_code, 0);
  std::string staged = dir_.file(".dvt/staging/keyed.parquet");
  EXPECT_EQ(
      duck_query("SELECT decode(key), decode(value) FROM parquet_kv_metadata('" + staged + "')"),
      (Rows{{"dvt.schema", R"({"not_null":["region","n"],"primary_key":["region","n"]})"}}));

  auto constraints = [&](const std::string& table) {
    return duck_query(fmt::format(
        "ATTACH '{}' AS wh (READ_ONLY); SELECT c.column_name || ':' || c.is_nullable || ':' || "
        "coalesce((SELECT constraint_column_names::VARCHAR FROM duckdb_constraints() k WHERE "
        "k.database_name = "
        "'wh' AND k.table_name = '{}' AND k.constraint_type = 'PRIMARY KEY'), '-') FROM "
        "information_schema.columns c WHERE c.table_catalog = 'wh' AND c.table_name = '{}' ORDER "
        "BY "
        "c.ordinal_position",
        warehouse_, table, table));
  };
  DvtRun load = dvt({"load", staged, "wh:keyed_loaded"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(constraints("keyed_loaded"),
            (Rows{{"region:NO:[region, n]"}, {"n:NO:[region, n]"}, {"note:YES:[region, n]"}}));
  EXPECT_EQ(duck_query("ATTACH '" + warehouse_ +
                       "' AS wh (READ_ONLY); SELECT count(*) FROM wh.keyed_loaded"),
            (Rows{{"3"}}));

  // Without every key column the key is not kept; NOT NULL still is.
  DvtRun partial = dvt({"copy", staged, "wh:keyed_partial", "--columns", "n,note"});
  ASSERT_EQ(partial.exit_code, 0) << partial.err;
  EXPECT_EQ(constraints("keyed_partial"), (Rows{{"n:NO:-"}, {"note:YES:-"}}));
}

TEST_F(EmbeddedPipeline, DuckDbQueryIntoTheSameDuckDbFile) {
  ASSERT_EQ(dvt({"copy", "lite:items", "wh:items"}).exit_code, 0);
  DvtRun run = dvt({"copy", "wh", "wh:main.summary", "--query",
                    "SELECT flag, count(*) AS n, sum(amount) AS total FROM items GROUP BY flag"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(duck_query("ATTACH '" + warehouse_ +
                       "' AS wh (READ_ONLY); SELECT flag, n, total, typeof(total) FROM "
                       "wh.summary ORDER BY flag NULLS FIRST"),
            (Rows{{std::nullopt, "1", std::nullopt, "DECIMAL(38,2)"},
                  {"false", "1001", "905490.01", "DECIMAL(38,2)"},
                  {"true", "1002", "1004512.31", "DECIMAL(38,2)"}}));
}

TEST_F(EmbeddedPipeline, ColumnsWhereAndLimitArePushedDown) {
  std::string out = dir_.file("subset.parquet");
  DvtRun run = dvt({"copy", "lite:items", out, "--columns", "id,Customer Code", "--where",
                    "id > 10 AND id % 2 = 0", "--limit", "5"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(duck_query("SELECT id, \"Customer Code\" FROM " + parquet(out) + " ORDER BY id"),
            (Rows{{"12", "C-12"}, {"14", "C-14"}, {"16", "C-16"}, {"18", "C-18"}, {"20", "C-20"}}));
  EXPECT_EQ(duck_query("SELECT count(*) FROM (DESCRIBE SELECT * FROM " + parquet(out) + ")"),
            (Rows{{"2"}}));
}

TEST_F(EmbeddedPipeline, QuerySourceRunsInTheSourceDatabase) {
  std::string out = dir_.file("q.parquet");
  DvtRun run =
      dvt({"copy", "lite", out, "--query", "SELECT flag, count(*) AS n FROM items GROUP BY flag"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Expression columns have no declared type in SQLite: they travel as exact text.
  EXPECT_EQ(duck_query("SELECT flag, n FROM " + parquet(out) + " ORDER BY flag NULLS FIRST"),
            (Rows{{std::nullopt, "1"}, {"false", "1001"}, {"true", "1002"}}));
}

TEST_F(EmbeddedPipeline, StagingKeepsRowOrderWhereTheSourceDefinesOne) {
  // 300,000 rows stored in a scrambled order of k (rowid order: k = i * 7919 mod 300000).
  sqlite_exec(lite_, R"(
    CREATE TABLE big (k INTEGER NOT NULL, v TEXT);
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 299999)
    INSERT INTO big SELECT (i * 7919) % 300000, 'v' || i FROM n;
  )");
  auto staged = [&](const std::string& name) {
    return dir_.file(".dvt/staging/" + name + ".parquet");
  };
  // Rows whose place in the file is not what the order says, and all rows.
  auto misplaced = [&](const std::string& name, const std::string& expected_k) {
    return duck_query(
        fmt::format("SELECT count(*) FILTER (WHERE k <> {}), count(*) FROM read_parquet('{}', "
                    "file_row_number = true)",
                    expected_k, staged(name)));
  };

  DvtRun ordered =
      dvt({"extract", "lite", "--query", "SELECT k, v FROM big ORDER BY k DESC", "--name", "by_k"});
  ASSERT_EQ(ordered.exit_code, 0) << ordered.err;
  EXPECT_EQ(misplaced("by_k", "299999 - file_row_number"), (Rows{{"0", "300000"}}));

  DvtRun kept = dvt({"extract", "lite:big", "--keep-order", "--name", "kept"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_EQ(misplaced("kept", "(file_row_number * 7919) % 300000"), (Rows{{"0", "300000"}}));

  // A table has no order: its rows are encoded on two threads, every one of them there once.
  DvtRun any = dvt({"extract", "lite:big", "--name", "any"});
  ASSERT_EQ(any.exit_code, 0) << any.err;
  EXPECT_EQ(
      duck_query(fmt::format(
          "SELECT count(DISTINCT k), min(k), max(k), count(DISTINCT v), "
          "count(*) FILTER (WHERE v <> 'v' || ((k * 217679) % 300000)) FROM read_parquet('{}')",
          staged("any"))),
      (Rows{{"300000", "0", "299999", "300000", "0"}}));
}

TEST_F(EmbeddedPipeline, SameSqliteFileNeedsWalOrStaging) {
  DvtRun run = dvt({"copy", "lite:items", "lite:copy_of_items"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("source and target are the same file"), std::string::npos) << run.err;
  sqlite_exec(lite_, "PRAGMA journal_mode=WAL");
  run = dvt({"copy", "lite:items", "lite:copy_of_items"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(sqlite_query(lite_, "SELECT count(*) FROM copy_of_items"), (Rows{{"2004"}}));
}

TEST_F(EmbeddedPipeline, OverwriteTruncatesFullRefreshRecreatesAppendAppends) {
  ASSERT_EQ(dvt({"copy", "lite:items", "other:target"}).exit_code, 0);
  sqlite_exec(other_, "CREATE INDEX target_name ON target(name)");
  auto index_count = [&] {
    return sqlite_query(
        other_, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'target_name'");
  };
  auto row_count = [&] { return sqlite_query(other_, "SELECT count(*) FROM target"); };

  ASSERT_EQ(dvt({"copy", "lite:items", "other:target", "--where", "id <= 100"}).exit_code, 0);
  EXPECT_EQ(row_count(), (Rows{{"100"}}));
  EXPECT_EQ(index_count(), (Rows{{"1"}})) << "overwrite must keep the table (and its index)";

  ASSERT_EQ(dvt({"copy", "lite:items", "other:target", "--mode", "append", "--where", "id > 1994"})
                .exit_code,
            0);
  EXPECT_EQ(row_count(), (Rows{{"110"}}));

  ASSERT_EQ(
      dvt({"copy", "lite:items", "other:target", "--full-refresh", "--where", "id <= 3"}).exit_code,
      0);
  EXPECT_EQ(row_count(), (Rows{{"3"}}));
  EXPECT_EQ(index_count(), (Rows{{"0"}})) << "--full-refresh must drop and recreate";
}

TEST_F(EmbeddedPipeline, DuckDbOverwriteKeepsTableFullRefreshRecreates) {
  ASSERT_EQ(dvt({"copy", "lite:items", "wh:t"}).exit_code, 0);
  duck_query("ATTACH '" + warehouse_ + "' AS wh; COMMENT ON TABLE wh.t IS 'kept'");
  auto state = [&] {
    return duck_query(
        "ATTACH '" + warehouse_ +
        "' AS wh (READ_ONLY); SELECT (SELECT count(*) FROM wh.t), "
        "(SELECT comment FROM duckdb_tables() WHERE database_name = 'wh' AND table_name = 't')");
  };
  ASSERT_EQ(dvt({"copy", "lite:items", "wh:t", "--limit", "7"}).exit_code, 0);
  EXPECT_EQ(state(), (Rows{{"7", "kept"}}));
  ASSERT_EQ(
      dvt({"copy", "lite:items", "wh:t", "--where", "id > 1999", "--mode", "append"}).exit_code, 0);
  EXPECT_EQ(state(), (Rows{{"12", "kept"}}));
  ASSERT_EQ(dvt({"copy", "lite:items", "wh:t", "--limit", "2", "--full-refresh"}).exit_code, 0);
  EXPECT_EQ(state(), (Rows{{"2", std::nullopt}}));
}

TEST_F(EmbeddedPipeline, DuckDbOverwriteKeepsConstraintsIndexesCommentsAndViews) {
  duck_query("ATTACH '" + warehouse_ +
             "' AS wh; CREATE SCHEMA wh.\"Sales Data\"; "
             "CREATE TABLE wh.\"Sales Data\".\"Order Lines\" (id BIGINT PRIMARY KEY, "
             "name VARCHAR NOT NULL CHECK (length(name) < 40), note VARCHAR DEFAULT 'none'); "
             "CREATE INDEX \"By Name\" ON wh.\"Sales Data\".\"Order Lines\" (name); "
             "COMMENT ON TABLE wh.\"Sales Data\".\"Order Lines\" IS 'kept'; "
             "COMMENT ON COLUMN wh.\"Sales Data\".\"Order Lines\".name IS 'it''s a name'; "
             "COMMENT ON INDEX wh.\"Sales Data\".\"By Name\" IS 'for lookups'; "
             "CREATE VIEW wh.\"Sales Data\".firsts AS SELECT id, note FROM "
             "wh.\"Sales Data\".\"Order Lines\" WHERE id < 7; "
             "INSERT INTO wh.\"Sales Data\".\"Order Lines\" VALUES (100, 'old', 'old note')");
  const std::string where =
      "database_name = 'wh' AND schema_name = 'Sales Data' AND table_name = 'Order Lines'";
  auto definition = [&] {
    return duck_query("ATTACH '" + warehouse_ +
                      "' AS wh (READ_ONLY); SELECT (SELECT sql FROM "
                      "duckdb_tables() WHERE " +
                      where +
                      "), (SELECT string_agg(sql, ';') FROM "
                      "duckdb_indexes() WHERE " +
                      where + "), (SELECT string_agg(comment, ';') FROM duckdb_indexes() WHERE " +
                      where +
                      "), (SELECT comment FROM "
                      "duckdb_tables() WHERE " +
                      where +
                      "), (SELECT comment FROM "
                      "duckdb_columns() WHERE " +
                      where + " AND column_name = 'name')");
  };
  const Rows before = definition();
  ASSERT_EQ(before[0][2], "for lookups");
  ASSERT_EQ(before[0][3], "kept");
  ASSERT_EQ(before[0][4], "it's a name");
  DvtRun run = dvt({"copy", "lite:items", "wh:Sales Data.Order Lines", "--columns", "id,name",
                    "--where", "id BETWEEN 5 AND 8"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(definition(), before);
  EXPECT_EQ(duck_query("ATTACH '" + warehouse_ +
                       "' AS wh (READ_ONLY); SELECT id, name, note FROM "
                       "wh.\"Sales Data\".\"Order Lines\" ORDER BY id"),
            (Rows{{"5", "row 5", "none"},
                  {"6", "row 6", "none"},
                  {"7", "row 7", "none"},
                  {"8", "row 8", "none"}}));
  EXPECT_EQ(duck_query("ATTACH '" + warehouse_ +
                       "' AS wh (READ_ONLY); SELECT id, note FROM wh.\"Sales Data\".firsts "
                       "ORDER BY id"),
            (Rows{{"5", "none"}, {"6", "none"}}));
  // The CHECK constraint came back with the table: a name of 40 characters
  // or more fails the load and leaves the table, its index and comments.
  sqlite_exec(lite_, "UPDATE items SET name = printf('%050d', id) WHERE id = 2004");
  DvtRun failed = dvt({"copy", "lite:items", "wh:Sales Data.Order Lines", "--columns", "id,name",
                       "--where", "id > 2000"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_NE(failed.err.find("CHECK"), std::string::npos) << failed.err;
  EXPECT_EQ(definition(), before);
  EXPECT_EQ(duck_query("ATTACH '" + warehouse_ +
                       "' AS wh (READ_ONLY); SELECT count(*) FROM "
                       "wh.\"Sales Data\".\"Order Lines\""),
            (Rows{{"4"}}));
}

TEST_F(EmbeddedPipeline, DuckDbOverwriteOfATableAForeignKeyPointsAtKeepsTheKey) {
  duck_query("ATTACH '" + warehouse_ +
             "' AS wh; USE wh; CREATE TABLE parent (id BIGINT PRIMARY KEY, name VARCHAR); "
             "CREATE TABLE child (parent_id BIGINT REFERENCES PARENT (ID)); "
             "INSERT INTO parent VALUES (1, 'old'); "
             // A CHECK calling a macro only binds with this file in USE; the
             // catalog functions that list constraints bind it too.
             "CREATE MACRO plus2(x) AS x + 2; "
             "CREATE TABLE guarded (id BIGINT, CHECK (plus2(id) > 0)); "
             "CREATE TABLE plain (id BIGINT PRIMARY KEY, name VARCHAR); "
             "INSERT INTO plain VALUES (1, 'old')");
  DvtRun run = dvt({"copy", "lite:items", "wh:parent", "--columns", "id,name", "--limit", "3"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = dvt({"copy", "lite:items", "wh:plain", "--columns", "id,name", "--limit", "2"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  run = dvt({"copy", "wh:plain", dir_.file("plain.parquet")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(
      duck_query("SELECT string_agg(id::VARCHAR || coalesce(name, '-'), ',' ORDER BY id) FROM '" +
                 dir_.file("plain.parquet") + "'"),
      (Rows{{"1naïve café 😀,2-"}}));
  EXPECT_EQ(
      duck_query("ATTACH '" + warehouse_ +
                 "' AS wh (READ_ONLY); USE wh; SELECT constraint_type FROM duckdb_constraints() "
                 "WHERE database_name = 'wh' AND lower(referenced_table) = 'parent'"),
      (Rows{{"FOREIGN KEY"}}));
  EXPECT_EQ(duck_query("ATTACH '" + warehouse_ +
                       "' AS wh (READ_ONLY); SELECT string_agg(id::VARCHAR, ',' ORDER BY id) "
                       "FROM wh.parent"),
            (Rows{{"1,2,3"}}));
}

TEST_F(EmbeddedPipeline, TheTargetFilesMacrosDoNotShadowWhatTheSourceCalls) {
  ASSERT_EQ(dvt({"copy", "lite:items", dir_.file("items.parquet"), "--columns", "id,name",
                 "--limit", "2"})
                .exit_code,
            0);
  duck_query("ATTACH '" + warehouse_ +
             "' AS wh; USE wh; CREATE TABLE t (id BIGINT, name VARCHAR); "
             "INSERT INTO t VALUES (1, 'old'); "
             "CREATE MACRO read_parquet(p) AS TABLE SELECT 99::BIGINT AS id, 'shadow' AS name; "
             "CREATE MACRO dvt_scan_1() AS TABLE SELECT 98::BIGINT AS id, 'shadow' AS name");
  auto rows = [&] {
    return duck_query("ATTACH '" + warehouse_ +
                      "' AS wh (READ_ONLY); SELECT string_agg(id::VARCHAR || coalesce(name, '-'), "
                      "',' ORDER BY id) FROM wh.t");
  };
  DvtRun run = dvt({"load", dir_.file("items.parquet"), "wh:t"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(rows(), (Rows{{"1naïve café 😀,2-"}}));
  run =
      dvt({"copy", "lite:items", "wh:t", "--columns", "id,name", "--where", "id BETWEEN 5 AND 6"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(rows(), (Rows{{"5row 5,6row 6"}}));
}

TEST_F(EmbeddedPipeline, DuckDbTableOverwrittenFromAQueryOverItselfKeepsTheRowsItSelects) {
  ASSERT_EQ(dvt({"copy", "lite:items", "wh:t"}).exit_code, 0);
  auto state = [&] {
    return duck_query("ATTACH '" + warehouse_ +
                      "' AS wh (READ_ONLY); SELECT count(*), sum(id) FROM wh.t");
  };
  DvtRun run = dvt({"copy", "wh", "--query", "SELECT * FROM t WHERE id <= 10", "wh:t"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(state(), (Rows{{"10", "55"}}));
  run = dvt({"copy", "wh:t", "wh:t", "--full-refresh"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(state(), (Rows{{"10", "55"}}));
  run = dvt({"copy", "wh", "--query", "SELECT id + 100 AS id, name FROM t WHERE id <= 2", "wh:t",
             "--mode", "append"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(state(), (Rows{{"12", "258"}}));
  // A table named like the temp table keeps its index.
  duck_query("ATTACH '" + warehouse_ +
             "' AS wh; CREATE TABLE wh.dvt_incoming AS SELECT id, name FROM wh.t; "
             "CREATE INDEX incoming_name ON wh.dvt_incoming (name)");
  run = dvt({"copy", "wh:dvt_incoming", "wh:dvt_incoming"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(duck_query("ATTACH '" + warehouse_ +
                       "' AS wh (READ_ONLY); SELECT (SELECT count(*) FROM wh.dvt_incoming), "
                       "(SELECT index_name FROM duckdb_indexes() WHERE database_name = 'wh' AND "
                       "table_name = 'dvt_incoming')"),
            (Rows{{"12", "incoming_name"}}));
}

TEST_F(EmbeddedPipeline, FailedLoadLeavesDuckDbTargetAsItWas) {
  ASSERT_EQ(dvt({"copy", "lite:items", "wh:guarded", "--limit", "3"}).exit_code, 0);
  duck_query("ATTACH '" + warehouse_ +
             "' AS wh; CREATE TABLE wh.checked (id BIGINT CHECK (id < 2000), name VARCHAR); "
             "INSERT INTO wh.checked VALUES (1, 'old')");
  // The last rows (id >= 2000) violate the CHECK constraint.
  DvtRun run = dvt({"copy", "lite:items", "wh:checked", "--columns", "id,name"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("CHECK"), std::string::npos) << run.err;
  EXPECT_EQ(
      duck_query("ATTACH '" + warehouse_ + "' AS wh (READ_ONLY); SELECT id, name FROM wh.checked"),
      (Rows{{"1", "old"}}));
}

TEST_F(EmbeddedPipeline, FailedLoadLeavesSqliteTargetAsItWas) {
  sqlite_exec(other_,
              "CREATE TABLE checked (id INTEGER CHECK (id < 2000), name TEXT); INSERT INTO checked "
              "VALUES (1, 'old')");
  DvtRun run = dvt({"copy", "lite:items", "other:checked", "--columns", "id,name"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("CHECK constraint failed"), std::string::npos) << run.err;
  EXPECT_EQ(sqlite_query(other_, "SELECT id, name FROM checked"), (Rows{{"1", "old"}}));
}

TEST_F(EmbeddedPipeline, ValueThatDoesNotFitItsDeclaredTypeStopsTheJob) {
  sqlite_exec(
      lite_,
      "CREATE TABLE messy (id INTEGER, n INTEGER); INSERT INTO messy VALUES (1, 5), (2, 'five')");
  DvtRun run = dvt({"copy", "lite:messy", dir_.file("messy.parquet")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("row 2 column \"n\""), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("TEXT value is not an integer"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.file("messy.parquet")));
}

TEST_F(EmbeddedPipeline, JsonLogFormatPrintsEventsAndResult) {
  DvtRun run =
      dvt({"--log-format", "json", "copy", "lite:items", dir_.file("j.parquet"), "--limit", "10"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  while (start < run.out.size()) {
    size_t end = run.out.find('\n', start);
    lines.push_back(nlohmann::json::parse(run.out.substr(start, end - start)));
    start = end + 1;
  }
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines.front()["event"], "copy.start");
  const nlohmann::json& result = lines.back();
  EXPECT_EQ(result["event"], "result");
  EXPECT_EQ(result["status"], "success");
  EXPECT_EQ(result["rows"], 10);
  EXPECT_EQ(result["source"], "lite:items");
  EXPECT_EQ(result["method"]["source"], "native");
  EXPECT_EQ(result["fallbacks"], nlohmann::json::array());
  EXPECT_EQ(run.err, "");
}

TEST_F(EmbeddedPipeline, NoProgressLineWhenNotATerminal) {
  DvtRun run = dvt({"copy", "lite:items", dir_.file("p.parquet")});
  ASSERT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.err.find('\r'), std::string::npos);
}

TEST(EmbeddedErrors, BadProfileExitsTwoWithTheMessage) {
  TempDir dir;
  write_file(dir.file("profiles.yml"),
             "p:\n  outputs:\n    lite:\n      type: sqlite3x\n      path: a.db\n");
  DvtRun run = run_dvt({"--profiles-dir", dir.path(), "copy", "lite:t", dir.file("t.parquet")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(dir.file("profiles.yml") + ":4"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("unknown adapter type 'sqlite3x'"), std::string::npos) << run.err;
}

TEST(EmbeddedErrors, UnknownOutputExitsTwoListingOutputs) {
  TempDir dir;
  write_file(dir.file("profiles.yml"),
             "p:\n  outputs:\n    lite:\n      type: sqlite\n      path: a.db\n");
  DvtRun run = run_dvt({"--profiles-dir", dir.path(), "copy", "nope:t", dir.file("t.parquet")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("no output named 'nope' (outputs: lite)"), std::string::npos) << run.err;
}

TEST(EmbeddedErrors, MissingEnvVarExitsTwoNamingIt) {
  TempDir dir;
  write_file(dir.file("profiles.yml"),
             "p:\n  outputs:\n    lite:\n      type: sqlite\n      path: \"{{ "
             "env_var('DVT_NO_SUCH_VAR') }}\"\n");
  DvtRun run = run_dvt({"--profiles-dir", dir.path(), "copy", "lite:t", dir.file("t.parquet")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("DVT_NO_SUCH_VAR is not set"), std::string::npos) << run.err;
}

TEST(EmbeddedErrors, MissingEnvVarStopsOnlyTheJobsThatUseItsOutput) {
  TempDir dir;
  sqlite_exec(dir.file("source.db"), "CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1), (2)");
  write_file(dir.file("profiles.yml"),
             fmt::format("p:\n  outputs:\n    lite:\n      type: sqlite\n      path: {}\n"
                         "    prod:\n      type: postgres\n      host: db.invalid\n"
                         "      user: etl\n      password: \"{{{{ env_var('DVT_NO_SUCH_PASSWORD') "
                         "}}}}\"\n      dbname: prod\n",
                         dir.file("source.db")));
  DvtRun copy = run_dvt({"--profiles-dir", dir.path(), "copy", "lite:t", dir.file("t.parquet")});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_EQ(duck_query("SELECT sum(id) FROM '" + dir.file("t.parquet") + "'"), (Rows{{"3"}}));
  DvtRun prod = run_dvt({"--profiles-dir", dir.path(), "copy", "lite:t", "prod:t"});
  EXPECT_EQ(prod.exit_code, 2);
  EXPECT_NE(prod.err.find("(output 'prod', field 'password'): environment variable "
                          "DVT_NO_SUCH_PASSWORD is not set"),
            std::string::npos)
      << prod.err;
  DvtRun debug = run_dvt({"--profiles-dir", dir.path(), "debug", "--json"});
  EXPECT_EQ(debug.exit_code, 1);
  nlohmann::json report = nlohmann::json::parse(debug.out);
  ASSERT_EQ(report["outputs"].size(), 2u);
  EXPECT_EQ(report["outputs"][0]["output"], "lite");
  EXPECT_EQ(report["outputs"][0]["ok"], true);
  EXPECT_EQ(report["outputs"][1]["output"], "prod");
  EXPECT_EQ(report["outputs"][1]["ok"], false);
  EXPECT_NE(report["outputs"][1]["error"].get<std::string>().find("DVT_NO_SUCH_PASSWORD"),
            std::string::npos);
}

TEST(EmbeddedErrors, UsageErrorsExitTwo) {
  EXPECT_EQ(run_dvt({"copy", "only-one-endpoint"}).exit_code, 2);
  EXPECT_EQ(run_dvt({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run_dvt({"copy", "a:t", "b.parquet", "--mode", "sideways"}).exit_code, 2);
  DvtRun version = run_dvt({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, "dvt 0.1.0 (duckdb v1.4.4)\n");
}

}  // namespace
}  // namespace dvt::test
