// Every MySQL type, with its edge values, goes MySQL -> Parquet -> MySQL
// unchanged, by the native tier and by the pipe tier.
#include <gtest/gtest.h>

#include <string>

#include "integration/mysql_support.h"
#include "support/embedded.h"
#include "support/run_dvt.h"

namespace dvt::test {
namespace {

const char* kTypesTable = R"(
  id INT NOT NULL PRIMARY KEY,
  ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
  mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED,
  bi BIGINT, biu BIGINT UNSIGNED,
  d10 DECIMAL(10,2), d38 DECIMAL(38,10), d65 DECIMAL(65,30), d20u DECIMAL(20,0) UNSIGNED,
  f FLOAT, db DOUBLE,
  b1 BIT(1), b8 BIT(8), b64 BIT(64),
  bo BOOL,
  c CHAR(5), vc VARCHAR(100), tx TEXT, lt VARCHAR(50) CHARACTER SET latin1,
  bn BINARY(4), vb VARBINARY(300), bl BLOB,
  dt DATE, dtm DATETIME, dtm3 DATETIME(3), dtm6 DATETIME(6), ts TIMESTAMP(6) NULL,
  tm TIME, tm6 TIME(6), yr YEAR,
  en ENUM('a','b','NULL'), st SET('x','y','z'), js JSON
)";

// Hex of the 256 byte values, ascending (reversed when `descending`).
std::string all_bytes_hex(bool descending) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string hex;
  for (int i = 0; i < 256; ++i) {
    int byte = descending ? 255 - i : i;
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  return hex;
}

// Six rows: minimums, maximums, all NULL, the strings that look like NULL or
// escapes, the smallest magnitudes, control characters.
void create_types_table(MysqlTestConnection& db, const std::string& name) {
  db.exec("DROP TABLE IF EXISTS `" + name + "`");
  db.exec("CREATE TABLE `" + name + "` (" + kTypesTable +
          ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
  db.exec("INSERT INTO `" + name + R"(` VALUES
    (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
     -99999999.99, -9999999999999999999999999999.9999999999,
     -99999999999999999999999999999999999.999999999999999999999999999999, 0,
     -3.4028234663852886e38, -1.7976931348623157e308, b'0', b'0', b'0', -128,
     '', '', '', '', 0x00000000, '', '',
     '1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.000', '1000-01-01 00:00:00.000000',
     '1970-01-01 00:00:01.000000', '-838:59:59', '-838:59:59.000000', 1901, 'a', '', 'null'))");
  db.exec("INSERT INTO `" + name + R"(` VALUES
    (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,
     9223372036854775807, 18446744073709551615,
     99999999.99, 9999999999999999999999999999.9999999999,
     99999999999999999999999999999999999.999999999999999999999999999999, 99999999999999999999,
     3.4028234663852886e38, 1.7976931348623157e308, b'1', b'11111111', 0xFFFFFFFFFFFFFFFF, 127,
     'abcde', REPEAT('é', 100), 'four-byte: 😀𝄞 and CJK: 漢字', 'ÿé',
     0xFFFFFFFF, UNHEX(')" +
          all_bytes_hex(false) + R"('), UNHEX(')" + all_bytes_hex(true) + R"('),
     '9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999',
     '2038-01-19 03:14:07.999999', '838:59:59', '838:59:59.999999', 2155, 'NULL', 'x,y,z',
     '{"k": [1, 2.5, "é😀"], "n": null}'))");
  db.exec("INSERT INTO `" + name + "` (id) VALUES (3)");
  db.exec("INSERT INTO `" + name + R"(` VALUES
    (4, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0.00, 0, 0, 1,
     1.1754943508222875e-38, 2.2250738585072014e-308, b'1', b'1010', 0x8000000000000000, 0,
     'a\tb', 'NULL', '\\N', 'x\ty\nz\\w', 0x5C4E0000, 'NULL', 0x5C4E,
     '2024-02-29', '2024-02-29 12:34:56', '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.000001',
     '2024-03-31 01:30:00.500000', '00:00:00', '-00:00:00.000001', 0, 'b', 'y', '"NULL"'))");
  db.exec("INSERT INTO `" + name + R"(` VALUES
    (5, -1, 128, -1, 32768, -1, 8388608, -1, 2147483648, -1, 9223372036854775808,
     0.01, 0.0000000001, 0.000000000000000000000000000001, 10000000000000000000,
     1.401298464324817e-45, 5e-324, b'0', b'10000000', 0x0000000000000001, 1,
     'N', '', 'V', '\\', 0x00, '', 0x00,
     '0000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00.001', '2000-01-01 00:00:00.999999',
     '2000-01-01 00:00:00.000000', '25:00:00', '100:00:00.5', 2000, 'a', 'x,z', '{}'))");
  db.exec("INSERT INTO `" + name + R"(` VALUES
    (6, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -0.50, -1.5, -0.000000000000000000000000000001, 5,
     0.1, 0.1, b'1', b'1', 0x0102030405060708, 2,
     ' x', 'line1\nline2\r\n', 'a\0b', 'é', 0x0A0D0900, '\\N', 0x0A,
     '2024-01-01', '2024-01-01 00:00:00', '2024-01-01 00:00:00.000', '2024-01-01 00:00:00.000000',
     '2024-01-01 00:00:00.000000', '-25:00:00', '23:59:59.999999', 1999, 'b', 'z',
     '{"a": "tab\\tquote\\"backslash\\\\"}'))");
}

class MysqlRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(MysqlRoundTrip, EveryTypeRoundTripsThroughParquetUnchanged) {
  const std::string method = GetParam();
  const std::string source = "rt_types_" + method;
  const std::string target = "rt_types_" + method + "_back";
  MysqlTestConnection db;
  create_types_table(db, source);
  db.exec("DROP TABLE IF EXISTS `" + target + "`");
  db.exec("CREATE TABLE `" + target + "` LIKE `" + source + "`");
  db.exec("INSERT INTO `" + target + "` (id, vc) VALUES (99, 'replaced by the load')");
  TempDir dir;
  write_mysql_profiles(dir.path());

  DvtRun extract = run_dvt_in(
      dir.path(), {"extract", "my:" + source, "--staging-dir", dir.path(), "--method", method});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_NE(extract.out.find("extract: 6 rows"), std::string::npos) << extract.out;
  EXPECT_NE(extract.out.find("method: " + method + " -> native"), std::string::npos) << extract.out;

  DvtRun load = run_dvt_in(
      dir.path(), {"load", dir.file(source + ".parquet"), "my:" + target, "--method", method});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_NE(load.out.find("load: 6 rows"), std::string::npos) << load.out;

  EXPECT_EQ(db.value("SELECT COUNT(*) FROM `" + target + "`"), "6");
  EXPECT_EQ(differing_rows(db, source, target), 0);
}

TEST_P(MysqlRoundTrip, ParquetHoldsTheExactTypes) {
  const std::string method = GetParam();
  const std::string source = "rt_typed_" + method;
  MysqlTestConnection db;
  create_types_table(db, source);
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun extract = run_dvt_in(
      dir.path(), {"extract", "my:" + source, "--staging-dir", dir.path(), "--method", method});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  Rows types =
      duck_query("SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM '" +
                 dir.file(source + ".parquet") + "')");
  std::string described;
  for (const auto& row : types) described += *row[0] + ", ";
  EXPECT_EQ(described,
            "id INTEGER, ti TINYINT, tiu UTINYINT, si SMALLINT, siu USMALLINT, mi INTEGER, "
            "miu UINTEGER, i INTEGER, iu UINTEGER, bi BIGINT, biu UBIGINT, d10 DECIMAL(10,2), "
            "d38 DECIMAL(38,10), d65 VARCHAR, d20u DECIMAL(20,0), f FLOAT, db DOUBLE, b1 UBIGINT, "
            "b8 UBIGINT, b64 UBIGINT, bo TINYINT, c VARCHAR, vc VARCHAR, tx VARCHAR, lt VARCHAR, "
            "bn BLOB, vb BLOB, bl BLOB, dt DATE, dtm TIMESTAMP, dtm3 TIMESTAMP, dtm6 TIMESTAMP, "
            "ts TIMESTAMP WITH TIME ZONE, tm VARCHAR, tm6 VARCHAR, yr SMALLINT, en VARCHAR, "
            "st VARCHAR, js JSON, ");
  Rows values = duck_query(
      "SELECT biu::VARCHAR, d65, f::DOUBLE::VARCHAR, b64::VARCHAR, lt, tx, epoch_us(ts)::VARCHAR, "
      "tm, js FROM '" +
      dir.file(source + ".parquet") + "' WHERE id = 2");
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0][0], "18446744073709551615");
  EXPECT_EQ(values[0][1], "99999999999999999999999999999999999.999999999999999999999999999999");
  EXPECT_EQ(values[0][2], "3.4028234663852886e+38");
  EXPECT_EQ(values[0][3], "18446744073709551615");
  EXPECT_EQ(values[0][4], "ÿé");  // latin1 column, converted
  EXPECT_EQ(values[0][5], "four-byte: 😀𝄞 and CJK: 漢字");
  EXPECT_EQ(values[0][6], "2147483647999999");  // the instant, whatever the zone
  EXPECT_EQ(values[0][7], "838:59:59");
  EXPECT_EQ(values[0][8], R"({"k": [1, 2.5, "é😀"], "n": null})");
}

// The word NULL, a real NULL, the empty string and \N are four values.
TEST_P(MysqlRoundTrip, NullAndLookalikesStayDistinct) {
  const std::string method = GetParam();
  const std::string source = "rt_nulls_" + method;
  MysqlTestConnection db;
  db.exec("DROP TABLE IF EXISTS `" + source + "`");
  db.exec("CREATE TABLE `" + source +
          "` (id INT PRIMARY KEY, t VARCHAR(20), nn VARCHAR(20) NOT NULL, b VARBINARY(20))");
  db.exec("INSERT INTO `" + source + R"(` VALUES
    (1, NULL, 'NULL', NULL), (2, 'NULL', 'NULL', 'NULL'), (3, '', '', ''), (4, '\\N', '\\N', '\\N'),
    (5, 'a\tb', 'a\nb', 'a\\b'), (6, 'V', 'N', '\0'))");
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun extract = run_dvt_in(
      dir.path(), {"extract", "my:" + source, "--staging-dir", dir.path(), "--method", method});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  Rows rows = duck_query("SELECT id, t, t IS NULL, nn, hex(b), b IS NULL, length(t) FROM '" +
                         dir.file(source + ".parquet") + "' ORDER BY id");
  ASSERT_EQ(rows.size(), 6u);
  using R = std::vector<std::optional<std::string>>;
  EXPECT_EQ(rows[0], (R{"1", std::nullopt, "true", "NULL", std::nullopt, "true", std::nullopt}));
  EXPECT_EQ(rows[1], (R{"2", "NULL", "false", "NULL", "4E554C4C", "false", "4"}));
  EXPECT_EQ(rows[2], (R{"3", "", "false", "", "", "false", "0"}));
  EXPECT_EQ(rows[3], (R{"4", "\\N", "false", "\\N", "5C4E", "false", "2"}));
  EXPECT_EQ(rows[4], (R{"5", "a\tb", "false", "a\nb", "615C62", "false", "3"}));
  EXPECT_EQ(rows[5], (R{"6", "V", "false", "N", "00", "false", "1"}));
}

// Values far longer than the reader's first buffers (the binary protocol
// hands them over in pieces) and short ones after them.
TEST_P(MysqlRoundTrip, LongValuesRoundTrip) {
  const std::string method = GetParam();
  const std::string source = "rt_long_" + method;
  const std::string target = "rt_long_" + method + "_back";
  MysqlTestConnection db;
  db.exec("DROP TABLE IF EXISTS `" + source + "`");
  db.exec("CREATE TABLE `" + source +
          "` (id INT PRIMARY KEY, t LONGTEXT, b LONGBLOB, d DECIMAL(65,30), j JSON) "
          "DEFAULT CHARSET=utf8mb4");
  db.exec("INSERT INTO `" + source + R"(` VALUES
    (1, 'short', 0x01, 1.5, '[]'),
    (2, REPEAT('é😀\t\\', 300000), REPEAT(UNHEX('00FF5C0A'), 500000), -1.5,
     CONCAT('[', REPEAT('"xxxxxxxxxx",', 20000), '1]')),
    (3, 'short again', 0x02, 0, '{}'),
    (4, REPEAT('a', 70000), REPEAT(0x00, 257), NULL, NULL),
    (5, REPEAT('x', 3000000), NULL, NULL, NULL), (6, REPEAT('y', 3000000), NULL, NULL, NULL),
    (7, REPEAT('z', 3000000), NULL, NULL, NULL), (8, 'after the large rows', 0x03, 8, '8'))");
  db.exec("DROP TABLE IF EXISTS `" + target + "`");
  db.exec("CREATE TABLE `" + target + "` LIKE `" + source + "`");
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun extract = run_dvt_in(
      dir.path(), {"extract", "my:" + source, "--staging-dir", dir.path(), "--method", method});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  DvtRun load = run_dvt_in(
      dir.path(), {"load", dir.file(source + ".parquet"), "my:" + target, "--method", method});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(db.value("SELECT CONCAT(LENGTH(t), ' ', LENGTH(b)) FROM `" + target + "` WHERE id = 2"),
            "2400000 2000000");
  EXPECT_EQ(db.value("SELECT COUNT(*) FROM `" + target + "`"), "8");
  EXPECT_EQ(differing_rows(db, source, target), 0);
}

// TIMESTAMP values are instants: dvt's sessions run in UTC, so what a session
// in another zone wrote is read as the same instant, and what dvt loads reads
// back in any zone as that instant's local time. DATETIME has no zone and
// keeps its digits.
TEST_P(MysqlRoundTrip, TimestampsAreInstantsWhateverTheSessionTimeZone) {
  const std::string method = GetParam();
  const std::string source = "rt_zone_" + method;
  const std::string target = "rt_zone_" + method + "_back";
  MysqlTestConnection db;
  db.exec("SET time_zone = '+05:00'");
  db.exec("DROP TABLE IF EXISTS `" + source + "`, `" + target + "`");
  db.exec("CREATE TABLE `" + source +
          "` (id INT PRIMARY KEY, ts TIMESTAMP(6) NULL, dt DATETIME(6))");
  db.exec("CREATE TABLE `" + target + "` LIKE `" + source + "`");
  db.exec("INSERT INTO `" + source +
          "` VALUES (1, '2024-01-01 05:00:00', '2024-01-01 05:00:00'), "
          "(2, '2038-01-19 08:14:07.999999', '2038-01-19 08:14:07.999999'), "
          "(3, '1970-01-01 05:00:01', '1970-01-01 05:00:01')");
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun extract = run_dvt_in(
      dir.path(), {"extract", "my:" + source, "--staging-dir", dir.path(), "--method", method});
  ASSERT_EQ(extract.exit_code, 0) << extract.err;
  EXPECT_EQ(duck_query("SELECT epoch_us(ts)::VARCHAR, dt::VARCHAR FROM '" +
                       dir.file(source + ".parquet") + "' ORDER BY id"),
            (Rows{{"1704067200000000", "2024-01-01 05:00:00"},
                  {"2147483647999999", "2038-01-19 08:14:07.999999"},
                  {"1000000", "1970-01-01 05:00:01"}}));
  DvtRun load = run_dvt_in(
      dir.path(), {"load", dir.file(source + ".parquet"), "my:" + target, "--method", method});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(db.value("SELECT GROUP_CONCAT(ts ORDER BY id SEPARATOR ', ') FROM `" + target + "`"),
            "2024-01-01 05:00:00.000000, 2038-01-19 08:14:07.999999, 1970-01-01 05:00:01.000000");
  db.exec("SET time_zone = '-08:00'");
  EXPECT_EQ(db.value("SELECT GROUP_CONCAT(ts ORDER BY id SEPARATOR ', ') FROM `" + target + "`"),
            "2023-12-31 16:00:00.000000, 2038-01-18 19:14:07.999999, 1969-12-31 16:00:01.000000");
  EXPECT_EQ(db.value("SELECT GROUP_CONCAT(dt ORDER BY id SEPARATOR ', ') FROM `" + target + "`"),
            "2024-01-01 05:00:00.000000, 2038-01-19 08:14:07.999999, 1970-01-01 05:00:01.000000");
  EXPECT_EQ(differing_rows(db, source, target), 0);
}

// A query with nothing pushed down runs as written, so its ORDER BY holds.
TEST(MysqlQuery, RunsAsWrittenKeepingItsOrder) {
  MysqlTestConnection db;
  db.exec("DROP TABLE IF EXISTS `rt_order`");
  db.exec("CREATE TABLE `rt_order` (id INT PRIMARY KEY, v VARCHAR(5))");
  db.exec("INSERT INTO `rt_order` VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun run = run_dvt_in(dir.path(), {"copy", "my", dir.file("ordered.parquet"), "--query",
                                       "SELECT id, v FROM rt_order ORDER BY id DESC"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(duck_query("SELECT string_agg(v, '') FROM '" + dir.file("ordered.parquet") + "'"),
            (Rows{{"cba"}}));
}

// The order holds across Parquet row groups too: the staging COPY runs on the
// reader's single engine thread, which writes rows in the order they arrive.
TEST(MysqlQuery, LargeOrderedQueryKeepsItsOrderAcrossRowGroups) {
  TempDir dir;
  write_mysql_profiles(dir.path());
  DvtRun run = run_dvt_in(
      dir.path(), {"copy", "my", dir.file("ordered.parquet"), "--query",
                   "SELECT seq AS id, CONCAT('row ', seq) AS v FROM seq_1_to_300000 ORDER BY seq "
                   "DESC"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string file = dir.file("ordered.parquet");
  EXPECT_EQ(duck_query("SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + file + "')"),
            (Rows{{"3"}}));
  EXPECT_EQ(duck_query("SELECT count(*), count(*) FILTER (WHERE id <> 300000 - file_row_number OR "
                       "v <> 'row ' || id) FROM read_parquet('" +
                       file + "', file_row_number = true)"),
            (Rows{{"300000", "0"}}));
}

INSTANTIATE_TEST_SUITE_P(Tiers, MysqlRoundTrip, ::testing::Values("native", "pipe"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dvt::test
