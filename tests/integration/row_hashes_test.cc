// Row hashes come from one encoding (Dialect::row_hash) on every database:
// the hashes below are the ones the hand-written SQL of the previous release
// computed on the same tables (captured from its build), so a row's hash
// stays what the hashes files of earlier runs hold. The same rows hash the
// same on PostgreSQL, MySQL and ClickHouse, and on both tiers of each.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "connectors/connector.h"
#include "engine/engine.h"
#include "integration/clickhouse_support.h"
#include "integration/mysql_support.h"
#include "integration/postgres_support.h"
#include "project/profiles.h"
#include "support/embedded.h"

namespace dvt::test {
namespace {

// _pk, _hash of `table` through `method`, ordered by _pk.
Rows hashes_through(const std::string& profiles_dir, const std::string& output,
                    const TableRef& table, Method method) {
  ProfileContext profiles(profiles_dir, "", "");
  Engine engine;
  std::unique_ptr<Connector> connector = make_connector(profiles.output(output, "test"), engine);
  ScanRequest scan;
  scan.table = table;
  scan.method = method;
  Source source = connector->open_row_hashes(engine, scan, nullptr);
  return engine.query_strings("SELECT _pk, _hash FROM " + source.relation + " ORDER BY _pk");
}

// Three rows of a composite key, on every database.
const Rows kCompositeHashes = {
    {"V1:xV1:1V10:2024-01-01", "220e515ae7f5c3c6552aa2c118ac9341"},
    {"V6:q'uoteV1:0V10:1999-01-01", "7c526431b5b7b8780e81283aa832add5"},
    {"V6:\u65e5\u672cV2:-5V10:2000-01-01", "7fb33178f5e83ccbccaedd6ab8775a0c"}};
// A row of an int key and NULLs in every other column of the types table.
const char* kAllNullHash = "7aec4b1a3ea68442a1e74189086fbcb3";

TEST(RowHashes, PostgresMatchesThePreviousReleaseOnBothTiers) {
  pgtest::PgTestSchema schema("rowhash");
  schema.db().exec(fmt::format(R"(
CREATE TABLE {0}.types (id int PRIMARY KEY, a int2, b int8, c numeric(10,3), d float4, e float8,
  f text, g varchar(10), h char(5), i bool, j date, k timestamp, l timestamptz, m time,
  n interval, o bytea, p uuid, q json, r jsonb, s int[], t text[], u inet, v numeric);
INSERT INTO {0}.types VALUES (1, 1, 9007199254740993, 1.500, 0.1, 0.1, 'é|"x''\n', 'abc', 'ab',
  true, '2024-02-29', '2024-01-01 10:00:00.123456', '2024-01-01 10:00:00+05', '23:59:59.5',
  '1 day 02:00:00', '\x00ff', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{{"a": 1}}',
  '{{"b": [1, 2]}}', '{{1,2,NULL}}', '{{"a b", "c"}}', '10.0.0.1/8',
  123456789012345678901234567890.123),
(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(3, -32768, -1, -0.001, 'NaN', '-Infinity', '', '', '', false, '0001-01-01', '1970-01-01',
  '1999-12-31 23:59:59.999999+00', '00:00', '-1 mons', '\x', '00000000-0000-0000-0000-000000000000',
  'null', '[]', '{{}}', '{{}}', '::1', 'NaN');
CREATE TABLE {0}.comp (a text, b int, c date, v text, PRIMARY KEY (a, b, c));
INSERT INTO {0}.comp VALUES ('x', 1, '2024-01-01', 'v'), ('日本', -5, '2000-01-01', NULL),
  ('q''uote', 0, '1999-01-01', 'w');)",
                               schema.name()));
  const Rows types = {{"1", "fd1cc019c0a0778c8d9a2b461fb83462"},
                      {"2", kAllNullHash},
                      {"3", "0a9bf6211940b8d4425419d15bef6658"}};
  for (Method method : {Method::kNative, Method::kPipe}) {
    SCOPED_TRACE(method_name(method));
    EXPECT_EQ(hashes_through(schema.dir(), "pg", {schema.name(), "types"}, method), types);
    EXPECT_EQ(hashes_through(schema.dir(), "pg", {schema.name(), "comp"}, method),
              kCompositeHashes);
  }
}

TEST(RowHashes, MysqlMatchesThePreviousReleaseOnBothTiers) {
  MysqlTestConnection db;
  TempDir dir;
  write_mysql_profiles(dir.path());
  db.exec("DROP TABLE IF EXISTS rh_types, rh_comp, rh_unique");
  db.exec(R"(CREATE TABLE rh_types (id INT PRIMARY KEY, a TINYINT, b BIGINT UNSIGNED,
  c DECIMAL(10,3), d FLOAT, e DOUBLE, f BIT(8), g CHAR(5), h VARCHAR(20), i TEXT, j BINARY(3),
  k VARBINARY(10), l BLOB, m DATE, n DATETIME(6), o TIMESTAMP(3) NULL, p TIME, q YEAR, r JSON,
  s ENUM('x','y'), t SET('a','b'), u TINYINT(1), w VARCHAR(10) CHARACTER SET latin1) ENGINE=InnoDB)");
  db.exec(R"(INSERT INTO rh_types VALUES (1, -128, 18446744073709551615, 1.500, 0.1, 0.1,
  b'10101010', 'ab', 'é|"x''', 'long text', 'ab', 0x00ff, 0x01, '2024-02-29',
  '2024-01-01 10:00:00.123456', '2024-01-01 10:00:00.5', '-838:59:59', 2024, '{"a": 1}', 'y',
  'a,b', 1, 'café'),
(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(3, 0, 0, -0.001, -0, 1e308, b'0', '', '', '', '', '', '', '1000-01-01', '1000-01-01 00:00:00',
  '1970-01-01 00:00:01', '00:00:00', 1901, '[]', 'x', '', 0, ''))");
  db.exec(
      "CREATE TABLE rh_comp (a VARCHAR(10), b INT, c DATE, v TEXT, PRIMARY KEY (a, b, c)); "
      "INSERT INTO rh_comp VALUES ('x', 1, '2024-01-01', 'v'), ('日本', -5, '2000-01-01', NULL), "
      "('q''uote', 0, '1999-01-01', 'w')");
  db.exec(
      "CREATE TABLE rh_unique (code VARCHAR(10) NOT NULL, v INT, UNIQUE KEY (code)); INSERT INTO "
      "rh_unique VALUES ('k1', 1), ('k2', NULL)");
  const Rows types = {{"1", "85aa4a41b852b0723c26faf3d43dc3fb"},
                      {"2", kAllNullHash},
                      {"3", "9b94046eada90d3454c35ab86fe7a4b8"}};
  for (Method method : {Method::kNative, Method::kPipe}) {
    SCOPED_TRACE(method_name(method));
    EXPECT_EQ(hashes_through(dir.path(), "my", {"", "rh_types"}, method), types);
    EXPECT_EQ(hashes_through(dir.path(), "my", {"", "rh_comp"}, method), kCompositeHashes);
    EXPECT_EQ(hashes_through(dir.path(), "my", {"", "rh_unique"}, method),
              (Rows{{"k1", "34295e7cf3e584f578ed2e1d747b6430"},
                    {"k2", "c66976e39ce05560f2cc7edafd743307"}}));
  }
}

TEST(RowHashes, ClickHouseMatchesThePreviousReleaseOnBothTiers) {
  chtest::ChTestDatabase database("rowhash");
  database.db().exec(fmt::format(
      "CREATE TABLE {} (id UInt32, a Int8, b UInt64, c Decimal(10,3), d Float32, e Float64, f "
      "String, g FixedString(4), h Date, i DateTime, j Nullable(String), k Nullable(Int64), l "
      "UUID, m Array(Int32), n Enum8('x'=1,'y'=2), p Nullable(Decimal(12,2))) ENGINE = MergeTree "
      "ORDER BY id",
      database.table("types")));
  database.db().exec(
      fmt::format(R"(INSERT INTO {} VALUES (1, -128, 18446744073709551615, 1.5, 0.1, 0.1,
  'é|"x\'', 'ab', '2024-02-29', '2024-01-01 10:00:00', 'n', 5,
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', [1,2], 'y', 1.25), (2, 0, 0, 0, 0, 0, '', '',
  '1970-01-01', '1970-01-01 00:00:00', NULL, NULL, '00000000-0000-0000-0000-000000000000', [], 'x',
  NULL))",
                  database.table("types")));
  database.db().exec(
      fmt::format("CREATE TABLE {} (a String, b Int32, c Date, v Nullable(String)) ENGINE = "
                  "MergeTree ORDER BY (a, b, c)",
                  database.table("comp")));
  database.db().exec(
      fmt::format("INSERT INTO {} VALUES ('x', 1, '2024-01-01', 'v'), ('日本', -5, '2000-01-01', "
                  "NULL), ('q''uote', 0, '1999-01-01', 'w')",
                  database.table("comp")));
  for (Method method : {Method::kNative, Method::kPipe}) {
    SCOPED_TRACE(method_name(method));
    EXPECT_EQ(hashes_through(database.dir(), "ch", {database.name(), "types"}, method),
              (Rows{{"1", "594d747eed29953e4ce3224805220f43"},
                    {"2", "b15821b40ffa78d8fc54bf3943a5f708"}}));
    EXPECT_EQ(hashes_through(database.dir(), "ch", {database.name(), "comp"}, method),
              kCompositeHashes);
  }
}

