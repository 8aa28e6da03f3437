#include <gtest/gtest.h>

#include <string>

#include "connectors/connector.h"
#include "connectors/mysql/mysql_encoder.h"
#include "core/error.h"
#include "engine/engine.h"

namespace dvt::mysql {
namespace {

// Encodes the single row `select` yields (its columns in order).
struct Encoded {
  std::string load_data;
  std::string insert;
};

Encoded encode(const std::string& select, std::vector<bool> bit_targets = {},
               std::vector<bool> year_targets = {}) {
  Engine engine;
  TableSchema schema = engine.describe(select);
  std::vector<EncodedColumn> columns;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    EncodedColumn column;
    column.name = schema.columns[i].name;
    column.target = target_type(schema.columns[i].type, false, 1);
    column.bit_target = i < bit_targets.size() && bit_targets[i];
    column.year_target = i < year_targets.size() && year_targets[i];
    columns.push_back(column);
  }
  MysqlRowEncoder encoder(columns, "test");
  std::vector<Type> wire;
  for (const auto& column : columns) wire.push_back(column.target.wire);
  auto stream = engine.stream(cast_to_wire(select, schema, wire));
  DataChunk chunk = stream->next();
  EXPECT_TRUE(chunk);
  encoder.begin(chunk.get(), 1);
  Encoded out;
  encoder.append_load_data_row(0, out.load_data);
  encoder.append_insert_row(0, out.insert);
  return out;
}

TEST(MysqlEncoder, NumbersAreExact) {
  Encoded row = encode(
      "SELECT (-128)::TINYINT a, 18446744073709551615::UBIGINT b, 0.1::DOUBLE c, "
      "1.2345678::FLOAT d, -12.50::DECIMAL(4,2) e, 12345678901234567890.123456789::DECIMAL(38,9) "
      "f, "
      "true g");
  EXPECT_EQ(row.load_data,
            "-128\t18446744073709551615\t0.1\t1.2345677614212036\t-12.50\t"
            "12345678901234567890.123456789\t1\n");
  EXPECT_EQ(row.insert,
            "(-128,18446744073709551615,0.1,1.2345677614212036,-12.50,"
            "12345678901234567890.123456789,1)");
}

TEST(MysqlEncoder, NullTextAndTheWordNullStayDistinct) {
  Encoded row = encode("SELECT NULL::VARCHAR a, 'NULL' b, '\\N' c, '' d, 'a' || chr(9) || 'b' e");
  EXPECT_EQ(row.load_data, "\\N\tNULL\t\\\\N\t\ta\\tb\n");
  EXPECT_EQ(row.insert, "(NULL,'NULL','\\\\N','','a\tb')");
}

TEST(MysqlEncoder, BytesTravelAsHex) {
  Encoded row = encode("SELECT '\\x00\\xFF\\x5C'::BLOB a");
  EXPECT_EQ(row.load_data, "00ff5c\n");
  EXPECT_EQ(row.insert, "(X'00ff5c')");
}

TEST(MysqlEncoder, TemporalValues) {
  Encoded row = encode(
      "SELECT DATE '0001-01-01' a, TIMESTAMP '2024-01-02 03:04:05.000001' b, "
      "TIMESTAMPTZ '2024-01-02 03:04:05+02' c, TIME '23:59:59.999999' d, "
      "TIMESTAMP '1969-12-31 23:59:59.5' e");
  EXPECT_EQ(row.load_data,
            "0001-01-01\t2024-01-02 03:04:05.000001\t2024-01-02 01:04:05\t23:59:59.999999\t"
            "1969-12-31 23:59:59.500000\n");
  EXPECT_EQ(row.insert,
            "('0001-01-01','2024-01-02 03:04:05.000001','2024-01-02 01:04:05','23:59:59.999999',"
            "'1969-12-31 23:59:59.500000')");
}

TEST(MysqlEncoder, YearTargetsGetFourDigitsAndBitTargetsACast) {
  // MySQL reads the string '0' as the year 2000, '0000' as 0000.
  Encoded row = encode("SELECT 0::SMALLINT a, 2024::SMALLINT b, '5' c", {false, false, true},
                       {true, true, false});
  EXPECT_EQ(row.load_data, "0000\t2024\t5\n");
  EXPECT_EQ(row.insert, "('0000','2024',CAST('5' AS UNSIGNED))");
}

TEST(MysqlEncoder, RefusesValuesMysqlCannotHold) {
  EXPECT_THROW(encode("SELECT 'nan'::DOUBLE a"), DataError);
  EXPECT_THROW(encode("SELECT 'infinity'::DATE a"), DataError);
  EXPECT_THROW(encode("SELECT DATE '10000-01-01' a"), DataError);
  EXPECT_THROW(encode("SELECT '2024-01-01 00:00:00.000000001'::TIMESTAMP_NS a"), DataError);
}

TEST(MysqlEncoder, LoadDataColumnsConvertBytesAndBits) {
  std::vector<EncodedColumn> columns(3);
  columns[0].name = "plain";
  columns[0].target = target_type(Type(DUCKDB_TYPE_INTEGER), false, 1);
  columns[1].name = "bytes";
  columns[1].target = target_type(Type(DUCKDB_TYPE_BLOB), false, 1);
  columns[2].name = "b`it";
  columns[2].target = target_type(Type(DUCKDB_TYPE_UBIGINT), false, 1);
  columns[2].bit_target = true;
  MysqlRowEncoder encoder(columns, "test");
  EXPECT_EQ(encoder.load_data_columns(),
            "(`plain`, @dvt_2, @dvt_3) SET `bytes` = UNHEX(@dvt_2), `b``it` = CAST(@dvt_3 AS "
            "UNSIGNED)");
}

TEST(MysqlEncoder, SqlEscapingCoversEveryByteMysqlTreatsSpecially) {
  std::string out;
  const std::string value("a'b\\c\0d\ne\rf\x1ag", 13);
  append_sql_escaped(out, value.data(), value.size());
  EXPECT_EQ(out, "a\\'b\\\\c\\0d\\ne\\rf\\Zg");
}

}  // namespace
}  // namespace dvt::mysql
