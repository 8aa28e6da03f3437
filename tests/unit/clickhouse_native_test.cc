// DuckDB vectors to ClickHouse's Native format. The expected bytes are what
// ClickHouse 18.16 sends for the same values (SELECT ... FORMAT Native over
// HTTP), except in the places of NULLs, where the server sends whatever its
// column holds and dvt sends zeros (an empty string).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "connectors/clickhouse/ch_native.h"
#include "core/error.h"
#include "engine/engine.h"
#include "engine/handles.h"
#include "support/bytes.h"

namespace dvt::ch {
namespace {

using dvt::test::hex;
using dvt::test::query_chunk;

// An encoder for `targets` fed with `chunk` (whose types must be the wire types).
NativeEncoder encoder_for(const std::vector<ChType>& targets, duckdb_data_chunk chunk,
                          const std::string& label = "test") {
  std::vector<Type> wires;
  std::vector<std::string> names;
  for (idx_t c = 0; c < duckdb_data_chunk_get_column_count(chunk); ++c) {
    LogicalType type(duckdb_vector_get_column_type(duckdb_data_chunk_get_vector(chunk, c)));
    wires.push_back(wire_type(targets[c], Type::from_logical(type.get())));
    names.push_back(fmt::format("c{}", c));
  }
  return NativeEncoder(targets, wires, names, label);
}

TEST(ClickHouseNativeEncoder, WritesTheBlockTheServerSends) {
  Engine engine;
  DataChunk chunk = query_chunk(engine, R"sql(
    SELECT c0::UUID, c1::DECIMAL(9,2), c2, c3::DATE, c4::TIMESTAMP, c5, c6, c7::INTEGER, c8,
           c9::BIGINT[], c10::UTINYINT[][], c11::DECIMAL(4,1)
    FROM (VALUES
      ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', -1.5, 'b', '2024-01-02', '2024-01-02 02:04:05',
       'xy', 'ab', NULL, 'n', [3, NULL], [[1, 2], [3]], -1.5),
      ('00000000-0000-0000-0000-000000000001', 2.25, 'a', '1970-01-02', '1970-01-01 00:00:01',
       '', 'abc', 7, NULL, [], [[]], 0.1)
    ) t(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11) ORDER BY c4 DESC)sql");
  std::vector<ChType> targets;
  for (const char* spelling :
       {"UUID", "Decimal(9, 2)", "Enum8('b' = -2, 'a' = 1)", "Date", "DateTime", "String",
        "FixedString(3)", "Nullable(Int32)", "Nullable(String)", "Array(Nullable(Int64))",
        "Array(Array(UInt8))", "Decimal(4, 1)"}) {
    targets.push_back(parse_type(spelling));
  }
  NativeEncoder encoder = encoder_for(targets, chunk.get());
  encoder.add(chunk.get(), 0);
  EXPECT_EQ(encoder.rows(), 2u);
  std::string out;
  encoder.flush(out);
  // A column's name or type: LEB128 length, bytes.
  auto text = [](const std::string& value) {
    return hex(std::string(1, static_cast<char>(value.size())) + value);
  };
  std::string expected = "0c02";  // 12 columns, 2 rows; then per column: name, type, values
  expected += text("c0") + text("UUID");
  expected += "f84e0b9c99bceea0110a38bdb96b6dbb00000000000000000100000000000000";
  expected += text("c1") + text("Decimal(9, 2)") + "6affffffe1000000";
  expected += text("c2") + text("Enum8('b' = -2, 'a' = 1)") + "fe01";
  expected += text("c3") + text("Date") + "0c4d0100";
  expected += text("c4") + text("DateTime") + "156f936501000000";
  expected += text("c5") + text("String") + "027879" + "00";
  expected += text("c6") + text("FixedString(3)") + "616200" + "616263";
  // Nullable: the NULL map, then every value (0 where NULL; the server sends 7 and 'n' there).
  expected += text("c7") + text("Nullable(Int32)") + "0100" + "00000000" + "07000000";
  expected += text("c8") + text("Nullable(String)") + "0001" + "016e" + "00";
  // Array: cumulative end offsets, then the elements (here a NULL map first).
  expected += text("c9") + text("Array(Nullable(Int64))");
  expected += "02000000000000000200000000000000";  // ends: 2, 2
  expected += "0001";                              // the elements' NULL map
  expected += "03000000000000000000000000000000";  // 3, 0 (NULL)
  expected += text("c10") + text("Array(Array(UInt8))");
  expected += "02000000000000000300000000000000";                  // outer ends: 2, 3
  expected += "020000000000000003000000000000000300000000000000";  // inner ends: 2, 3, 3
  expected += "010203";
  expected += text("c11") + text("Decimal(4, 1)") + "f1ffffff01000000";
  EXPECT_EQ(hex(out), expected);
  std::string again;
  encoder.flush(again);
  EXPECT_EQ(again, "") << "a flushed encoder holds no rows";
}

TEST(ClickHouseNativeEncoder, GathersChunksIntoOneBlock) {
  Engine engine;
  DataChunk chunk = query_chunk(engine, "SELECT [i, i + 1]::INTEGER[] FROM range(3) t(i)");
  std::vector<ChType> targets = {parse_type("Array(Int32)")};
  NativeEncoder encoder = encoder_for(targets, chunk.get());
  encoder.add(chunk.get(), 0);
  encoder.add(chunk.get(), 3);
  EXPECT_EQ(encoder.rows(), 6u);
  EXPECT_EQ(encoder.bytes(), 6u * 8 + 12u * 4);
  std::string out;
  encoder.flush(out);
  // Offsets keep counting across the chunks of a block and restart with the next block.
  EXPECT_EQ(hex(out.substr(0, 2 + 3 + 13 + 16)),
            "0106"
            "026330"
            "0c417272617928496e74333229"
            "0200000000000000"
            "0400000000000000");
  EXPECT_EQ(hex(out.substr(2 + 3 + 13 + 5 * 8, 8)), "0c00000000000000");
  encoder.add(chunk.get(), 6);
  std::string next;
  encoder.flush(next);
  EXPECT_EQ(hex(next.substr(2 + 3 + 13, 8)), "0200000000000000");
}

TEST(ClickHouseNativeEncoder, RefusesValuesTheTargetCannotHoldExactly) {
  Engine engine;
  auto fails = [&](const std::string& select, const std::string& target,
                   const std::string& message) {
    DataChunk chunk = query_chunk(engine, "SELECT " + select + " FROM range(3) t(i)");
    NativeEncoder encoder = encoder_for({parse_type(target)}, chunk.get(), "t");
    try {
      encoder.add(chunk.get(), 40);
      ADD_FAILURE() << select << " into " << target << " did not fail";
    } catch (const DataError& error) {
      EXPECT_NE(std::string(error.what()).find(message), std::string::npos) << error.what();
      // The third row (i = 2) of a chunk whose first row is row 41.
      EXPECT_NE(std::string(error.what()).find("t: row 43 column \"c0\""), std::string::npos)
          << error.what();
    }
  };
  fails("CASE WHEN i = 2 THEN NULL ELSE i END::INTEGER", "Int32",
        "NULL in a ClickHouse column that is not Nullable");
  fails("CASE WHEN i = 2 THEN NULL ELSE [i] END::INTEGER[]", "Array(Int32)", "NULL array");
  fails("[i, CASE WHEN i = 2 THEN NULL ELSE i END]::INTEGER[]", "Array(Int32)",
        "NULL in a ClickHouse column that is not Nullable");
  fails("(DATE '2149-06-05' + i::INTEGER)", "Date", "outside ClickHouse Date");
  fails("(TIMESTAMP '2024-01-01 00:00:00' + (i // 2) * INTERVAL 500 MILLISECOND)",
        "Nullable(DateTime)", "fraction of a second");
  fails("['a', 'a', 'c'][i + 1]", "Enum8('a' = 1)", "'c' is not a value of the column's Enum");
  fails("[['a', 'ab', 'abcd'][i + 1]]", "Array(FixedString(3))", "does not fit FixedString(3)");
}

TEST(ClickHouseNativeEncoder, LeavesLowCardinalityToRowBinary) {
  EXPECT_TRUE(NativeEncoder::supports(parse_type("Array(Nullable(String))")));
  EXPECT_FALSE(NativeEncoder::supports(parse_type("LowCardinality(String)")));
  EXPECT_FALSE(NativeEncoder::supports(parse_type("Array(LowCardinality(Nullable(String)))")));
}

}  // namespace
}  // namespace dvt::ch
