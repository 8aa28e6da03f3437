// ClickHouse type spellings parsed into trees, and the mappings to DuckDB
// types (reading), to ClickHouse declarations (tables dvt creates) and to
// wire types (loading).
#include <gtest/gtest.h>

#include "connectors/clickhouse/ch_types.h"
#include "core/error.h"

namespace dvt::ch {
namespace {

std::string read_as(const std::string& spelling, ReadOptions options = {}) {
  return plan_read(parse_type(spelling), options).type.sql();
}

TEST(ClickHouseTypeParser, ParsesWrappersIntoATree) {
  ChType type = parse_type("Array(LowCardinality(Nullable(String)))");
  EXPECT_EQ(type.kind, ChKind::kArray);
  ASSERT_EQ(type.children.size(), 1u);
  EXPECT_EQ(type.children[0].kind, ChKind::kLowCardinality);
  EXPECT_EQ(type.children[0].children[0].kind, ChKind::kNullable);
  EXPECT_EQ(type.children[0].children[0].children[0].kind, ChKind::kString);
  EXPECT_EQ(type.children[0].spelling, "LowCardinality(Nullable(String))");
  EXPECT_EQ(type.children[0].value_type().kind, ChKind::kString);
}

TEST(ClickHouseTypeParser, ReadsDecimalPrecisionAndScaleInEverySpelling) {
  ChType plain = parse_type("Decimal(12, 2)");
  EXPECT_EQ(plain.kind, ChKind::kDecimal);
  EXPECT_EQ(plain.precision, 12);
  EXPECT_EQ(plain.scale, 2);
  EXPECT_EQ(plain.decimal_bytes(), 8);
  EXPECT_EQ(parse_type("Decimal32(3)").precision, 9);
  EXPECT_EQ(parse_type("Decimal64(3)").precision, 18);
  EXPECT_EQ(parse_type("Decimal128(3)").precision, 38);
  EXPECT_EQ(parse_type("Decimal128(3)").decimal_bytes(), 16);
  EXPECT_EQ(parse_type("Decimal(4,1)").decimal_bytes(), 4);
  // 256-bit decimals have no exact DuckDB DECIMAL: read as text.
  EXPECT_EQ(parse_type("Decimal256(10)").kind, ChKind::kOther);
  EXPECT_EQ(parse_type("Decimal(76, 10)").kind, ChKind::kOther);
}

TEST(ClickHouseTypeParser, ReadsEnumLabelsWithTheServersEscapes) {
  // As DESCRIBE prints Enum8('it\'s' = -3, 'a b' = 1, 'back\\slash' = 5).
  ChType type = parse_type(R"(Enum8('it\'s' = -3, 'a b' = 1, 'back\\slash' = 5, 'tab\t' = 6))");
  EXPECT_EQ(type.kind, ChKind::kEnum8);
  ASSERT_EQ(type.enum_values.size(), 4u);
  EXPECT_EQ(type.enum_values[0], (std::pair<std::string, int16_t>{"it's", -3}));
  EXPECT_EQ(type.enum_values[1], (std::pair<std::string, int16_t>{"a b", 1}));
  EXPECT_EQ(type.enum_values[2], (std::pair<std::string, int16_t>{"back\\slash", 5}));
  EXPECT_EQ(type.enum_values[3], (std::pair<std::string, int16_t>{"tab\t", 6}));
  EXPECT_EQ(parse_type("Enum16('x' = -1000, 'y' = 30000)").enum_values[1].second, 30000);
}

TEST(ClickHouseTypeParser, ReadsTimeZonesAndLengths) {
  ChType zoned = parse_type("DateTime('Asia/Tokyo')");
  EXPECT_EQ(zoned.kind, ChKind::kDateTime);
  EXPECT_TRUE(zoned.has_timezone);
  EXPECT_EQ(zoned.timezone, "Asia/Tokyo");
  EXPECT_FALSE(parse_type("DateTime").has_timezone);
  ChType ticks = parse_type("DateTime64(3, 'UTC')");
  EXPECT_EQ(ticks.kind, ChKind::kDateTime64);
  EXPECT_EQ(ticks.precision, 3);
  EXPECT_EQ(ticks.timezone, "UTC");
  EXPECT_EQ(parse_type("FixedString(16)").length, 16u);
}

TEST(ClickHouseTypeParser, KeepsUnknownTypesWhole) {
  ChType tuple = parse_type("Tuple(a Int8, b Array(String), c Enum8('x)' = 1))");
  EXPECT_EQ(tuple.kind, ChKind::kOther);
  EXPECT_EQ(tuple.spelling, "Tuple(a Int8, b Array(String), c Enum8('x)' = 1))");
  EXPECT_EQ(parse_type("Map(String, UInt64)").kind, ChKind::kOther);
  EXPECT_EQ(parse_type("IPv4").kind, ChKind::kOther);
  EXPECT_EQ(parse_type("Array(Int128)").children[0].kind, ChKind::kOther);
}

TEST(ClickHouseTypeParser, RejectsMalformedSpellings) {
  EXPECT_THROW(parse_type("Nullable(Int8"), DataError);
  EXPECT_THROW(parse_type("FixedString(0)"), DataError);
  EXPECT_THROW(parse_type("Enum8('a' = 300)"), DataError);
  EXPECT_THROW(parse_type("Int8 Int8"), DataError);
}

TEST(ClickHouseReadMapping, GivesTheExactDuckDBType) {
  EXPECT_EQ(read_as("Int8"), "TINYINT");
  EXPECT_EQ(read_as("Int64"), "BIGINT");
  EXPECT_EQ(read_as("UInt8"), "UTINYINT");
  EXPECT_EQ(read_as("UInt64"), "UBIGINT");
  EXPECT_EQ(read_as("Float32"), "FLOAT");
  EXPECT_EQ(read_as("Float64"), "DOUBLE");
  EXPECT_EQ(read_as("Decimal(38, 10)"), "DECIMAL(38,10)");
  EXPECT_EQ(read_as("String"), "VARCHAR");
  EXPECT_EQ(read_as("FixedString(3)"), "VARCHAR");
  EXPECT_EQ(read_as("Date"), "DATE");
  EXPECT_EQ(read_as("UUID"), "UUID");
  EXPECT_EQ(read_as("Bool"), "BOOLEAN");
  EXPECT_EQ(read_as("Nullable(Int32)"), "INTEGER");
  EXPECT_EQ(read_as("LowCardinality(Nullable(String))"), "VARCHAR");
  EXPECT_EQ(read_as("Array(Array(Nullable(UInt16)))"), "USMALLINT[][]");
  EXPECT_EQ(read_as("Enum8('b' = 2, 'a' = 1)"), "ENUM('a', 'b')");
}

TEST(ClickHouseReadMapping, DateTimeWithoutZoneIsPlainOnlyOnAUtcServer) {
  ReadOptions utc;
  ReadOptions elsewhere;
  elsewhere.server_utc = false;
  EXPECT_EQ(read_as("DateTime", utc), "TIMESTAMP");
  EXPECT_EQ(read_as("DateTime", elsewhere), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(read_as("DateTime('Europe/Berlin')", utc), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(read_as("DateTime64(3)", utc), "TIMESTAMP");
  EXPECT_EQ(read_as("DateTime64(6, 'UTC')", utc), "TIMESTAMP WITH TIME ZONE");
}

TEST(ClickHouseReadMapping, StringsAreBlobsUnderTheBlobRule) {
  ReadOptions blob;
  blob.strings = StringRule::kBlob;
  EXPECT_EQ(read_as("String", blob), "BLOB");
  EXPECT_EQ(read_as("Nullable(FixedString(16))", blob), "BLOB");
  EXPECT_EQ(read_as("Array(String)", blob), "BLOB[]");
}

TEST(ClickHouseReadMapping, TypesWithoutAnExactFormTravelAsText) {
  ReadPlan tuple = plan_read(parse_type("Tuple(Int8, String)"), {});
  EXPECT_TRUE(tuple.as_text);
  EXPECT_EQ(tuple.type.sql(), "VARCHAR");
  EXPECT_EQ(tuple.wire.spelling, "String");
  ReadPlan nanos = plan_read(parse_type("Nullable(DateTime64(9))"), {});
  EXPECT_TRUE(nanos.as_text);
  EXPECT_TRUE(nanos.nullable);
  EXPECT_EQ(nanos.wire.spelling, "Nullable(String)");
  EXPECT_TRUE(plan_read(parse_type("Array(IPv6)"), {}).as_text);
  EXPECT_FALSE(plan_read(parse_type("Array(UInt8)"), {}).as_text);
}

TEST(ClickHouseDdl, DeclaresEachDuckDBTypeOn1816) {
  DdlOptions old_server;  // 18.16: no Bool, DateTime64, Date32, Int128
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_BOOLEAN), false, old_server), "UInt8");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_INTEGER), true, old_server), "Nullable(Int32)");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_UBIGINT), false, old_server), "UInt64");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_HUGEINT), false, old_server), "Decimal(38, 0)");
  EXPECT_EQ(ddl_type(Type::decimal(12, 2), false, old_server), "Decimal(12, 2)");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_VARCHAR), false, old_server), "String");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_BLOB), false, old_server), "String");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_DATE), false, old_server), "Date");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_TIMESTAMP), false, old_server), "DateTime");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_TIMESTAMP_TZ), false, old_server), "DateTime('UTC')");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_UUID), false, old_server), "UUID");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_INTERVAL), false, old_server), "String");
  EXPECT_EQ(ddl_type(Type::list(Type(DUCKDB_TYPE_INTEGER)), true, old_server),
            "Array(Nullable(Int32))");
  EXPECT_EQ(ddl_type(Type::enumeration({"a", "it's"}), false, old_server),
            "Enum8('a' = 1, 'it\\'s' = 2)");
}

