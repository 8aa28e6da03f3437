// Every PostgreSQL type dvt handles, with edge values, goes PG -> Parquet ->
// PG (native and pipe) and PG -> PG without a single differing row; values
// with no exact DuckDB form stop the job instead of changing.
#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "integration/postgres_support.h"
#include "support/embedded.h"

namespace dvt::test::pgtest {
namespace {

// One table holding every type of the issue, with NULLs, empty strings,
// tabs, newlines, backslashes, quotes, commas, 4-byte UTF-8, extreme
// numerics, infinities, BC dates, 24:00, negative microsecond intervals,
// and identifiers that need quoting.
constexpr const char* kAllTypes = R"sql(
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'it''s');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN short_text AS varchar(10);
CREATE TABLE all_types (
  id int PRIMARY KEY,
  c_smallint smallint, c_int integer, c_bigint bigint,
  c_num numeric(12,2), c_num38 numeric(38,10), c_num_free numeric, c_num_wide numeric(50,5),
  c_real real, c_double double precision, c_bool boolean,
  c_text text, c_varchar varchar(20), c_char char(5), c_name name, c_citext public.citext, c_bytea bytea,
  c_date date, c_ts timestamp, c_tstz timestamptz, c_time time, c_timetz timetz, c_interval interval,
  c_uuid uuid, c_json json, c_jsonb jsonb,
  c_int_arr int[], c_text_arr text[], c_num_arr numeric(10,2)[], c_tstz_arr timestamptz[],
  c_bytea_arr bytea[], c_date_arr date[],
  c_mood mood, c_mood_arr mood[], c_posint posint, c_short short_text,
  c_inet inet, c_cidr cidr, c_macaddr macaddr, c_money money, c_bit bit(4), c_varbit varbit, c_xml xml,
  c_range int4range, c_oid oid, c_inet_arr inet[],
  "Customer Code" text, "select" int, "Mixed""Quote" text, "UPPER" text
);
INSERT INTO all_types VALUES
(1, 1, 2, 3, 1234.56, 1.5, 3.14159, 12345.67891, 1.5, 2.25, true,
 'hello', 'varchar', 'ab', 'name1', 'CiText', '\x0102ff',
 '2024-02-29', '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789012+02', '12:34:56.789012',
 '12:34:56.789+05:30', '1 year 2 mons 3 days 04:05:06.789',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1,   "a": [1, 2.50, "x\"y"]}', '{"b": 1, "a": [1, 2.50]}',
 '{1,2,3}', '{"a","b c"}', '{1.50,2.25}', '{"2024-01-01 00:00:00+00"}', '{"\\x00ff"}', '{2024-01-01}',
 'happy', '{sad,happy}', 5, 'short',
 '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', 1234.56, '1010', '1', '<a x="1">t</a>',
 '[1,10)', 42, '{::1,10.0.0.1/8}',
 'CC-1', 7, 'mq', 'UP'),
(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL,
 NULL, NULL, NULL, NULL),
(3, -32768, 2147483647, -9223372036854775808, -9999999999.99, 9999999999999999999999999999.9999999999, 'NaN',
 -99999999999999999999999999999999999999999999.99999, 'NaN', '-Infinity', false,
 E'tab\there\nnewline\\backslash "quotes" ''single'' ,comma \U0001D11E \u00e9', '', '     ', '', 'x', '\x',
 'infinity', 'infinity', '-infinity', '24:00:00', '00:00:00-14:59', '-1 years -2 mons +3 days -04:05:06.000001',
 '00000000-0000-0000-0000-000000000000', '[]', '{}',
 '{}', E'{NULL,"",",","\\"","\\\\","NULL","\U0001D11E"}', '{NULL,-0.01}', '{infinity,NULL}', E'{NULL,"\\\\x"}',
 '{-infinity}',
 'it''s', '{}', 2147483647, '',
 '::1/128', '::/0', 'ff:ff:ff:ff:ff:ff', -92233720368547758.08, '0000', '', '<!-- c --><b/>',
 'empty', 4294967295, '{}',
 '', -1, E'\n', ''),
(4, 32767, -2147483648, 9223372036854775807, 0, -0.0000000001, '1e100', 0, '-0', '-0', true,
 E'\r\n\\.\n', 'max20charsxxxxxxxxxx', 'x', repeat('n', 63), E'\u00df', '\x00',
 '-infinity', '-infinity', 'infinity', '00:00:00', '24:00:00+00', '0 seconds',
 'ffffffff-ffff-ffff-ffff-ffffffffffff', '"str"', '[1, "two", null, {"k": {}}]',
 '{-2147483648,NULL}', E'{"{}","a\\\\b"}', '{}', '{}', '{}', '{}',
 'sad', '{it''s,NULL}', 1, 'ten chars!',
 '0.0.0.0/0', '0.0.0.0/0', '00:00:00:00:00:00', 0, '1111', '10101010101', '',
 '(,)', 0, '{NULL}',
 'x', 0, '"', 'y'),
