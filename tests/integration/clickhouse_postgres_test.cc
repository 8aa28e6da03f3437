// PostgreSQL -> ClickHouse -> PostgreSQL: every PostgreSQL type that has a
// ClickHouse counterpart comes back without a single differing row, through
// a ClickHouse table dvt creates (ORDER BY the PostgreSQL primary key).
// Values are chosen inside ClickHouse 18.16's ranges (dates 1970..2105,
// timestamps in whole seconds, no NULL arrays); outside them the load stops
// with an error instead (tested in clickhouse_load_test and the unit tests).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "integration/clickhouse_support.h"
#include "integration/postgres_support.h"

namespace dvt::test {
namespace {

constexpr const char* kPgTypes = R"sql(
CREATE TABLE types (
  id int PRIMARY KEY,
  c_smallint smallint, c_int integer, c_bigint bigint,
  c_num numeric(12,2), c_num38 numeric(38,10),
  c_real real, c_double double precision, c_bool boolean,
  c_text text, c_varchar varchar(20), c_char char(5),
  c_date date, c_ts timestamp, c_tstz timestamptz,
  c_uuid uuid, c_json json,
  c_int_arr int[], c_text_arr text[], c_num_arr numeric(10,2)[],
  "Customer Code" text, "select" int, "Mixed""Quote" text
);
INSERT INTO types VALUES
(1, 1, 2, 3, 1234.56, 1.5, 1.5, 2.25, true,
 'hello', 'varchar', 'ab', '2024-02-29', '2024-02-29 12:34:56', '2024-02-29 12:34:56+02',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1,   "a": [1, 2.50, "x\"y"]}',
 '{1,2,3}', '{"a","b c"}', '{1.50,2.25}', 'CC-1', 7, 'mq'),
(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL,
 '{}', '{}', '{}', NULL, NULL, NULL),
(3, -32768, -2147483648, -9223372036854775808, -9999999999.99, 9999999999999999999999999999.9999999999,
 'NaN', '-Infinity', false,
 E'tab\there\nnewline\\backslash "quotes" ''single'' ,comma \U0001D11E \u00e9', '', '     ',
 '1970-01-01', '1970-01-01 00:00:00', '1970-01-01 00:00:00+00',
 '00000000-0000-0000-0000-000000000000', '[]',
 '{NULL,-2147483648}', E'{NULL,"",",","\\"","NULL","\U0001D11E"}', '{NULL,-0.01}', '', -1, E'\n'),
(4, 32767, 2147483647, 9223372036854775807, 0, -0.0000000001, '-0', 'Infinity', true,
 E'\r\n\\.\n', 'max20charsxxxxxxxxxx', 'x', '2105-12-31', '2105-12-31 23:59:59', '2105-12-31 23:59:59+00',
 'ffffffff-ffff-ffff-ffff-ffffffffffff', '"str"',
 '{0}', '{"   leading and trailing   "}', '{9999999.99}', 'x', 0, '"'),
(5, 0, 0, 0, 0.01, 0.5, '3.4028235e38', '1.7976931348623157e308', false,
 'plain', 'v', 'abcde', '2000-01-01', '1999-12-31 23:59:59', '1999-12-31 23:59:59-05:30',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 'null',
 '{5}', '{x}', '{1}', NULL, NULL, NULL);
)sql";

TEST(ClickHousePostgres, PostgresTypeTableRoundTripsThroughClickHouse) {
  pgtest::PgTestSchema pg("ch_roundtrip");
  chtest::ChTestDatabase ch("pg_roundtrip");
  ServerEnv env = chtest::ch_env();
  pg.add_output(
      fmt::format("ch:\n  type: clickhouse\n  host: {}\n  port: {}\n  native_port: {}\n  user: {}\n"
                  "  password: \"{}\"\n  database: {}\n",
                  env.host, env.port, env.native_port, env.user, env.password, ch.name()));
  pg.db().exec(
      fmt::format("SET search_path = {}; {} SET search_path = public", pg.name(), kPgTypes));
  pg.db().exec(fmt::format("CREATE TABLE {0}.back (LIKE {0}.types INCLUDING ALL)", pg.name()));
  pg.db().exec(fmt::format("CREATE TABLE {0}.back_pipe (LIKE {0}.types INCLUDING ALL)", pg.name()));

  DvtRun there = pg.dvt({"copy", pg.endpoint("types"), "ch:" + ch.name() + ".types"});
  ASSERT_EQ(there.exit_code, 0) << there.err;
  // The ClickHouse table dvt created: ORDER BY the PostgreSQL key, exact types.
  EXPECT_EQ(ch.db().value(fmt::format(
                "SELECT engine_full FROM system.tables WHERE database = '{}' AND name = 'types'",
                ch.name())),
            "MergeTree ORDER BY id SETTINGS index_granularity = 8192");
  chtest::ChRows columns = ch.db().rows(
      fmt::format("SELECT name, type FROM system.columns WHERE database = '{}' AND table = 'types'",
                  ch.name()));
  chtest::ChRows expected = {{"id", "Int32"},
                             {"c_smallint", "Nullable(Int16)"},
                             {"c_int", "Nullable(Int32)"},
                             {"c_bigint", "Nullable(Int64)"},
                             {"c_num", "Nullable(Decimal(12, 2))"},
                             {"c_num38", "Nullable(Decimal(38, 10))"},
                             {"c_real", "Nullable(Float32)"},
                             {"c_double", "Nullable(Float64)"},
                             {"c_bool", "Nullable(UInt8)"},
                             {"c_text", "Nullable(String)"},
                             {"c_varchar", "Nullable(String)"},
                             {"c_char", "Nullable(String)"},
                             {"c_date", "Nullable(Date)"},
                             {"c_ts", "Nullable(DateTime)"},
                             {"c_tstz", "Nullable(DateTime('UTC'))"},
                             {"c_uuid", "Nullable(UUID)"},
                             {"c_json", "Nullable(String)"},
                             {"c_int_arr", "Array(Nullable(Int32))"},
                             {"c_text_arr", "Array(Nullable(String))"},
                             {"c_num_arr", "Array(Nullable(Decimal(10, 2)))"},
                             {"Customer Code", "Nullable(String)"},
                             {"select", "Nullable(Int32)"},
                             {"Mixed\"Quote", "Nullable(String)"}};
  EXPECT_EQ(columns, expected);
  EXPECT_EQ(ch.db().value(fmt::format("SELECT count() FROM `{}`.types", ch.name())), "5");

  DvtRun back = pg.dvt({"copy", "ch:" + ch.name() + ".types", pg.endpoint("back")});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(pg.db().value(fmt::format("SELECT count(*) FROM {}.back", pg.name())), "5");
  EXPECT_EQ(pgtest::differing_rows(pg.db(), pg.name() + ".types", pg.name() + ".back"), 0);

  // The same way back through clickhouse-client and psql.
  DvtRun pipe =
      pg.dvt({"copy", "ch:" + ch.name() + ".types", pg.endpoint("back_pipe"), "--method", "pipe"});
  ASSERT_EQ(pipe.exit_code, 0) << pipe.err;
  EXPECT_EQ(pgtest::differing_rows(pg.db(), pg.name() + ".types", pg.name() + ".back_pipe"), 0);
}

}  // namespace
}  // namespace dvt::test