TEST(ClickHouseDdl, UsesNewerTypesWhereTheServerHasThem) {
  DdlOptions newer;
  newer.has_bool = newer.has_datetime64 = newer.has_date32 = newer.has_int128 = true;
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_BOOLEAN), false, newer), "Bool");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_TIMESTAMP), false, newer), "DateTime64(6)");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_TIMESTAMP_TZ), true, newer),
            "Nullable(DateTime64(6, 'UTC'))");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_DATE), false, newer), "Date32");
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_HUGEINT), false, newer), "Int128");
}

TEST(ClickHouseDdl, PlainTimestampsKeepTheirWallClockOnAServerOutsideUtc) {
  DdlOptions elsewhere;
  elsewhere.server_utc = false;
  EXPECT_EQ(ddl_type(Type(DUCKDB_TYPE_TIMESTAMP), false, elsewhere), "DateTime('UTC')");
}

TEST(ClickHouseDdl, EveryDeclarationParsesBackToTheSameKind) {
  DdlOptions options;
  for (const Type& type :
       {Type(DUCKDB_TYPE_SMALLINT), Type::decimal(4, 1), Type(DUCKDB_TYPE_TIMESTAMP_TZ),
        Type::list(Type::list(Type(DUCKDB_TYPE_VARCHAR)))}) {
    ChType parsed = parse_type(ddl_type(type, true, options));
    EXPECT_TRUE(is_readable_in_binary(parsed)) << parsed.spelling;
  }
}

