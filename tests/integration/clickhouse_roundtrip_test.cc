// Every ClickHouse type of issue 5, with edge values, goes CH -> Parquet -> CH
// through the HTTP tier and through clickhouse-client without a single
// differing row; the Parquet file holds the exact DuckDB types; String
// bytes that are not UTF-8 stop the job under the default rule and travel
// unchanged as BLOB under `strings: blob`.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "engine/engine.h"
#include "integration/clickhouse_support.h"

namespace dvt::test::chtest {
namespace {

constexpr const char* kAllTypesColumns = R"sql((
  id UInt32,
  i8 Int8, i16 Int16, i32 Int32, i64 Int64,
  u8 UInt8, u16 UInt16, u32 UInt32, u64 UInt64,
  f32 Float32, f64 Float64,
  d4 Decimal(4, 1), d9 Decimal32(2), d18 Decimal(18, 6), d38 Decimal(38, 10),
  s String, fs FixedString(4),
  dt Date, ts DateTime, ts_tokyo DateTime('Asia/Tokyo'), ts_utc DateTime('UTC'),
  u UUID,
  e8 Enum8('a' = 1, 'b c' = -2, 'it\'s' = 127), e16 Enum16('x' = -1000, 'y' = 30000),
  n_i32 Nullable(Int32), n_s Nullable(String), n_dec Nullable(Decimal(12, 2)), n_ts Nullable(DateTime),
  lc LowCardinality(String), lc_n LowCardinality(Nullable(String)),
  a_i32 Array(Int32), a_s Array(String), a_n Array(Nullable(Float64)), a_a Array(Array(UInt8)), a_d Array(Date),
  a_lc Array(LowCardinality(String)),
  `Customer Code` String, `select` Int32, `back``tick "q"` String
) ENGINE = MergeTree ORDER BY id)sql";

constexpr const char* kAllTypesRows = R"sql(
(1, 1, 2, 3, 4, 5, 6, 7, 8, 1.5, 2.25, 12.3, 1234.56, 123456789012.345678, 1234567890123456789012345678.0123456789,
 'hello', 'abcd', '2024-02-29', '2024-02-29 12:34:56', '2024-02-29 12:34:56', '2024-02-29 12:34:56',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a', 'x', 42, 'v', 12.34, '2020-01-01 00:00:00',
 'lc1', 'lcn', [1, 2, 3], ['a', 'b c'], [1.5, NULL], [[1, 2], [], [3]], ['2024-01-01'], ['p', 'q'],
 'CC-1', 7, 'bq'),
(2, -128, -32768, -2147483648, -9223372036854775808, 0, 0, 0, 0, -0., -0., -999.9, -9999999.99,
 -999999999999.999999, -9999999999999999999999999999.9999999999,
 '', '', '1970-01-02', '1970-01-01 00:00:01', '1970-01-01 09:00:01', '1970-01-01 00:00:01',
 '00000000-0000-0000-0000-000000000000', 'b c', 'y', NULL, NULL, NULL, NULL,
 '', NULL, [], [], [], [], [], [],
 '', 0, ''),
(3, 127, 32767, 2147483647, 9223372036854775807, 255, 65535, 4294967295, 18446744073709551615,
 inf, -inf, 999.9, 9999999.99, 999999999999.999999, 9999999999999999999999999999.9999999999,
 'tab\there\nnewline\\back \'single\' "double" ,comma \xF0\x9D\x84\x9E \xC3\xA9', 'ab',
 '2105-12-31', '2105-12-31 23:59:59', '2105-12-31 23:59:59', '2105-12-31 23:59:59',
 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'it\'s', 'x', 2147483647, 'NULL', -9999999999.99, '2105-12-31 23:59:59',
 'x', '', [-2147483648, 2147483647], ['', '\\N', 'NULL', '\t'], [NULL, -0.], [[255]], ['2105-12-31', '1970-01-02'],
 [''], 'x', -1, '\n'),
