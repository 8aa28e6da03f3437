// RowBinary to and from DuckDB vectors. The expected bytes are what
// ClickHouse 18.16 sends for the same values (SELECT ... FORMAT RowBinary),
// so these tests pin the layout the server really uses: little-endian
// integers, Decimal as Int32/64/128, UUID as its high then its low half,
// Date as UInt16 days, DateTime as UInt32 seconds, LEB128 lengths.
#include <gtest/gtest.h>

#include <cstring>

#include <fmt/format.h>

#include "connectors/clickhouse/ch_rowbinary.h"
#include "core/error.h"
#include "engine/engine.h"
#include "engine/handles.h"
#include "support/bytes.h"

namespace dvt::ch {
namespace {

using dvt::test::hex;
using dvt::test::query_chunk;
using dvt::test::unhex;

std::vector<ChType> parse_all(const std::vector<std::string>& spellings) {
  std::vector<ChType> types;
  for (const auto& spelling : spellings) types.push_back(parse_type(spelling));
  return types;
}

std::vector<Type> duck_types(const std::vector<ChType>& wires, ReadOptions options = {}) {
  std::vector<Type> types;
  for (const auto& wire : wires) types.push_back(plan_read(wire, options).type);
  return types;
}

std::vector<std::string> names(size_t count) {
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) out.push_back(fmt::format("c{}", i));
  return out;
}

std::string string_at(duckdb_vector vector, idx_t row) {
  auto* value = &static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector))[row];
  return std::string(duckdb_string_t_data(value), duckdb_string_t_length(*value));
}

bool valid_at(duckdb_vector vector, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vector);
  return !validity || duckdb_validity_row_is_valid(validity, row);
}

TEST(ClickHouseVarUInt, EncodesLeb128) {
  std::string out;
  write_varuint(out, 0);
  write_varuint(out, 127);
  write_varuint(out, 128);
  write_varuint(out, 300);
  write_varuint(out, UINT64_MAX);
  EXPECT_EQ(hex(out),
            "00"
            "7f"
            "8001"
            "ac02"
            "ffffffffffffffffff01");
  const char* p = out.data() + 1;
  uint64_t value = 0;
  ASSERT_TRUE(read_varuint(&p, out.data() + out.size(), &value));
  EXPECT_EQ(value, 127u);
  const char* cut = out.data() + 2;
  EXPECT_FALSE(read_varuint(&cut, out.data() + 3, &value));  // 0x80 then nothing
  EXPECT_EQ(cut, out.data() + 2);
}

TEST(ClickHouseRowBinaryEncoder, WritesTheBytesTheServerSends) {
  Engine engine;
  DataChunk chunk = query_chunk(
      engine,
      "SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID, (-1.5)::DECIMAL(9,2), "
      "3.25::DECIMAL(18,4), '12345678901234567890.123'::DECIMAL(38,3), "
      "TIMESTAMP '2024-01-02 02:04:05', DATE '2024-01-02', 'b', 'xy', [1, 2]::UTINYINT[], "
      "NULL::INTEGER, 'ab', (-1.5)::DECIMAL(4,1)");
  std::vector<ChType> targets =
      parse_all({"UUID", "Decimal(9, 2)", "Decimal(18, 4)", "Decimal(38, 3)", "DateTime", "Date",
                 "Enum8('a' = 1, 'b' = -2)", "LowCardinality(String)", "Array(UInt8)",
                 "Nullable(Int32)", "FixedString(3)", "Decimal(4, 1)"});
  std::vector<Type> wires;
  for (idx_t c = 0; c < duckdb_data_chunk_get_column_count(chunk.get()); ++c) {
    LogicalType type(duckdb_vector_get_column_type(duckdb_data_chunk_get_vector(chunk.get(), c)));
    wires.push_back(wire_type(targets[c], Type::from_logical(type.get())));
  }
  RowBinaryEncoder encoder(targets, wires, names(targets.size()), "test");
  std::string out;
  encoder.encode(chunk.get(), out, 0);
  EXPECT_EQ(hex(out),
            "f84e0b9c99bceea0110a38bdb96b6dbb"  // UUID: high half, low half, each little-endian
            "6affffff"                          // Decimal(9, 2): -150 as Int32
            "f47e000000000000"                  // Decimal(18, 4): 32500 as Int64
            "cb444271764eb6429d02000000000000"  // Decimal(38, 3): Int128
            "156f9365"                          // DateTime: UInt32 seconds
            "0c4d"                              // Date: UInt16 days
            "fe"                                // Enum8 code -2
            "027879"                            // String: LEB128 length, bytes
            "020102"                            // Array(UInt8): count, elements
            "01"                                // Nullable: NULL flag
            "616200"                            // FixedString(3): zero-padded
            "f1ffffff");
}

