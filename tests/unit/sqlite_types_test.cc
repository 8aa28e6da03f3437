#include <gtest/gtest.h>

#include "connectors/sqlite/sqlite_types.h"

namespace dvt::sqlite {
namespace {

std::string read_as(const std::string& declared) {
  return map_declared_type(declared).type.sql();
}

TEST(SqliteTypes, RecognizedNamesMapToExactTypes) {
  EXPECT_EQ(read_as("BOOLEAN"), "BOOLEAN");
  EXPECT_EQ(read_as("decimal(12, 2)"), "DECIMAL(12,2)");
  EXPECT_EQ(read_as("NUMERIC(7)"), "DECIMAL(7,0)");
  EXPECT_EQ(read_as("DECIMAL TEXT(38,10)"), "DECIMAL(38,10)");
  EXPECT_EQ(read_as("DATE"), "DATE");
  EXPECT_EQ(read_as("datetime"), "TIMESTAMP");
  EXPECT_EQ(read_as("TIMESTAMP"), "TIMESTAMP");
  EXPECT_EQ(read_as("TIMESTAMPTZ"), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(read_as("TIME"), "TIME");
  EXPECT_EQ(read_as("UUID"), "UUID");
  EXPECT_EQ(read_as("JSON TEXT"), "JSON");
  EXPECT_EQ(read_as("SMALLINT"), "SMALLINT");
  EXPECT_EQ(read_as("UINTEGER"), "UINTEGER");
}

TEST(SqliteTypes, OtherNamesFollowAffinity) {
  EXPECT_EQ(read_as("INTEGER"), "BIGINT");  // SQLite integers are 64-bit
  EXPECT_EQ(read_as("INT"), "BIGINT");
  EXPECT_EQ(read_as("MEDIUMINT"), "BIGINT");
  EXPECT_EQ(read_as("VARCHAR(30)"), "VARCHAR");
  EXPECT_EQ(read_as("NVARCHAR"), "VARCHAR");
  EXPECT_EQ(read_as("CLOB"), "VARCHAR");
  EXPECT_EQ(read_as("BLOB"), "BLOB");
  EXPECT_EQ(read_as("REAL"), "DOUBLE");
  EXPECT_EQ(read_as("DOUBLE PRECISION"), "DOUBLE");
  EXPECT_EQ(read_as("FLOAT"), "DOUBLE");
  EXPECT_EQ(read_as("NUMERIC"), "DOUBLE");
  EXPECT_EQ(read_as(""), "VARCHAR");       // no declared type: exact text
  EXPECT_EQ(read_as("MONEY"), "VARCHAR");  // unknown NUMERIC affinity: exact text
}

TEST(SqliteTypes, DecimalsWiderThan38TravelAsText) {
  EXPECT_EQ(read_as("DECIMAL(50,10)"), "VARCHAR");
  EXPECT_EQ(map_declared_type("DECIMAL(50,10)").wire, WireKind::kText);
}

TEST(SqliteTypes, TextEncodedTypesAreCastByTheEngine) {
  EXPECT_EQ(map_declared_type("DATE").wire, WireKind::kText);
  EXPECT_EQ(map_declared_type("DECIMAL(12,2)").wire, WireKind::kText);
  EXPECT_EQ(map_declared_type("INTEGER").wire, WireKind::kInteger);
  EXPECT_EQ(map_declared_type("REAL").wire, WireKind::kReal);
  EXPECT_EQ(map_declared_type("BLOB").wire, WireKind::kBlob);
}

// Every declaration the writer makes must read back as the type it stores.
TEST(SqliteTypes, TargetDeclarationsReadBackExactly) {
  const Type exact[] = {Type(DUCKDB_TYPE_BOOLEAN),
                        Type(DUCKDB_TYPE_TINYINT),
                        Type(DUCKDB_TYPE_SMALLINT),
                        Type(DUCKDB_TYPE_BIGINT),
                        Type(DUCKDB_TYPE_UTINYINT),
                        Type(DUCKDB_TYPE_USMALLINT),
                        Type(DUCKDB_TYPE_UINTEGER),
                        Type(DUCKDB_TYPE_DOUBLE),
                        Type::decimal(38, 9),
                        Type(DUCKDB_TYPE_VARCHAR),
                        Type::json(),
                        Type(DUCKDB_TYPE_BLOB),
                        Type(DUCKDB_TYPE_DATE),
                        Type(DUCKDB_TYPE_TIMESTAMP),
                        Type(DUCKDB_TYPE_TIMESTAMP_TZ),
                        Type(DUCKDB_TYPE_TIME),
                        Type(DUCKDB_TYPE_INTERVAL),
                        Type(DUCKDB_TYPE_UUID)};
  for (const Type& type : exact) {
    EXPECT_EQ(map_declared_type(target_type(type).declaration).type, type) << type.sql();
  }
  // Widened, never narrowed: values stay exact.
  EXPECT_EQ(map_declared_type(target_type(Type(DUCKDB_TYPE_INTEGER)).declaration).type,
            Type(DUCKDB_TYPE_BIGINT));
  EXPECT_EQ(map_declared_type(target_type(Type(DUCKDB_TYPE_UBIGINT)).declaration).type,
            Type::decimal(20, 0));
  EXPECT_EQ(map_declared_type(target_type(Type(DUCKDB_TYPE_FLOAT)).declaration).type,
            Type(DUCKDB_TYPE_DOUBLE));
  EXPECT_EQ(map_declared_type(target_type(Type::list(Type(DUCKDB_TYPE_INTEGER))).declaration).type,
            Type(DUCKDB_TYPE_VARCHAR));
}

// Exact numbers must not be declared with NUMERIC or INTEGER affinity, which
// would turn their text into an inexact REAL.
TEST(SqliteTypes, ExactNumbersAvoidNumericAffinity) {
  for (const Type& type :
       {Type::decimal(38, 2), Type(DUCKDB_TYPE_UBIGINT), Type(DUCKDB_TYPE_HUGEINT)}) {
    std::string declaration = target_type(type).declaration;
    EXPECT_EQ(declaration.find("INT"), std::string::npos) << declaration;
    EXPECT_NE(declaration.find("TEXT"), std::string::npos) << declaration;
  }
}

}  // namespace
}  // namespace dvt::sqlite
