// Direct copies between PostgreSQL and MySQL: PG -> MySQL -> PG of the
// PostgreSQL types that have a MySQL counterpart compares equal, and MySQL ->
// PG creates the nearest exact PostgreSQL types (docs/mysql.md).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "integration/mysql_support.h"
#include "integration/postgres_support.h"

namespace dvt::test {
namespace {

using pgtest::PgTestSchema;

// The `my` output beside the schema's `pg` output.
void add_mysql_output(PgTestSchema& schema, const std::vector<std::string>& extra = {}) {
  MysqlServer server = mysql_server();
  std::string yaml = fmt::format(
      "my:\n  type: mysql\n  host: {}\n  port: {}\n  user: {}\n  password: \"{}\"\n  database: "
      "{}\n",
      server.host, server.port, server.user, server.password, server.database);
  for (const auto& line : extra) yaml += "  " + line + "\n";
  schema.add_output(yaml);
}

// The PostgreSQL type table of postgres_roundtrip_test.cc, less what MySQL
// has no counterpart for: arrays (they arrive in MySQL as JSON documents,
// which a PostgreSQL array column cannot read back) and values outside
// MySQL's ranges (infinities, NaN, -0, BC dates, years past 9999: its
// DATETIME spans years 0..9999, its TIMESTAMP 1970..2038). Types without a
// MySQL type of their own (numeric(50,5), timetz, interval, inet, money,
// bit, xml, ranges, ...) travel as their exact text and read back equal.
constexpr const char* kPgTypes = R"sql(
CREATE TYPE SCHEMA.mood AS ENUM ('sad', 'ok', 'happy', 'it''s');
CREATE DOMAIN SCHEMA.posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN SCHEMA.short_text AS varchar(10);
CREATE TABLE SCHEMA.pg_types (
  id int PRIMARY KEY,
  c_smallint smallint, c_int integer, c_bigint bigint,
  c_num numeric(12,2), c_num38 numeric(38,10), c_num_free numeric, c_num_wide numeric(50,5),
  c_real real, c_double double precision, c_bool boolean,
  c_text text, c_varchar varchar(20), c_char char(5), c_name name, c_citext public.citext,
  c_bytea bytea,
  c_date date, c_ts timestamp, c_tstz timestamptz, c_time time, c_timetz timetz,
  c_interval interval,
  c_uuid uuid, c_json json, c_jsonb jsonb,
  c_mood SCHEMA.mood, c_posint SCHEMA.posint, c_short SCHEMA.short_text,
  c_inet inet, c_cidr cidr, c_macaddr macaddr, c_money money, c_bit bit(4), c_varbit varbit,
  c_xml xml, c_range int4range, c_oid oid,
  "Customer Code" text, "select" int, "Mixed""Quote" text, "UPPER" text
);
INSERT INTO SCHEMA.pg_types VALUES
(1, -32768, -2147483648, -9223372036854775808, -9999999999.99, -9999999999999999999999999999.9999999999,
 '-123456789012345678901234567890.123456789', -99999999999999999999999999999999999999999999.99999,
 -3.4028235e38, -1.7976931348623157e308, false,
 E'tab\there\nnewline\\backslash ''q'' \U0001D11E \u00e9', '', '     ', '', 'CiText', '\x00ff',
 '0001-01-01', '0001-01-01 00:00:00', '1970-01-01 00:00:01+00', '00:00:00', '00:00:00-14:59',
 '-1 years -2 mons +3 days -04:05:06.000001',
 '00000000-0000-0000-0000-000000000000', '{"b": 1,   "a": [1, 2.50, "x\"y"]}', '{"b": 1, "a": [1, 2.50]}',
 'sad', 1, '',
 '0.0.0.0/0', '0.0.0.0/0', '00:00:00:00:00:00', -92233720368547758.08, '0000', '', '',
 'empty', 0,
 'CC-1', -1, '"', ''),
(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
(3, 32767, 2147483647, 9223372036854775807, 9999999999.99, 9999999999999999999999999999.9999999999,
 '1e40', 99999999999999999999999999999999999999999999.99999, 3.4028235e38, 1.7976931348623157e308,
 true,
 'NULL', 'max20charsxxxxxxxxxx', 'abcde', repeat('n', 63), E'\u00df', '\x5c4e',
 '9999-12-31', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999+00', '23:59:59.999999',
 '23:59:59.999999-00:30', '1000000 years',
 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'null', '[1, "two", null, {"k": {}}]',
 'it''s', 2147483647, 'ten chars!',
 '::1/128', '::/0', 'ff:ff:ff:ff:ff:ff', 92233720368547758.07, '1111', '10101010101', '<!-- c --><b/>',
 '(,)', 4294967295,
 '', 0, E'\n', 'UP'),
(4, 0, 0, 0, 0.01, 0.0000000001, '0.000000000000000000000000000000000001', 0.00001, 1.17549435e-38,
 2.2250738585072014e-308, true,
 '\N', 'v', 'ab', 'nm', '', '\x',
 '2024-02-29', '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789012+02', '12:34:56.789012',
 '12:34:56.789+05:30', '0 seconds',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '"str"', '{}',
 'happy', 5, 'short',
 '192.168.0.1/24', '10.1.2.0/24', '08:00:2b:01:02:03', 1234.56, '1010', '1', '<x>&amp;</x>',
 '[1,10)', 42,
 '\', 7, 'mq', 'y');
)sql";

TEST(MysqlPostgres, PostgresTypesGoThroughMysqlAndBackUnchanged) {
  PgTestSchema schema("my_pg_roundtrip");
  add_mysql_output(schema, {"tinyint1_as_boolean: true"});
  // citext is an extension; concurrent tests may race to create it.
  for (int attempt = 0; attempt < 3; ++attempt) {
    try {
      schema.db().exec("CREATE EXTENSION IF NOT EXISTS citext SCHEMA public");
      break;
    } catch (const std::exception&) {
      if (schema.db().value("SELECT count(*) FROM pg_extension WHERE extname = 'citext'") == "1")
        break;
    }
  }
  std::string setup = kPgTypes;
  for (size_t at = setup.find("SCHEMA."); at != std::string::npos; at = setup.find("SCHEMA.", at)) {
    setup.replace(at, 6, schema.name());
  }
  schema.db().exec(setup);
  schema.db().exec(
      fmt::format("CREATE TABLE {0}.back (LIKE {0}.pg_types INCLUDING ALL)", schema.name()));
  MysqlTestConnection my;
  my.exec("DROP TABLE IF EXISTS `xdb_pg_types`");

  DvtRun to_mysql = [&] {
    LocalInfileLock lock;
    return schema.dvt({"copy", schema.endpoint("pg_types"), "my:xdb_pg_types"});
  }();
  ASSERT_EQ(to_mysql.exit_code, 0) << to_mysql.err;
  EXPECT_NE(to_mysql.out.find("copy: 4 rows"), std::string::npos) << to_mysql.out;

  MysqlTestRows columns = my.query(
      "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
      "DATABASE() AND TABLE_NAME = 'xdb_pg_types' ORDER BY ORDINAL_POSITION");
  std::string described;
  for (const auto& row : columns) described += *row[0] + " " + *row[1] + ", ";
  EXPECT_EQ(described,
            "id int(11), c_smallint smallint(6), c_int int(11), c_bigint bigint(20), "
            "c_num decimal(12,2), c_num38 decimal(38,10), c_num_free longtext, "
            "c_num_wide longtext, c_real float, c_double double, c_bool tinyint(1), "
            "c_text longtext, c_varchar longtext, c_char longtext, c_name longtext, "
            "c_citext longtext, c_bytea longblob, c_date date, c_ts datetime(6), "
            "c_tstz timestamp(6), c_time time(6), c_timetz longtext, c_interval longtext, "
            "c_uuid char(36), c_json longtext, c_jsonb longtext, c_mood longtext, "
            "c_posint int(11), c_short longtext, c_inet longtext, c_cidr longtext, "
            "c_macaddr longtext, c_money longtext, c_bit longtext, c_varbit longtext, "
            "c_xml longtext, c_range longtext, c_oid int(10) unsigned, Customer Code longtext, "
            "select int(11), Mixed\"Quote longtext, UPPER longtext, ");
  EXPECT_EQ(my.value("SELECT CONCAT_WS('|', c_bigint, c_num38, HEX(c_bytea), c_tstz, c_time) FROM "
                     "`xdb_pg_types` WHERE id = 3"),
            "9223372036854775807|9999999999999999999999999999.9999999999|5C4E|"
            "2038-01-19 03:14:07.999999|23:59:59.999999");

  DvtRun back = schema.dvt({"copy", "my:xdb_pg_types", schema.endpoint("back")});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(schema.db().value(fmt::format("SELECT count(*) FROM {}.back", schema.name())), "4");
  EXPECT_EQ(
      pgtest::differing_rows(schema.db(), schema.name() + ".pg_types", schema.name() + ".back"), 0);
}

TEST(MysqlPostgres, MysqlTypesBecomeTheNearestExactPostgresTypes) {
  PgTestSchema schema("my_to_pg");
  add_mysql_output(schema);
  MysqlTestConnection my;
  my.exec("DROP TABLE IF EXISTS `xdb_my_types`");
  my.exec(R"(CREATE TABLE `xdb_my_types` (
    id INT PRIMARY KEY, tiu TINYINT UNSIGNED, siu SMALLINT UNSIGNED, mi MEDIUMINT,
    iu INT UNSIGNED, biu BIGINT UNSIGNED, d DECIMAL(10,2), d65 DECIMAL(65,30), f FLOAT, b8 BIT(8),
    bo BOOL, vc VARCHAR(20) CHARACTER SET latin1, en ENUM('a','b'), st SET('x','y'), js JSON,
    vb VARBINARY(4), dt DATE, dtm DATETIME(3), ts TIMESTAMP(6) NULL, tm TIME, yr YEAR))");
  my.exec(R"(INSERT INTO `xdb_my_types` VALUES
    (1, 255, 65535, -8388608, 4294967295, 18446744073709551615, -12.50,
     0.000000000000000000000000000001, 0.1, b'10000001', 1, 'ÿé', 'b', 'x,y', '{"k": [1, 2]}',
     0x00FF, '2024-02-29', '2024-02-29 12:34:56.789', '2038-01-19 03:14:07.999999', '-838:59:59',
     2155),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL))");