(4, 0, 0, 0, 0, 1, 1, 1, 1, nan, nan, 0, 0, 0, 0,
 '\0nul\0', '\0\0\0\0', '2000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00', '2000-01-01 00:00:00',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 'a', 'y', 0, '', 0, '2000-01-01 00:00:00',
 'lc1', 'lc1', [0], [''], [nan], [[0, 0]], ['2000-01-01'], ['p'],
 'x', 2147483647, '`'),
(5, 1, 1, 1, 1, 1, 1, 1, 1, 3.4028235e38, 1.7976931348623157e308, 0.1, 0.01, 0.000001, 0.0000000001,
 'plain', 'zz', '2024-01-01', '2024-03-10 07:30:00', '2024-03-10 07:30:00', '2024-03-10 07:30:00',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', 'a', 'x', -1, 'x', 0.01, '2024-03-10 07:30:00',
 'lc2', NULL, [1], ['x'], [0.1], [[1]], ['2024-01-01'], ['q'],
 'y', 1, 'z'),
(6, 1, 2, 3, 4, 5, 6, 7, 8, 1.5, reinterpretAsFloat64(unhex('0100000000000000')), 12.3, 1234.56, 1, 1,
 'subnormal', 'abcd', '2024-02-29', '2024-02-29 12:34:56', '2024-02-29 12:34:56', '2024-02-29 12:34:56',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a', 'x', 42, 'v', 12.34, '2020-01-01 00:00:00',
 'lc1', 'lcn', [1], ['a'], [reinterpretAsFloat64(unhex('0100000000000000'))], [[1]], ['2024-01-01'], ['p'],
 'CC-6', 6, 'b')
)sql";

// Float columns compared by their bit patterns too: TabSeparated text does
// not tell NaN payloads apart.
constexpr const char* kFloatBits =
    "hex(reinterpretAsString(f32)), hex(reinterpretAsString(f64)), "
    "arrayMap(x -> hex(reinterpretAsString(assumeNotNull(x))), a_n)";

class ClickHouseRoundTrip : public ::testing::Test {
 protected:
  explicit ClickHouseRoundTrip(const std::string& name = "roundtrip") : db_(name) {
    db_.db().exec(fmt::format("CREATE TABLE {} {}", db_.table("all_types"), kAllTypesColumns));
    // Row 6 holds the smallest subnormal double (18.16 parses the literal 5e-324 as 0).
    db_.db().exec(fmt::format("INSERT INTO {} VALUES {}", db_.table("all_types"), kAllTypesRows));
  }

  // Extracts `table` to Parquet and loads it into `back` (same DDL) with
  // `method`; the rows must be sent in `format`.
  void round_trip(const std::string& method, const std::string& table = "all_types",
                  const std::string& format = "RowBinary") {
    db_.db().exec(fmt::format("CREATE TABLE {} AS {}", db_.table("back"), db_.table(table)));
    DvtRun extract =
        db_.dvt({"extract", db_.endpoint(table), "--staging-dir", db_.dir(), "--method", method});
    ASSERT_EQ(extract.exit_code, 0) << extract.err;
    EXPECT_NE(extract.out.find(fmt::format("method: {}", method)), std::string::npos)
        << extract.out;
    DvtRun load = db_.dvt(
        {"-v", "load", db_.file(table + ".parquet"), db_.endpoint("back"), "--method", method});
    ASSERT_EQ(load.exit_code, 0) << load.err;
    EXPECT_NE(load.err.find("sending rows as " + format), std::string::npos) << load.err;
    EXPECT_EQ(db_.db().value(fmt::format("SELECT count() FROM {}", db_.table("back"))), "6");
    EXPECT_EQ(differing_rows(db_.db(), db_.table(table), db_.table("back"), kFloatBits), 0);
  }

  // all_types without its LowCardinality columns: loads of it go as Native.
  void create_native_types() {
    db_.db().exec(fmt::format("CREATE TABLE {} ENGINE = MergeTree ORDER BY id AS SELECT * FROM {}",
                              db_.table("native_types"), db_.table("all_types")));
    for (const char* column : {"lc", "lc_n", "a_lc"}) {
      db_.db().exec(
          fmt::format("ALTER TABLE {} DROP COLUMN {}", db_.table("native_types"), column));
    }
  }