(5, 0, 0, 0, 0.01, 0.5, '-0.000000000000000000000000000000000001', 1, 'Infinity', 'NaN', false,
 'plain', 'v', 'abcde', 'nm', 'z', '\xdeadbeef',
 '4713-01-01 BC', '4713-01-01 00:00:00 BC', '0044-03-15 12:00:00+00 BC', '23:59:59.999999',
 '23:59:59.999999-00:30', '1000000 years',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 'null', 'null',
 '{0}', '{"   leading and trailing   "}', '{9999999.99}', '{"0044-03-15 12:00:00+00 BC"}', E'{"\\\\xdeadbeef"}',
 '{"0044-03-15 BC"}',
 'ok', '{ok,ok}', 3, NULL,
 '10.1.2.3', '10.1.2.0/24', '01:02:03:04:05:06', 0.01, '0101', '0', '<x>&amp;</x>',
 '[-5,5]', 1, '{10.1.2.3}',
 NULL, NULL, NULL, NULL),
(6, 1, 1, 1, 1, 1, '5874897.5', 1, '3.4028235e38', '1.7976931348623157e308', true,
 'x', 'x', 'x', 'x', 'x', '\x7f',
 '5874897-12-31', '10000-01-01 00:00:00', '1999-12-31 23:59:59.999999+00', '00:00:00.000001', '00:00:00+15:59',
 '-178956970 years -7 mons -2147483648 days -2562047788:00:54.775807',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a13', '  {"k" : "v"}  ', '{"a": "\u00e9"}',
 '{1}', '{"a,b"}', '{-0.01}', '{"1970-01-01 00:00:00+00"}', E'{"\\\\x"}', '{"2000-01-01"}',
 'happy', '{happy}', 4, 'x',
 '1.2.3.4', '1.2.3.4/32', '0a:0b:0c:0d:0e:0f', 1, '1000', '1', '<y/>',
 '[3,4)', 2, '{}',
 'a', 2, 'b', 'c');
)sql";

class PostgresRoundTrip : public ::testing::Test {
 protected:
  explicit PostgresRoundTrip(const std::string& name = "roundtrip") : schema_(name) {
    // citext is an extension; concurrent tests may race to create it.
    for (int attempt = 0; attempt < 3; ++attempt) {
      try {
        schema_.db().exec("CREATE EXTENSION IF NOT EXISTS citext SCHEMA public");
        break;
      } catch (const std::exception&) {
        if (schema_.db().value("SELECT count(*) FROM pg_extension WHERE extname = 'citext'") == "1")
          break;
      }
    }
    schema_.db().exec(fmt::format("SET search_path = {}; {} SET search_path = public",
                                  schema_.name(), kAllTypes));
    schema_.db().exec(
        fmt::format("CREATE TABLE {0}.back (LIKE {0}.all_types INCLUDING ALL)", schema_.name()));
  }

  std::string table(const std::string& name) const { return schema_.name() + "." + name; }

  PgTestSchema schema_;
};