TEST(ClickHouseWireType, CastsIncomingColumnsToWhatTheTargetEncodes) {
  EXPECT_EQ(wire_type(parse_type("Int16"), Type(DUCKDB_TYPE_BIGINT)).sql(), "SMALLINT");
  EXPECT_EQ(wire_type(parse_type("Nullable(Decimal(9, 2))"), Type(DUCKDB_TYPE_DOUBLE)).sql(),
            "DECIMAL(9,2)");
  EXPECT_EQ(wire_type(parse_type("String"), Type(DUCKDB_TYPE_BLOB)).sql(), "BLOB");
  EXPECT_EQ(wire_type(parse_type("String"), Type(DUCKDB_TYPE_INTEGER)).sql(), "VARCHAR");
  EXPECT_EQ(wire_type(parse_type("DateTime"), Type(DUCKDB_TYPE_TIMESTAMP_TZ)).sql(),
            "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(wire_type(parse_type("DateTime"), Type(DUCKDB_TYPE_VARCHAR)).sql(), "TIMESTAMP");
  EXPECT_EQ(wire_type(parse_type("Enum8('a' = 1)"), Type(DUCKDB_TYPE_VARCHAR)).sql(), "VARCHAR");
  EXPECT_EQ(wire_type(parse_type("LowCardinality(String)"), Type(DUCKDB_TYPE_VARCHAR)).sql(),
            "VARCHAR");
  EXPECT_EQ(
      wire_type(parse_type("Array(Nullable(UInt8))"), Type::list(Type(DUCKDB_TYPE_INTEGER))).sql(),
      "UTINYINT[]");
  EXPECT_THROW(wire_type(parse_type("Tuple(Int8, Int8)"), Type(DUCKDB_TYPE_VARCHAR)), ConfigError);
}

TEST(ClickHouseQuoting, EscapesBackticksQuotesAndBackslashes) {
  EXPECT_EQ(quote_identifier("Customer Code"), "`Customer Code`");
  EXPECT_EQ(quote_identifier("a`b\\c"), "`a\\`b\\\\c`");
  EXPECT_EQ(quote_literal("it's \\"), "'it\\'s \\\\'");
}

}  // namespace
}  // namespace dvt::ch