  ChTestDatabase db_;
};

TEST_F(ClickHouseRoundTrip, TypeTableRoundTripsThroughParquetOverHttp) {
  round_trip("native");
}

TEST_F(ClickHouseRoundTrip, TypeTableRoundTripsThroughParquetThroughClickhouseClient) {
  round_trip("pipe");
}

TEST_F(ClickHouseRoundTrip, TypeTableWithoutLowCardinalityRoundTripsAsNativeOverHttp) {
  create_native_types();
  round_trip("native", "native_types", "Native");
}

TEST_F(ClickHouseRoundTrip,
       TypeTableWithoutLowCardinalityRoundTripsAsNativeThroughClickhouseClient) {
  create_native_types();
  round_trip("pipe", "native_types", "Native");
}

TEST_F(ClickHouseRoundTrip, DirectCopyKeepsEveryValue) {
  db_.db().exec(fmt::format("CREATE TABLE {} AS {}", db_.table("copied"), db_.table("all_types")));
  DvtRun copy = db_.dvt({"copy", db_.endpoint("all_types"), db_.endpoint("copied")});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_EQ(differing_rows(db_.db(), db_.table("all_types"), db_.table("copied"), kFloatBits), 0);
}

TEST_F(ClickHouseRoundTrip, ParquetHoldsExactDuckDBTypesAndValues) {
  DvtRun extract = db_.dvt({"extract", db_.endpoint("all_types"), "--staging-dir", db_.dir()});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  Engine engine;
  std::string file = duck_literal(db_.file("all_types.parquet"));
  auto types = engine.query_strings(fmt::format(
      "SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM read_parquet({}))",
      file));
  std::vector<std::string> described;
  for (const auto& row : types) described.push_back(*row[0]);
  // Enums are written to Parquet as strings; everything else keeps its type.
  std::vector<std::string> expected = {"id UINTEGER",
                                       "i8 TINYINT",
                                       "i16 SMALLINT",
                                       "i32 INTEGER",
                                       "i64 BIGINT",
                                       "u8 UTINYINT",
                                       "u16 USMALLINT",
                                       "u32 UINTEGER",
                                       "u64 UBIGINT",
                                       "f32 FLOAT",
                                       "f64 DOUBLE",
                                       "d4 DECIMAL(4,1)",
                                       "d9 DECIMAL(9,2)",
                                       "d18 DECIMAL(18,6)",
                                       "d38 DECIMAL(38,10)",
                                       "s VARCHAR",
                                       "fs VARCHAR",
                                       "dt DATE",
                                       "ts TIMESTAMP",
                                       "ts_tokyo TIMESTAMP WITH TIME ZONE",
                                       "ts_utc TIMESTAMP WITH TIME ZONE",
                                       "u UUID",
                                       "e8 VARCHAR",
                                       "e16 VARCHAR",
                                       "n_i32 INTEGER",
                                       "n_s VARCHAR",
                                       "n_dec DECIMAL(12,2)",
                                       "n_ts TIMESTAMP",
                                       "lc VARCHAR",
                                       "lc_n VARCHAR",
                                       "a_i32 INTEGER[]",
                                       "a_s VARCHAR[]",
                                       "a_n DOUBLE[]",
                                       "a_a UTINYINT[][]",
                                       "a_d DATE[]",
                                       "a_lc VARCHAR[]",
                                       "Customer Code VARCHAR",
                                       "select INTEGER",
                                       "back`tick \"q\" VARCHAR"};
  EXPECT_EQ(described, expected);

  auto row = [&](int id, const std::string& columns) {
    auto rows = engine.query_strings(
        fmt::format("SELECT {} FROM read_parquet({}) WHERE id = {}", columns, file, id));
    std::vector<std::string> values;
    for (const auto& value : rows.at(0)) values.push_back(value ? *value : "NULL");
    return values;
  };
  // SET TimeZone is not needed: TIMESTAMP WITH TIME ZONE is printed in UTC by epoch().
  EXPECT_EQ(
      row(3,
          "u64::VARCHAR, i64::VARCHAR, d38::VARCHAR, u::VARCHAR, epoch(ts_tokyo)::BIGINT::VARCHAR, "
          "ts::VARCHAR, dt::VARCHAR, e8, f32::VARCHAR, f64::VARCHAR, strlen(s)::VARCHAR"),
      (std::vector<std::string>{"18446744073709551615", "9223372036854775807",
                                "9999999999999999999999999999.9999999999",
                                "ffffffff-ffff-ffff-ffff-ffffffffffff", "4291714799",
                                "2105-12-31 23:59:59", "2105-12-31", "it's", "inf", "-inf", "54"}));
  // Asia/Tokyo 12:34:56 is 03:34:56 UTC; a DateTime without zone on a UTC server is its UTC wall
  // clock.
  EXPECT_EQ(row(1,
                "epoch(ts_tokyo)::BIGINT::VARCHAR, ts::VARCHAR, u::VARCHAR, d18::VARCHAR, "
                "a_a::VARCHAR, e8, e16"),
            (std::vector<std::string>{"1709177696", "2024-02-29 12:34:56",
                                      "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "123456789012.345678",
                                      "[[1, 2], [], [3]]", "a", "x"}));
  EXPECT_EQ(row(2, "n_i32::VARCHAR, n_s, lc_n, e8, e16, strlen(fs)::VARCHAR"),
            (std::vector<std::string>{"NULL", "NULL", "NULL", "b c", "y", "4"}));
  EXPECT_EQ(row(4,
                "fs = chr(0) || chr(0) || chr(0) || chr(0), s = chr(0) || 'nul' || chr(0), "
                "isnan(f32), isnan(f64)"),
            (std::vector<std::string>{"true", "true", "true", "true"}));
  EXPECT_EQ(row(6, "f64::VARCHAR"), (std::vector<std::string>{"5e-324"}));
}