  DvtRun run = schema.dvt({"copy", "my:xdb_my_types", schema.endpoint("from_mysql")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  pgtest::PgRows columns = schema.db().query(fmt::format(
      "SELECT column_name, format_type(atttypid, atttypmod) FROM information_schema.columns c "
      "JOIN pg_attribute a ON a.attrelid = '{0}.from_mysql'::regclass AND a.attname = "
      "c.column_name "
      "WHERE table_schema = '{0}' AND table_name = 'from_mysql' ORDER BY ordinal_position",
      schema.name()));
  std::string described;
  for (const auto& row : columns) described += *row[0] + " " + *row[1] + ", ";
  EXPECT_EQ(described,
            "id integer, tiu smallint, siu integer, mi integer, iu bigint, biu numeric(20,0), "
            "d numeric(10,2), d65 text, f real, b8 numeric(20,0), bo smallint, vc text, en text, "
            "st text, js json, vb bytea, dt date, dtm timestamp without time zone, "
            "ts timestamp with time zone, tm text, yr smallint, ");
  pgtest::PgRows values = schema.db().query(fmt::format(
      "SELECT tiu, siu, mi, iu, biu, d, d65, f, b8, bo, vc, en, st, js::text, vb::text, dt, dtm, "
      "ts AT TIME ZONE 'UTC', tm, yr FROM {}.from_mysql ORDER BY id",
      schema.name()));
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0], (pgtest::PgRows::value_type{"255",
                                                   "65535",
                                                   "-8388608",
                                                   "4294967295",
                                                   "18446744073709551615",
                                                   "-12.50",
                                                   "0.000000000000000000000000000001",
                                                   "0.1",
                                                   "129",
                                                   "1",
                                                   "ÿé",
                                                   "b",
                                                   "x,y",
                                                   "{\"k\": [1, 2]}",
                                                   "\\x00ff",
                                                   "2024-02-29",
                                                   "2024-02-29 12:34:56.789",
                                                   "2038-01-19 03:14:07.999999",
                                                   "-838:59:59",
                                                   "2155"}));
  for (const auto& value : values[1]) EXPECT_EQ(value, std::nullopt);
}

}  // namespace
}  // namespace dvt::test