TEST(ClickHouseRowBinaryEncoder, RefusesValuesTheTargetCannotHoldExactly) {
  Engine engine;
  auto fails = [&](const std::string& select, const std::string& target,
                   const std::string& message) {
    DataChunk chunk = query_chunk(engine, "SELECT " + select);
    LogicalType type(duckdb_vector_get_column_type(duckdb_data_chunk_get_vector(chunk.get(), 0)));
    std::vector<ChType> targets = {parse_type(target)};
    RowBinaryEncoder encoder(targets, {wire_type(targets[0], Type::from_logical(type.get()))},
                             {"v"}, "t");
    std::string out;
    try {
      encoder.encode(chunk.get(), out, 41);
      ADD_FAILURE() << select << " into " << target << " did not fail";
    } catch (const DataError& error) {
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("t: row 42 column \"v\""), std::string::npos)
          << error.what();
    }
  };
  fails("NULL::INTEGER", "Int32", "NULL in a ClickHouse column that is not Nullable");
  fails("NULL::INTEGER[]", "Array(Int32)", "NULL array");
  fails("[1, NULL]", "Array(Int32)", "NULL in a ClickHouse column that is not Nullable");
  fails("DATE '1969-12-31'", "Date", "outside ClickHouse Date");
  fails("DATE '2149-06-07'", "Date", "outside ClickHouse Date");
  fails("TIMESTAMP '2024-01-01 00:00:00.5'", "DateTime", "fraction of a second");
  fails("TIMESTAMP '1969-12-31 23:59:59'", "DateTime", "outside ClickHouse DateTime");
  fails("TIMESTAMP '2024-01-01 00:00:00.0005'", "DateTime64(3)", "more sub-second digits");
  fails("'c'", "Enum8('a' = 1)", "'c' is not a value of the column's Enum");
  fails("'abcd'", "FixedString(3)", "does not fit FixedString(3)");
}

TEST(ClickHouseRowBinaryDecoder, DecodesTheServersBytesIntoVectors) {
  // SELECT toUUID('a0eebc99-...'), toDecimal32(-1.5, 2), toDateTime('2024-01-02 03:04:05',
  // 'Europe/Berlin'),
  //        toDate('2024-01-02'), CAST('b' AS Enum8('a' = 1, 'b' = -2)), toLowCardinality('xy'), [1,
  //        2], CAST(NULL AS Nullable(Int8)), toFixedString('ab', 3) FORMAT RowBinary
  std::string bytes =
      unhex("f84e0b9c99bceea0110a38bdb96b6dbb 6affffff 156f9365 0c4d fe 027879 020102 01 616200");
  std::vector<ChType> wires = parse_all(
      {"UUID", "Decimal(9, 2)", "DateTime('Europe/Berlin')", "Date", "Enum8('a' = 1, 'b' = -2)",
       "LowCardinality(String)", "Array(UInt8)", "Nullable(Int8)", "FixedString(3)"});
  std::vector<Type> types = duck_types(wires);
  RowBinaryDecoder decoder(wires, types, names(wires.size()), "test");
  DataChunk chunk(types);
  decoder.begin_chunk(chunk.get());
  EXPECT_EQ(decoder.consume(bytes.data(), bytes.size()), bytes.size());
  ASSERT_EQ(decoder.rows(), 1u);
  auto vector = [&](idx_t c) { return duckdb_data_chunk_get_vector(chunk.get(), c); };
  auto uuid = static_cast<duckdb_hugeint*>(duckdb_vector_get_data(vector(0)))[0];
  EXPECT_EQ(static_cast<uint64_t>(uuid.upper) ^ (uint64_t{1} << 63), 0xa0eebc999c0b4ef8u);
  EXPECT_EQ(uuid.lower, 0xbb6d6bb9bd380a11u);
  EXPECT_EQ(static_cast<int32_t*>(duckdb_vector_get_data(vector(1)))[0], -150);
  EXPECT_EQ(static_cast<int64_t*>(duckdb_vector_get_data(vector(2)))[0],
            int64_t{1704161045} * 1000000);
  EXPECT_EQ(static_cast<int32_t*>(duckdb_vector_get_data(vector(3)))[0], 19724);
  // Dictionary in code order: 'b' (-2) is index 0, 'a' (1) index 1.
  EXPECT_EQ(static_cast<uint8_t*>(duckdb_vector_get_data(vector(4)))[0], 0);
  EXPECT_EQ(string_at(vector(5), 0), "xy");
  auto entry = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(vector(6)))[0];
  EXPECT_EQ(entry.length, 2u);
  auto* elements =
      static_cast<uint8_t*>(duckdb_vector_get_data(duckdb_list_vector_get_child(vector(6))));
  EXPECT_EQ(elements[entry.offset], 1);
  EXPECT_EQ(elements[entry.offset + 1], 2);
  EXPECT_FALSE(valid_at(vector(7), 0));
  EXPECT_EQ(string_at(vector(8), 0), std::string("ab\0", 3));
}