TEST_F(PostgresRoundTrip, NativeThroughParquetLeavesNoDifferingRow) {
  DvtRun extract = schema_.dvt({"extract", schema_.endpoint("all_types"), "--staging-dir",
                                schema_.dir(), "--method", "native"});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_NE(extract.out.find("extract: 6 rows"), std::string::npos) << extract.out;
  EXPECT_NE(extract.out.find("method: native -> native"), std::string::npos) << extract.out;
  DvtRun load = schema_.dvt(
      {"load", schema_.file("all_types.parquet"), schema_.endpoint("back"), "--method", "native"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_NE(load.out.find("load: 6 rows"), std::string::npos) << load.out;
  EXPECT_EQ(schema_.db().value("SELECT count(*) FROM " + table("back")), "6");
  EXPECT_EQ(differing_rows(schema_.db(), table("all_types"), table("back")), 0);
}

TEST_F(PostgresRoundTrip, PipeThroughParquetLeavesNoDifferingRow) {
  DvtRun extract = schema_.dvt({"extract", schema_.endpoint("all_types"), "--staging-dir",
                                schema_.dir(), "--method", "pipe"});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_NE(extract.out.find("method: pipe -> native"), std::string::npos) << extract.out;
  DvtRun load = schema_.dvt(
      {"load", schema_.file("all_types.parquet"), schema_.endpoint("back"), "--method", "pipe"});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_NE(load.out.find("method: native -> pipe"), std::string::npos) << load.out;
  EXPECT_EQ(schema_.db().value("SELECT count(*) FROM " + table("back")), "6");
  EXPECT_EQ(differing_rows(schema_.db(), table("all_types"), table("back")), 0);
}

TEST_F(PostgresRoundTrip, NativeAndPipeExtractIdenticalParquet) {
  ASSERT_EQ(schema_
                .dvt({"extract", schema_.endpoint("all_types"), "--staging-dir", schema_.dir(),
                      "--name", "native", "--method", "native"})
                .exit_code,
            0);
  ASSERT_EQ(schema_
                .dvt({"extract", schema_.endpoint("all_types"), "--staging-dir", schema_.dir(),
                      "--name", "pipe", "--method", "pipe"})
                .exit_code,
            0);
  std::string native = schema_.file("native.parquet"), pipe = schema_.file("pipe.parquet");
  Rows differences =
      duck_query(fmt::format("SELECT count(*) FROM (FROM '{0}' EXCEPT ALL FROM '{1}') UNION ALL "
                             "SELECT count(*) FROM (FROM '{1}' EXCEPT ALL FROM '{0}') UNION ALL "
                             "SELECT count(*) FROM '{0}'",
                             native, pipe));
  EXPECT_EQ(differences, (Rows{{"0"}, {"0"}, {"6"}}));
}

TEST_F(PostgresRoundTrip, DirectCopyLeavesNoDifferingRow) {
  DvtRun copy = schema_.dvt({"copy", schema_.endpoint("all_types"), schema_.endpoint("back")});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_NE(copy.out.find("copy: 6 rows"), std::string::npos) << copy.out;
  EXPECT_NE(copy.out.find("method: native -> native"), std::string::npos) << copy.out;
  EXPECT_EQ(differing_rows(schema_.db(), table("all_types"), table("back")), 0);
  // No staging file anywhere: the rows went database to database.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(schema_.dir())) {
    EXPECT_NE(entry.path().extension(), ".parquet") << entry.path();
  }
}

TEST_F(PostgresRoundTrip, ParquetColumnsCarryTheExactTypes) {
  ASSERT_EQ(schema_.dvt({"extract", schema_.endpoint("all_types"), "--staging-dir", schema_.dir()})
                .exit_code,
            0);
  Rows types =
      duck_query(fmt::format("SELECT column_name || ' ' || column_type FROM (DESCRIBE FROM '{}')",
                             schema_.file("all_types.parquet")));
  Rows expected;
  for (const char* line : {"id INTEGER",
                           "c_smallint SMALLINT",
                           "c_int INTEGER",
                           "c_bigint BIGINT",
                           "c_num DECIMAL(12,2)",
                           "c_num38 DECIMAL(38,10)",
                           "c_num_free VARCHAR",
                           "c_num_wide VARCHAR",
                           "c_real FLOAT",
                           "c_double DOUBLE",
                           "c_bool BOOLEAN",
                           "c_text VARCHAR",
                           "c_varchar VARCHAR",
                           "c_char VARCHAR",
                           "c_name VARCHAR",
                           "c_citext VARCHAR",
                           "c_bytea BLOB",
                           "c_date DATE",
                           "c_ts TIMESTAMP",
                           "c_tstz TIMESTAMP WITH TIME ZONE",
                           "c_time TIME",
                           "c_timetz VARCHAR",
                           "c_interval VARCHAR",
                           "c_uuid UUID",
                           "c_json JSON",
                           "c_jsonb JSON",
                           "c_int_arr INTEGER[]",
                           "c_text_arr VARCHAR[]",
                           "c_num_arr DECIMAL(10,2)[]",
                           "c_tstz_arr TIMESTAMP WITH TIME ZONE[]",
                           "c_bytea_arr BLOB[]",
                           "c_date_arr DATE[]",
                           "c_mood VARCHAR",
                           "c_mood_arr VARCHAR[]",
                           "c_posint INTEGER",
                           "c_short VARCHAR",
                           "c_inet VARCHAR",
                           "c_cidr VARCHAR",
                           "c_macaddr VARCHAR",
                           "c_money VARCHAR",
                           "c_bit VARCHAR",
                           "c_varbit VARCHAR",
                           "c_xml VARCHAR",
                           "c_range VARCHAR",
                           "c_oid UINTEGER",
                           "c_inet_arr VARCHAR",
                           "Customer Code VARCHAR",
                           "select INTEGER",
                           "Mixed\"Quote VARCHAR",
                           "UPPER VARCHAR"}) {
    expected.push_back({std::string(line)});
  }
  EXPECT_EQ(types, expected);
}

TEST_F(PostgresRoundTrip, EdgeValuesArriveExactlyInParquet) {
  ASSERT_EQ(schema_.dvt({"extract", schema_.endpoint("all_types"), "--staging-dir", schema_.dir()})
                .exit_code,
            0);
  Rows values =
      duck_query(fmt::format("SELECT c_num38::VARCHAR, c_num_free, c_double::VARCHAR, c_text, "
                             "c_bytea::VARCHAR, c_date::VARCHAR, "
                             "c_ts::VARCHAR, c_tstz::VARCHAR, c_time::VARCHAR, c_interval, "
                             "c_text_arr::VARCHAR, c_money, c_char "
                             "FROM '{}' WHERE id IN (3, 5) ORDER BY id",
                             schema_.file("all_types.parquet")));
  Rows expected = {
      {"9999999999999999999999999999.9999999999", "NaN", "-inf",
       "tab\there\nnewline\\backslash \"quotes\" 'single' ,comma \xF0\x9D\x84\x9E \xC3\xA9", "",
       "infinity", "infinity", "-infinity", "24:00:00", "-1 years -2 mons +3 days -04:05:06.000001",
       "[NULL, '', ',', '\"', \\, 'NULL', \xF0\x9D\x84\x9E]", "-$92,233,720,368,547,758.08",
       "     "},
      {"0.5000000000", "-0.000000000000000000000000000000000001", "nan", "plain",
       "\\xDE\\xAD\\xBE\\xEF", "4713-01-01 (BC)", "4713-01-01 (BC) 00:00:00",
       "0044-03-15 (BC) 12:00:00+00", "23:59:59.999999", "1000000 years",
       "['   leading and trailing   ']", "$0.01", "abcde"}};
  EXPECT_EQ(values, expected);
}

TEST_F(PostgresRoundTrip, TimestamptzIsStoredAsUtcWhateverTheSessionTimeZone) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {} (id int, instant timestamptz); INSERT INTO {} VALUES "
                  "(1, '2024-06-01 12:00:00+05:30')",
                  table("instants"), table("instants")));
  // The client's zone (PGTZ for libpq and psql, TZ for the process) must not matter.
  DvtRunOptions tokyo{.cwd = "", .environment = {{"PGTZ", "Asia/Tokyo"}, {"TZ", "Asia/Tokyo"}}};
  for (const char* method : {"native", "pipe"}) {
    DvtRun run = schema_.dvt({"extract", schema_.endpoint("instants"), "--staging-dir",
                              schema_.dir(), "--name", method, "--method", method},
                             tokyo);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(duck_query(fmt::format("SELECT epoch_us(instant)::VARCHAR FROM '{}'",
                                     schema_.file(std::string(method) + ".parquet"))),
              (Rows{{"1717223400000000"}}))
        << method;
  }
}

