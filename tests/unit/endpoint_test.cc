#include <gtest/gtest.h>

#include "cli/endpoint.h"
#include "core/error.h"

namespace dvt {
namespace {

TEST(Endpoint, OutputSchemaTable) {
  Endpoint e = parse_endpoint("pg:public.orders");
  EXPECT_FALSE(e.is_file);
  EXPECT_EQ(e.output, "pg");
  EXPECT_EQ(e.table.schema, "public");
  EXPECT_EQ(e.table.name, "orders");
}

TEST(Endpoint, OutputTableAndBareOutput) {
  Endpoint table = parse_endpoint("lite:orders");
  EXPECT_EQ(table.table.schema, "");
  EXPECT_EQ(table.table.name, "orders");
  Endpoint bare = parse_endpoint("lite");
  EXPECT_EQ(bare.output, "lite");
  EXPECT_EQ(bare.table.name, "");
}

TEST(Endpoint, QuotedNamesKeepDotsQuotesAndSpaces) {
  Endpoint e = parse_endpoint(R"(pg:"my.schema"."Mixed""Quote Table")");
  EXPECT_EQ(e.table.schema, "my.schema");
  EXPECT_EQ(e.table.name, "Mixed\"Quote Table");
}

TEST(Endpoint, ParquetPath) {
  Endpoint e = parse_endpoint("/tmp/x:y/orders.parquet");
  EXPECT_TRUE(e.is_file);
  EXPECT_EQ(e.path, "/tmp/x:y/orders.parquet");
}

TEST(Endpoint, CsvPathIsAFile) {
  Endpoint e = parse_endpoint("seeds/orders.csv");
  EXPECT_TRUE(e.is_file);
  EXPECT_EQ(e.path, "seeds/orders.csv");
  EXPECT_EQ(e.output, "");
}

TEST(Endpoint, EmptyTargetOutputMeansProfileTarget) {
  Endpoint e = parse_endpoint(":orders");
  EXPECT_EQ(e.output, "");
  EXPECT_EQ(e.table.name, "orders");
}

TEST(Endpoint, MalformedEndpointsAreConfigErrors) {
  EXPECT_THROW(parse_endpoint("pg:a.b.c"), ConfigError);
  EXPECT_THROW(parse_endpoint("pg:"), ConfigError);
  EXPECT_THROW(parse_endpoint("pg:\"open"), ConfigError);
  EXPECT_THROW(parse_endpoint("orders.json"), ConfigError);
  EXPECT_THROW(parse_endpoint("pg:a..b"), ConfigError);
}

}  // namespace
}  // namespace dvt