TEST_F(ClickHouseRoundTrip, NewTableGetsClickHouseTypesForEachDuckDBType) {
  DvtRun extract = db_.dvt({"extract", db_.endpoint("all_types"), "--staging-dir", db_.dir()});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  DvtRun load = db_.dvt({"load", db_.file("all_types.parquet"), db_.endpoint("fresh")});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  ChRows columns = db_.db().rows(
      fmt::format("SELECT name, type FROM system.columns WHERE database = '{}' AND table = 'fresh'",
                  db_.name()));
  std::map<std::string, std::string> types;
  for (const auto& column : columns) types[column[0]] = column[1];
  // The staging file remembers which columns were not Nullable in the source
  // (its dvt.schema metadata); arrays are never Nullable in ClickHouse.
  EXPECT_EQ(types["u64"], "UInt64");
  EXPECT_EQ(types["d38"], "Decimal(38, 10)");
  EXPECT_EQ(types["d4"], "Decimal(4, 1)");
  EXPECT_EQ(types["f32"], "Float32");
  EXPECT_EQ(types["dt"], "Date");
  EXPECT_EQ(types["ts"], "DateTime");
  EXPECT_EQ(types["ts_tokyo"], "DateTime('UTC')");
  EXPECT_EQ(types["u"], "UUID");
  EXPECT_EQ(types["s"], "String");
  EXPECT_EQ(types["a_a"], "Array(Array(Nullable(UInt8)))");
  EXPECT_EQ(types["Customer Code"], "String");
  EXPECT_EQ(types["n_i32"], "Nullable(Int32)");
  EXPECT_EQ(types["n_s"], "Nullable(String)");
  EXPECT_EQ(types["n_ts"], "Nullable(DateTime)");
  EXPECT_EQ(db_.db().value(fmt::format(
                "SELECT engine_full FROM system.tables WHERE database = '{}' AND name = 'fresh'",
                db_.name())),
            "MergeTree ORDER BY tuple() SETTINGS index_granularity = 8192");
  // The same values, compared as text (the instant of ts_tokyo shown in UTC).
  std::string select =
      "id, i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, d4, d9, d18, d38, s, hex(fs), dt, ts, "
      "toUInt32(ts_tokyo), ts_utc, u, toString(e8), toString(e16), n_i32, n_s, n_dec, n_ts, "
      "toString(lc), "
      "toString(lc_n), a_i32, a_s, a_n, a_a, a_d, arrayMap(x -> toString(x), a_lc), `Customer "
      "Code`, `select`";
  EXPECT_EQ(
      differing_rows(db_.db(), fmt::format("(SELECT {} FROM {})", select, db_.table("all_types")),
                     fmt::format("(SELECT {} FROM {})", select, db_.table("fresh"))),
      0);
}