// SQLite and DuckDB follow the same contract (in SQLite through dvt_md5).
TEST(RowHashes, SqliteAndDuckDbFollowTheContract) {
  TempDir dir;
  const std::string lite = dir.file("h.db"), duck = dir.file("h.duckdb");
  sqlite_exec(lite,
              "CREATE TABLE comp (a TEXT, b INTEGER, c DATE, v TEXT, PRIMARY KEY (a, b, c)); "
              "INSERT INTO comp VALUES ('x', 1, '2024-01-01', 'v'), ('日本', -5, '2000-01-01', "
              "NULL), ('q''uote', 0, '1999-01-01', 'w'); CREATE TABLE t (id INTEGER PRIMARY KEY, "
              "r REAL, b BLOB, s TEXT); INSERT INTO t VALUES (1, 0.1, x'00ff', 'é'), (2, NULL, "
              "NULL, NULL)");
  duck_query(fmt::format(
      "ATTACH '{}' AS d; CREATE TABLE d.comp (a VARCHAR, b INTEGER, c DATE, v VARCHAR, PRIMARY "
      "KEY (a, b, c)); INSERT INTO d.comp VALUES ('x', 1, '2024-01-01', 'v'), ('日本', -5, "
      "'2000-01-01', NULL), ('q''uote', 0, '1999-01-01', 'w'); CREATE TABLE d.t (id INTEGER "
      "PRIMARY KEY, r DOUBLE, b BLOB, s VARCHAR); INSERT INTO d.t VALUES (1, 0.1, '\\x00\\xFF', "
      "'é'), (2, NULL, NULL, NULL)",
      duck));
  write_profiles(dir.path(), fmt::format("test:\n  target: lite\n  outputs:\n    lite:\n      "
                                         "type: sqlite\n      path: {}\n    duck:\n      type: "
                                         "duckdb\n      path: {}\n",
                                         lite, duck));
  auto md5 = [](const std::string& text) {
    std::string quoted;
    for (char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    return *duck_query("SELECT md5('" + quoted + "')")[0][0];
  };
  for (const char* output : {"lite", "duck"}) {
    SCOPED_TRACE(output);
    EXPECT_EQ(hashes_through(dir.path(), output, {"", "comp"}, Method::kAuto), kCompositeHashes);
  }
  // Each database's own text of a double (17 significant digits in SQLite,
  // the shortest exact one in DuckDB) and of bytes.
  EXPECT_EQ(hashes_through(dir.path(), "lite", {"", "t"}, Method::kAuto),
            (Rows{{"1", md5("V1:1V19:0.10000000000000001V4:00ffV2:é")}, {"2", md5("V1:2NNN")}}));
  EXPECT_EQ(hashes_through(dir.path(), "duck", {"", "t"}, Method::kAuto),
            (Rows{{"1", md5("V1:1V3:0.1V8:\\x00\\xFFV2:é")}, {"2", md5("V1:2NNN")}}));
}

}  // namespace
}  // namespace dvt::test