TEST(ClickHouseRowBinaryDecoder, WaitsForARowSplitAcrossReads) {
  Engine engine;
  DataChunk source =
      query_chunk(engine,
                  "SELECT i::INTEGER AS a, 'value ' || i AS b, [i, NULL]::BIGINT[] AS c, "
                  "CASE WHEN i % 2 = 0 THEN NULL ELSE i END::DOUBLE AS d FROM range(50) t(i)");
  std::vector<ChType> targets =
      parse_all({"Int32", "String", "Array(Nullable(Int64))", "Nullable(Float64)"});
  std::vector<Type> types = duck_types(targets);
  RowBinaryEncoder encoder(targets, types, names(4), "test");
  std::string bytes;
  encoder.encode(source.get(), bytes, 0);

  // Feed the bytes in slices of 7: every row is decoded once, whole.
  RowBinaryDecoder decoder(targets, types, names(4), "test");
  DataChunk chunk(types);
  decoder.begin_chunk(chunk.get());
  size_t begin = 0;
  for (size_t end = 7; begin < bytes.size(); end = std::min(end + 7, bytes.size())) {
    begin += decoder.consume(bytes.data() + begin, end - begin);
  }
  ASSERT_EQ(decoder.rows(), 50u);
  duckdb_data_chunk_set_size(chunk.get(), decoder.rows());
  std::string again;
  encoder.encode(chunk.get(), again, 0);
  EXPECT_EQ(hex(again), hex(bytes));
}

TEST(ClickHouseRowBinaryDecoder, RefusesTextThatIsNotUtf8UnlessStringsAreBlobs) {
  std::string bytes = unhex("02fffe");
  std::vector<ChType> wires = parse_all({"String"});
  {
    std::vector<Type> types = duck_types(wires);
    RowBinaryDecoder decoder(wires, types, {"s"}, "ch:t");
    DataChunk chunk(types);
    decoder.begin_chunk(chunk.get());
    try {
      decoder.consume(bytes.data(), bytes.size());
      ADD_FAILURE() << "invalid UTF-8 was accepted";
    } catch (const DataError& error) {
      EXPECT_NE(std::string(error.what())
                    .find("ch:t: row 1 column \"s\": String value is not valid UTF-8"),
                std::string::npos)
          << error.what();
    }
  }
  ReadOptions blob;
  blob.strings = StringRule::kBlob;
  std::vector<Type> types = duck_types(wires, blob);
  RowBinaryDecoder decoder(wires, types, {"s"}, "ch:t");
  DataChunk chunk(types);
  decoder.begin_chunk(chunk.get());
  EXPECT_EQ(decoder.consume(bytes.data(), bytes.size()), 3u);
  EXPECT_EQ(string_at(duckdb_data_chunk_get_vector(chunk.get(), 0), 0), "\xff\xfe");
}

TEST(ClickHouseRowBinaryDecoder, RefusesMalformedData) {
  std::vector<ChType> wires = parse_all({"Nullable(Int8)", "Enum8('a' = 1)"});
  std::vector<Type> types = duck_types(wires);
  RowBinaryDecoder decoder(wires, types, {"n", "e"}, "ch:t");
  DataChunk chunk(types);
  decoder.begin_chunk(chunk.get());
  std::string bad_flag = unhex("0501");
  EXPECT_THROW(decoder.consume(bad_flag.data(), bad_flag.size()), DataError);
  std::string bad_code = unhex("000702");
  EXPECT_THROW(decoder.consume(bad_code.data(), bad_code.size()), DataError);
}

TEST(ClickHouseRowBinaryDecoder, StopsWhenTheChunkIsFull) {
  std::vector<ChType> wires = parse_all({"UInt8"});
  std::vector<Type> types = duck_types(wires);
  RowBinaryDecoder decoder(wires, types, {"v"}, "t");
  DataChunk chunk(types);
  decoder.begin_chunk(chunk.get());
  std::string bytes(duckdb_vector_size() + 10, '\x07');
  EXPECT_EQ(decoder.consume(bytes.data(), bytes.size()), duckdb_vector_size());
  EXPECT_TRUE(decoder.full());
}

}  // namespace
}  // namespace dvt::ch