class ClickHouseStrings : public ::testing::Test {
 protected:
  ClickHouseStrings() : db_("strings") {
    db_.db().exec(
        fmt::format("CREATE TABLE {} (id UInt8, s String, fs FixedString(3), a Array(String)) "
                    "ENGINE = MergeTree ORDER BY id",
                    db_.table("bytes")));
    db_.db().exec(
        fmt::format("INSERT INTO {} VALUES (1, '\\xFF\\xFE\\x00\\x80', '\\xC3\\x28\\x00', "
                    "['\\xED\\xA0\\x80']), "
                    "(2, 'ok', 'ok', ['\\xF4\\x90\\x80\\x80', '']), (3, '', '', [])",
                    db_.table("bytes")));
  }
  ChTestDatabase db_;
};

TEST_F(ClickHouseStrings, InvalidUtf8StopsTheJobUnderTheTextRule) {
  DvtRun extract = db_.dvt({"extract", db_.endpoint("bytes"), "--staging-dir", db_.dir()});
  EXPECT_EQ(extract.exit_code, 1);
  EXPECT_NE(extract.err.find("row 1 column \"s\": String value is not valid UTF-8"),
            std::string::npos)
      << extract.err;
  EXPECT_NE(extract.err.find("strings: blob"), std::string::npos) << extract.err;
  EXPECT_FALSE(std::filesystem::exists(db_.file("bytes.parquet")));
}

TEST_F(ClickHouseStrings, AnyBytesRoundTripAsBlobs) {
  db_.write_profiles({"strings: blob"});
  db_.db().exec(fmt::format("CREATE TABLE {} AS {}", db_.table("back"), db_.table("bytes")));
  for (const char* method : {"native", "pipe"}) {
    DvtRun extract =
        db_.dvt({"extract", db_.endpoint("bytes"), "--staging-dir", db_.dir(), "--method", method});
    ASSERT_EQ(extract.exit_code, 0) << extract.err;
    Engine engine;
    auto described = engine.query_strings(fmt::format(
        "SELECT string_agg(column_type, ',') FROM (DESCRIBE SELECT * FROM read_parquet({}))",
        duck_literal(db_.file("bytes.parquet"))));
    EXPECT_EQ(*described.at(0).at(0), "UTINYINT,BLOB,BLOB,BLOB[]");
    auto first = engine.query_strings(
        fmt::format("SELECT hex(s), hex(fs), hex(a[1]) FROM read_parquet({}) WHERE id = 1",
                    duck_literal(db_.file("bytes.parquet"))));
    EXPECT_EQ(*first.at(0).at(0), "FFFE0080");
    EXPECT_EQ(*first.at(0).at(1), "C32800");
    EXPECT_EQ(*first.at(0).at(2), "EDA080");
    DvtRun load =
        db_.dvt({"load", db_.file("bytes.parquet"), db_.endpoint("back"), "--method", method});
    ASSERT_EQ(load.exit_code, 0) << load.err;
    EXPECT_EQ(differing_rows(db_.db(), db_.table("bytes"), db_.table("back")), 0) << method;
  }
}

}  // namespace
}  // namespace dvt::test::chtest