class PostgresLoudFailure : public ::testing::Test {
 protected:
  PostgresLoudFailure() : schema_("loud") {}

  // Extracts `table` by `method`; expects exit 1 naming the column and no file left.
  void expect_refused(const std::string& table, const std::string& method,
                      const std::string& message) {
    DvtRun run = schema_.dvt(
        {"extract", schema_.endpoint(table), "--staging-dir", schema_.dir(), "--method", method});
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
    EXPECT_FALSE(std::filesystem::exists(schema_.file(table + ".parquet")));
  }

  PgTestSchema schema_;
};

TEST_F(PostgresLoudFailure, TimestampBeyondDuckDbRangeStopsTheJob) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {}.far (id int, ts timestamp); INSERT INTO {}.far VALUES "
                  "(1, '2024-01-01'), (2, '294270-01-01 00:00:00')",
                  schema_.name(), schema_.name()));
  expect_refused("far", "native",
                 "row 2 column \"ts\": timestamp after 294247-01-10 AD is beyond DuckDB's range");
}

TEST_F(PostgresLoudFailure, NumericNaNInADecimalColumnStopsTheJob) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {}.nan (id int, amount numeric(10,2)); INSERT INTO {}.nan VALUES "
                  "(1, 1.5), (2, 'NaN')",
                  schema_.name(), schema_.name()));
  expect_refused("nan", "native", "row 2 column \"amount\": numeric NaN has no DECIMAL form");
  expect_refused("nan", "pipe", "NaN");
}

TEST_F(PostgresLoudFailure, MultiDimensionalArrayStopsTheJob) {
  schema_.db().exec(
      fmt::format("CREATE TABLE {}.grid (id int, cells int[]); INSERT INTO {}.grid VALUES "
                  "(1, '{{1,2}}'), (2, '{{{{1,2}},{{3,4}}}}')",
                  schema_.name(), schema_.name()));
  expect_refused("grid", "native",
                 "row 2 column \"cells\": a 2-dimensional array has no LIST form");
  expect_refused("grid", "pipe",
                 "row 2 column \"cells\": a multi-dimensional array has no LIST form");
}

}  // namespace
}  // namespace dvt::test::pgtest
