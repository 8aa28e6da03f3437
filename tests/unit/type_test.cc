#include <gtest/gtest.h>

#include "core/type.h"

namespace dvt {
namespace {

TEST(Type, ParsesDuckDbSpellings) {
  EXPECT_EQ(Type::parse("DECIMAL(12,2)"), Type::decimal(12, 2));
  EXPECT_EQ(Type::parse("INTEGER[]"), Type::list(Type(DUCKDB_TYPE_INTEGER)));
  EXPECT_EQ(Type::parse("JSON"), Type::json());
  EXPECT_EQ(Type::parse("TIMESTAMP WITH TIME ZONE"), Type(DUCKDB_TYPE_TIMESTAMP_TZ));
  EXPECT_EQ(Type::parse("ENUM('a', 'it''s')"), Type::enumeration({"a", "it's"}));
}

TEST(Type, SqlSpellingRoundTripsThroughDuckDb) {
  for (const Type& type : {Type::decimal(38, 10), Type::list(Type::list(Type(DUCKDB_TYPE_VARCHAR))),
                           Type::json(), Type(DUCKDB_TYPE_UUID), Type::enumeration({"x", "y"})}) {
    LogicalType logical(type);
    EXPECT_EQ(Type::from_logical(logical.get()), type) << type.sql();
    EXPECT_EQ(Type::parse(type.sql()), type) << type.sql();
  }
}

}  // namespace
}  // namespace dvt
