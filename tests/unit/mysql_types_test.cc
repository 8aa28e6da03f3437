#include <gtest/gtest.h>

#include "connectors/mysql/mysql_types.h"
#include "core/error.h"

namespace dvt::mysql {
namespace {

FieldInfo field(enum_field_types type, unsigned long length = 0, unsigned decimals = 0,
                unsigned flags = 0, unsigned charsetnr = 63) {
  return FieldInfo{std::string(1, 'c'), type, length, decimals, flags, charsetnr, false};
}

constexpr unsigned kUtf8mb4 = 45;

TEST(MysqlTypes, IntegersKeepTheirSignAndWidth) {
  MappingOptions options;
  EXPECT_EQ(map_field(field(MYSQL_TYPE_TINY, 4), options).type, Type(DUCKDB_TYPE_TINYINT));
  EXPECT_EQ(map_field(field(MYSQL_TYPE_TINY, 3, 0, UNSIGNED_FLAG), options).type,
            Type(DUCKDB_TYPE_UTINYINT));
  EXPECT_EQ(map_field(field(MYSQL_TYPE_INT24, 9), options).type, Type(DUCKDB_TYPE_INTEGER));
  EXPECT_EQ(map_field(field(MYSQL_TYPE_LONG, 10, 0, UNSIGNED_FLAG), options).type,
            Type(DUCKDB_TYPE_UINTEGER));
  MysqlColumnType ubigint = map_field(field(MYSQL_TYPE_LONGLONG, 20, 0, UNSIGNED_FLAG), options);
  EXPECT_EQ(ubigint.type, Type(DUCKDB_TYPE_UBIGINT));
  EXPECT_EQ(ubigint.decode, Decode::kUInt64);
  EXPECT_EQ(map_field(field(MYSQL_TYPE_YEAR, 4), options).type, Type(DUCKDB_TYPE_SMALLINT));
}

TEST(MysqlTypes, TinyintOneIsANumberUnlessAskedForBoolean) {
  MappingOptions options;
  MysqlColumnType number = map_field(field(MYSQL_TYPE_TINY, 1), options);
  EXPECT_EQ(number.type, Type(DUCKDB_TYPE_TINYINT));
  EXPECT_EQ(number.source_type, "tinyint(1)");
  options.tinyint1_as_boolean = true;
  MysqlColumnType boolean = map_field(field(MYSQL_TYPE_TINY, 1), options);
  EXPECT_EQ(boolean.type, Type(DUCKDB_TYPE_BOOLEAN));
  EXPECT_EQ(boolean.decode, Decode::kBoolean);
}

TEST(MysqlTypes, DecimalPrecisionComesFromTheDisplayLength) {
  MappingOptions options;
  // DECIMAL(10,2): 10 digits + point + sign.
  EXPECT_EQ(map_field(field(MYSQL_TYPE_NEWDECIMAL, 12, 2), options).type, Type::decimal(10, 2));
  // DECIMAL(10,0) UNSIGNED: no point, no sign.
  EXPECT_EQ(map_field(field(MYSQL_TYPE_NEWDECIMAL, 10, 0, UNSIGNED_FLAG), options).type,
            Type::decimal(10, 0));
  EXPECT_EQ(map_field(field(MYSQL_TYPE_NEWDECIMAL, 40, 10), options).type, Type::decimal(38, 10));
  // Wider than 38 digits: exact text.
  MysqlColumnType wide = map_field(field(MYSQL_TYPE_NEWDECIMAL, 67, 30), options);
  EXPECT_EQ(wide.type, Type(DUCKDB_TYPE_VARCHAR));
  EXPECT_EQ(wide.source_type, "decimal(65,30)");
}

TEST(MysqlTypes, TextBytesEnumsAndJson) {
  MappingOptions options;
  EXPECT_EQ(map_field(field(MYSQL_TYPE_VAR_STRING, 40, 0, 0, kUtf8mb4), options).type,
            Type(DUCKDB_TYPE_VARCHAR));
  EXPECT_EQ(map_field(field(MYSQL_TYPE_VAR_STRING, 10, 0, BINARY_FLAG, 63), options).type,
            Type(DUCKDB_TYPE_BLOB));
  EXPECT_EQ(map_field(field(MYSQL_TYPE_BLOB, 65535, 0, BLOB_FLAG, 63), options).decode,
            Decode::kBlob);
  EXPECT_EQ(map_field(field(MYSQL_TYPE_STRING, 4, 0, ENUM_FLAG, kUtf8mb4), options).source_type,
            "enum");
  EXPECT_EQ(map_field(field(MYSQL_TYPE_STRING, 12, 0, SET_FLAG, kUtf8mb4), options).source_type,
            "set");
  FieldInfo json = field(MYSQL_TYPE_BLOB, 4294967295, 0, BLOB_FLAG, kUtf8mb4);
  json.json = true;  // MariaDB: LONGTEXT with format=json metadata
  EXPECT_TRUE(map_field(json, options).type.is_json());
  EXPECT_TRUE(map_field(field(MYSQL_TYPE_JSON, 0, 0, 0, kUtf8mb4), options).type.is_json());
}

TEST(MysqlTypes, TemporalTypes) {
  MappingOptions options;
  EXPECT_EQ(map_field(field(MYSQL_TYPE_DATE, 10), options).type, Type(DUCKDB_TYPE_DATE));
  EXPECT_EQ(map_field(field(MYSQL_TYPE_DATETIME, 23, 3), options).type,
            Type(DUCKDB_TYPE_TIMESTAMP));
  EXPECT_EQ(map_field(field(MYSQL_TYPE_TIMESTAMP, 26, 6), options).type,
            Type(DUCKDB_TYPE_TIMESTAMP_TZ));
  MysqlColumnType time = map_field(field(MYSQL_TYPE_TIME, 13, 2), options);
  EXPECT_EQ(time.type, Type(DUCKDB_TYPE_VARCHAR));
  EXPECT_EQ(time.decode, Decode::kTimeText);
  EXPECT_EQ(time.source_type, "time(2)");
  EXPECT_EQ(time.fraction_digits, 2);
  options.time_as_text = false;
  EXPECT_EQ(map_field(field(MYSQL_TYPE_TIME, 10), options).type, Type(DUCKDB_TYPE_TIME));
  EXPECT_EQ(map_field(field(MYSQL_TYPE_BIT, 5, 0, UNSIGNED_FLAG), options).type,
            Type(DUCKDB_TYPE_UBIGINT));
}

TEST(MysqlTypes, PipeSelectsFloatAsItsExactDouble) {
  MappingOptions options;
  MysqlColumnType real = map_field(field(MYSQL_TYPE_FLOAT, 12, 31), options);
  EXPECT_EQ(pipe_select_expression(real, "`f`", true), "CAST(`f` AS DOUBLE)");
  MysqlColumnType number = map_field(field(MYSQL_TYPE_LONG, 11), options);
  EXPECT_EQ(pipe_select_expression(number, "`i`", true), "`i`");
}

TEST(MysqlTypes, PipeMarksOnlyColumnsWhoseTextCouldBeTheWordNull) {
  MappingOptions options;
  MysqlColumnType text = map_field(field(MYSQL_TYPE_VAR_STRING, 40, 0, 0, kUtf8mb4), options);
  MysqlColumnType number = map_field(field(MYSQL_TYPE_LONG, 11), options);
  MysqlColumnType bits = map_field(field(MYSQL_TYPE_BIT, 32, 0, UNSIGNED_FLAG), options);
  EXPECT_EQ(pipe_select_expression(text, "`t`", true), "CONCAT('V', `t`)");
  EXPECT_EQ(pipe_select_expression(text, "`t`", false), "`t`");
  EXPECT_EQ(pipe_select_expression(bits, "`b`", true), "CONCAT('V', `b`)");
  EXPECT_EQ(pipe_select_expression(number, "`i`", true), "`i`");
}

TEST(MysqlTypes, TargetDeclarations) {
  EXPECT_EQ(target_type(Type(DUCKDB_TYPE_UBIGINT), false, 0).declaration, "BIGINT UNSIGNED");
  EXPECT_EQ(target_type(Type::decimal(38, 10), false, 0).declaration, "DECIMAL(38,10)");
  EXPECT_EQ(target_type(Type(DUCKDB_TYPE_VARCHAR), false, 0).declaration, "LONGTEXT");
  EXPECT_EQ(target_type(Type(DUCKDB_TYPE_VARCHAR), true, 2).declaration, "VARCHAR(384)");
  // Beside an INT in the key: 3072 - 16 bytes left for the text.
  EXPECT_EQ(target_type(Type(DUCKDB_TYPE_VARCHAR), true, 1, 1).declaration, "VARCHAR(764)");
  EXPECT_EQ(target_type(Type(DUCKDB_TYPE_BLOB), true, 1).declaration, "VARBINARY(3072)");
  EXPECT_EQ(target_type(Type(DUCKDB_TYPE_TIMESTAMP_TZ), false, 0).declaration, "TIMESTAMP(6)");
  EXPECT_EQ(target_type(Type(DUCKDB_TYPE_TIMESTAMP), false, 0).declaration, "DATETIME(6)");
  EXPECT_EQ(target_type(Type(DUCKDB_TYPE_BOOLEAN), false, 0).declaration, "TINYINT(1)");
  EXPECT_EQ(target_type(Type::json(), false, 0).declaration, "JSON");
  EXPECT_EQ(target_type(Type::enumeration({"a", "it's"}), false, 0).declaration,
            "ENUM('a','it''s')");
  MysqlTargetType huge = target_type(Type(DUCKDB_TYPE_HUGEINT), false, 0);
  EXPECT_EQ(huge.declaration, "DECIMAL(39,0)");
  EXPECT_EQ(huge.wire, Type(DUCKDB_TYPE_VARCHAR));
  MysqlTargetType list = target_type(Type::list(Type(DUCKDB_TYPE_INTEGER)), false, 0);
  EXPECT_EQ(list.declaration, "JSON");
  EXPECT_TRUE(list.wire.is_json());
  EXPECT_EQ(target_type(Type(DUCKDB_TYPE_INTERVAL), false, 0).wire, Type(DUCKDB_TYPE_VARCHAR));
}

}  // namespace
}  // namespace dvt::mysql
