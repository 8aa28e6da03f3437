// The binary COPY parser and encoder, fed hand-built buffers: no server.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>

#include "connectors/postgres/pg_binary_reader.h"
#include "connectors/postgres/pg_copy_writer.h"
#include "connectors/postgres/pg_numeric.h"
#include "core/error.h"
#include "engine/handles.h"

namespace dvt::pg {
namespace {

// Builds COPY BINARY bytes.
class CopyBytes {
 public:
  CopyBytes& header() {
    bytes_.append("PGCOPY\n\377\r\n\0", 11);
    return i32(0).i32(0);
  }
  CopyBytes& tuple(int16_t fields) { return i16(fields); }
  CopyBytes& trailer() { return i16(-1); }
  CopyBytes& null() { return i32(-1); }
  CopyBytes& field(const std::string& value) {
    i32(static_cast<int32_t>(value.size()));
    bytes_ += value;
    return *this;
  }
  CopyBytes& i16(int16_t v) { return raw(__builtin_bswap16(static_cast<uint16_t>(v))); }
  CopyBytes& i32(int32_t v) { return raw(__builtin_bswap32(static_cast<uint32_t>(v))); }
  CopyBytes& i64(int64_t v) { return raw(__builtin_bswap64(static_cast<uint64_t>(v))); }
  const std::string& str() const { return bytes_; }

  static std::string be32(int32_t v) { return CopyBytes().i32(v).str(); }
  static std::string be64(int64_t v) { return CopyBytes().i64(v).str(); }

 private:
  template <typename T>
  CopyBytes& raw(T v) {
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof(v));
    return *this;
  }
  std::string bytes_;
};

ReadPlan plan(Type type, Codec codec, Codec element = Codec::kText) {
  ReadPlan p;
  p.type = std::move(type);
  p.codec = codec;
  p.element_codec = element;
  return p;
}

std::vector<Type> types_of(const std::vector<ReadPlan>& plans) {
  std::vector<Type> types;
  for (const auto& p : plans) types.push_back(p.type);
  return types;
}

std::vector<std::string> names(size_t count) {
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) {
    std::string name(1, 'c');
    name += std::to_string(i);
    out.push_back(name);
  }
  return out;
}

template <typename T>
T value_at(duckdb_data_chunk chunk, idx_t column, idx_t row) {
  return static_cast<T*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, column)))[row];
}

std::string string_at(duckdb_vector vector, idx_t row) {
  auto* value = &static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector))[row];
  return std::string(duckdb_string_t_data(value), duckdb_string_t_length(*value));
}

bool is_null(duckdb_vector vector, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vector);
  return validity && !duckdb_validity_row_is_valid(validity, row);
}

TEST(PgBinaryDecoder, DecodesEveryScalarCodecAndNulls) {
  std::vector<ReadPlan> plans = {
      plan(Type(DUCKDB_TYPE_SMALLINT), Codec::kInt2),
      plan(Type(DUCKDB_TYPE_INTEGER), Codec::kInt4),
      plan(Type(DUCKDB_TYPE_BIGINT), Codec::kInt8),
      plan(Type(DUCKDB_TYPE_DOUBLE), Codec::kFloat8),
      plan(Type(DUCKDB_TYPE_BOOLEAN), Codec::kBool),
      plan(Type(DUCKDB_TYPE_VARCHAR), Codec::kText),
      plan(Type(DUCKDB_TYPE_BLOB), Codec::kBytea),
      plan(Type(DUCKDB_TYPE_DATE), Codec::kDate),
      plan(Type(DUCKDB_TYPE_TIMESTAMP_TZ), Codec::kTimestamp),
      plan(Type(DUCKDB_TYPE_UUID), Codec::kUuid),
      plan(Type::decimal(12, 2), Codec::kNumeric),
      plan(Type::json(), Codec::kJsonb),
      plan(Type(DUCKDB_TYPE_TIME), Codec::kTime),
      plan(Type(DUCKDB_TYPE_UINTEGER), Codec::kOid),
  };
  std::string numeric;
  numeric_from_scaled(-123456, 2, numeric);
  double pi = 3.25;
  uint64_t pi_bits;
  std::memcpy(&pi_bits, &pi, 8);
  std::string uuid("\xa0\xee\xbc\x99\x9c\x0b\x4e\xf8\xbb\x6d\x6b\xb9\xbd\x38\x0a\x11", 16);
  CopyBytes bytes;
  bytes.header()
      .tuple(14)
      .field(CopyBytes().i16(-7).str())
      .field(CopyBytes::be32(2147483647))
      .field(CopyBytes::be64(std::numeric_limits<int64_t>::min()))
      .field(CopyBytes::be64(static_cast<int64_t>(pi_bits)))
      .field(std::string(1, '\1'))
      .field("h\xC3\xA9llo")
      .field(std::string("\0\xff", 2))
      .field(CopyBytes::be32(0))        // 2000-01-01
      .field(CopyBytes::be64(1000000))  // 2000-01-01 00:00:01 UTC
      .field(uuid)
      .field(numeric)
      .field(std::string("\1{\"a\": 1}"))
      .field(CopyBytes::be64(86400000000))  // 24:00:00
      .field(CopyBytes::be32(-1))           // oid 4294967295
      .tuple(14);
  for (int i = 0; i < 14; ++i) bytes.null();
  bytes.trailer();

  PgBinaryDecoder decoder(plans, names(plans.size()), "test");
  DataChunk chunk(types_of(plans));
  decoder.begin_chunk(chunk.get());
  EXPECT_EQ(decoder.consume(bytes.str().data(), bytes.str().size()), bytes.str().size());
  EXPECT_TRUE(decoder.finished());
  ASSERT_EQ(decoder.rows(), 2u);
  duckdb_data_chunk c = chunk.get();
  EXPECT_EQ(value_at<int16_t>(c, 0, 0), -7);
  EXPECT_EQ(value_at<int32_t>(c, 1, 0), 2147483647);
  EXPECT_EQ(value_at<int64_t>(c, 2, 0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(value_at<double>(c, 3, 0), 3.25);
  EXPECT_TRUE(value_at<bool>(c, 4, 0));
  EXPECT_EQ(string_at(duckdb_data_chunk_get_vector(c, 5), 0), "h\xC3\xA9llo");
  EXPECT_EQ(string_at(duckdb_data_chunk_get_vector(c, 6), 0), std::string("\0\xff", 2));
  EXPECT_EQ(value_at<int32_t>(c, 7, 0), 10957);  // days from 1970
  EXPECT_EQ(value_at<int64_t>(c, 8, 0), 946684801000000);
  duckdb_hugeint stored_uuid = value_at<duckdb_hugeint>(c, 9, 0);
  EXPECT_EQ(static_cast<uint64_t>(stored_uuid.upper), 0xa0eebc999c0b4ef8ULL ^ (1ULL << 63));
  EXPECT_EQ(stored_uuid.lower, 0xbb6d6bb9bd380a11ULL);
  EXPECT_EQ(value_at<int64_t>(c, 10, 0), -123456);
  EXPECT_EQ(string_at(duckdb_data_chunk_get_vector(c, 11), 0), "{\"a\": 1}");
  EXPECT_EQ(value_at<duckdb_time>(c, 12, 0).micros, 86400000000);
  EXPECT_EQ(value_at<uint32_t>(c, 13, 0), 4294967295u);
  for (idx_t column = 0; column < 14; ++column) {
    EXPECT_FALSE(is_null(duckdb_data_chunk_get_vector(c, column), 0)) << column;
    EXPECT_TRUE(is_null(duckdb_data_chunk_get_vector(c, column), 1)) << column;
  }
}

TEST(PgBinaryDecoder, InfinitiesBecomeDuckDbInfinities) {
  std::vector<ReadPlan> plans = {plan(Type(DUCKDB_TYPE_DATE), Codec::kDate),
                                 plan(Type(DUCKDB_TYPE_TIMESTAMP), Codec::kTimestamp)};
  CopyBytes bytes;
  bytes.header()
      .tuple(2)
      .field(CopyBytes::be32(std::numeric_limits<int32_t>::max()))
      .field(CopyBytes::be64(std::numeric_limits<int64_t>::max()))
      .tuple(2)
      .field(CopyBytes::be32(std::numeric_limits<int32_t>::min()))
      .field(CopyBytes::be64(std::numeric_limits<int64_t>::min()))
      .trailer();
  PgBinaryDecoder decoder(plans, names(2), "test");
  DataChunk chunk(types_of(plans));
  decoder.begin_chunk(chunk.get());
  decoder.consume(bytes.str().data(), bytes.str().size());
  ASSERT_EQ(decoder.rows(), 2u);
  EXPECT_EQ(value_at<int32_t>(chunk.get(), 0, 0), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(value_at<int64_t>(chunk.get(), 1, 0), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(value_at<int32_t>(chunk.get(), 0, 1), -std::numeric_limits<int32_t>::max());
  EXPECT_EQ(value_at<int64_t>(chunk.get(), 1, 1), -std::numeric_limits<int64_t>::max());
}

TEST(PgBinaryDecoder, ATupleIsDecodedOnlyOnceItIsComplete) {
  std::vector<ReadPlan> plans = {plan(Type(DUCKDB_TYPE_INTEGER), Codec::kInt4),
                                 plan(Type(DUCKDB_TYPE_VARCHAR), Codec::kText)};
  CopyBytes bytes;
  bytes.header()
      .tuple(2)
      .field(CopyBytes::be32(41))
      .field("first")
      .tuple(2)
      .field(CopyBytes::be32(42))
      .field("second");
  bytes.trailer();
  const std::string& all = bytes.str();
  for (size_t cut = 0; cut <= all.size(); ++cut) {
    PgBinaryDecoder decoder(plans, names(2), "test");
    DataChunk chunk(types_of(plans));
    decoder.begin_chunk(chunk.get());
    size_t used = decoder.consume(all.data(), cut);
    // What was not consumed is handed in again with the rest, as the reader does.
    std::string rest = all.substr(used);
    used += decoder.consume(rest.data(), rest.size());
    EXPECT_EQ(used, all.size()) << "cut at " << cut;
    ASSERT_EQ(decoder.rows(), 2u) << "cut at " << cut;
    EXPECT_TRUE(decoder.finished());
    EXPECT_EQ(value_at<int32_t>(chunk.get(), 0, 1), 42);
    EXPECT_EQ(string_at(duckdb_data_chunk_get_vector(chunk.get(), 1), 1), "second");
  }
}

TEST(PgBinaryDecoder, OneDimensionalArraysBecomeListsWithNullElements) {
  std::vector<ReadPlan> plans = {
      plan(Type::list(Type(DUCKDB_TYPE_INTEGER)), Codec::kArray, Codec::kInt4)};
  std::string array = CopyBytes()
                          .i32(1)   // dimensions
                          .i32(1)   // has nulls
                          .i32(23)  // int4
                          .i32(3)   // length
                          .i32(1)   // lower bound
                          .field(CopyBytes::be32(7))
                          .null()
                          .field(CopyBytes::be32(-9))
                          .str();
  std::string empty = CopyBytes().i32(0).i32(0).i32(23).str();
  CopyBytes bytes;
  bytes.header().tuple(1).field(array).tuple(1).field(empty).tuple(1).null().trailer();
  PgBinaryDecoder decoder(plans, names(1), "test");
  DataChunk chunk(types_of(plans));
  decoder.begin_chunk(chunk.get());
  decoder.consume(bytes.str().data(), bytes.str().size());
  ASSERT_EQ(decoder.rows(), 3u);
  duckdb_vector list = duckdb_data_chunk_get_vector(chunk.get(), 0);
  auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(list));
  EXPECT_EQ(entries[0].offset, 0u);
  EXPECT_EQ(entries[0].length, 3u);
  EXPECT_EQ(entries[1].length, 0u);
  EXPECT_TRUE(is_null(list, 2));
  duckdb_vector child = duckdb_list_vector_get_child(list);
  EXPECT_EQ(static_cast<int32_t*>(duckdb_vector_get_data(child))[0], 7);
  EXPECT_TRUE(is_null(child, 1));
  EXPECT_EQ(static_cast<int32_t*>(duckdb_vector_get_data(child))[2], -9);
}

TEST(PgBinaryDecoder, MalformedOrUnrepresentableDataIsADataError) {
  std::vector<ReadPlan> plans = {plan(Type(DUCKDB_TYPE_INTEGER), Codec::kInt4)};
  auto decode = [&](const std::vector<ReadPlan>& p, const std::string& bytes) {
    PgBinaryDecoder decoder(p, names(p.size()), "test");
    DataChunk chunk(types_of(p));
    decoder.begin_chunk(chunk.get());
    decoder.consume(bytes.data(), bytes.size());
  };
  EXPECT_THROW(decode(plans, CopyBytes().header().tuple(2).str()), DataError);  // field count
  EXPECT_THROW(decode(plans, CopyBytes().header().tuple(1).field("abc").str()),
               DataError);  // int4 of 3 bytes
  EXPECT_THROW(decode(plans, CopyBytes().header().tuple(1).i32(-5).str()),
               DataError);  // negative length
  EXPECT_THROW(decode(plans, std::string("NOTCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19)),
               DataError);  // signature
  std::vector<ReadPlan> timestamps = {plan(Type(DUCKDB_TYPE_TIMESTAMP), Codec::kTimestamp)};
  EXPECT_THROW(
      decode(timestamps,
             CopyBytes().header().tuple(1).field(CopyBytes::be64(9223000000000000000)).str()),
      DataError);  // past 294247 AD
  std::vector<ReadPlan> text = {plan(Type(DUCKDB_TYPE_VARCHAR), Codec::kText)};
  EXPECT_THROW(decode(text, CopyBytes().header().tuple(1).field("\xff\xfe").str()),
               DataError);  // not UTF-8
  std::vector<ReadPlan> arrays = {
      plan(Type::list(Type(DUCKDB_TYPE_INTEGER)), Codec::kArray, Codec::kInt4)};
  std::string two_d =
      CopyBytes().i32(2).i32(0).i32(23).i32(1).i32(1).i32(1).i32(1).field(CopyBytes::be32(1)).str();
  EXPECT_THROW(decode(arrays, CopyBytes().header().tuple(1).field(two_d).str()), DataError);
}

TEST(PgBinaryEncoder, WritesTuplesByteForByte) {
  std::vector<Type> types = {Type(DUCKDB_TYPE_INTEGER), Type(DUCKDB_TYPE_VARCHAR),
                             Type::decimal(12, 2)};
  DataChunk chunk(types);
  duckdb_data_chunk c = chunk.get();
  static_cast<int32_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(c, 0)))[0] = 7;
  duckdb_vector_assign_string_element(duckdb_data_chunk_get_vector(c, 1), 0, "x\ty");
  static_cast<int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(c, 2)))[0] = -1250;
  duckdb_vector_ensure_validity_writable(duckdb_data_chunk_get_vector(c, 1));
  static_cast<int32_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(c, 0)))[1] = -1;
  duckdb_validity_set_row_invalid(duckdb_vector_get_validity(duckdb_data_chunk_get_vector(c, 1)),
                                  1);
  static_cast<int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(c, 2)))[1] = 0;
  duckdb_data_chunk_set_size(c, 2);

  std::vector<WritePlan> plans(3);
  plans[0].wire = types[0];
  plans[0].codec = Codec::kInt4;
  plans[1].wire = types[1];
  plans[1].codec = Codec::kText;
  plans[2].wire = types[2];
  plans[2].codec = Codec::kNumeric;
  PgBinaryEncoder encoder(plans, names(3), "test");
  std::string out;
  PgBinaryEncoder::append_header(out);
  encoder.encode(c, out);
  PgBinaryEncoder::append_trailer(out);
  std::string numeric;
  numeric_from_scaled(-1250, 2, numeric);
  std::string zero;
  numeric_from_scaled(0, 2, zero);
  CopyBytes expected;
  expected.header()
      .tuple(3)
      .field(CopyBytes::be32(7))
      .field("x\ty")
      .field(numeric)
      .tuple(3)
      .field(CopyBytes::be32(-1))
      .null()
      .field(zero)
      .trailer();
  EXPECT_EQ(out, expected.str());
}

TEST(PgBinaryEncoder, WhatItWritesTheDecoderReadsBackExactly) {
  std::vector<Type> types = {
      Type(DUCKDB_TYPE_DATE), Type(DUCKDB_TYPE_TIMESTAMP_TZ),        Type(DUCKDB_TYPE_UUID),
      Type::decimal(38, 10),  Type::list(Type(DUCKDB_TYPE_VARCHAR)), Type(DUCKDB_TYPE_INTERVAL)};
  DataChunk chunk(types);
  duckdb_data_chunk c = chunk.get();
  auto data = [&](idx_t column) {
    return duckdb_vector_get_data(duckdb_data_chunk_get_vector(c, column));
  };
  static_cast<int32_t*>(data(0))[0] = -std::numeric_limits<int32_t>::max();  // -infinity
  static_cast<int32_t*>(data(0))[1] = -2440588;                              // 4713-11-24 BC
  static_cast<int64_t*>(data(1))[0] = std::numeric_limits<int64_t>::max();   // infinity
  static_cast<int64_t*>(data(1))[1] = 1717243200123456;
  static_cast<duckdb_hugeint*>(data(2))[0] = {0x1122334455667788ULL,
                                              static_cast<int64_t>(0x8000000000000001ULL)};
  static_cast<duckdb_hugeint*>(data(2))[1] = {0, std::numeric_limits<int64_t>::min()};
  __int128 big = 0;
  for (int i = 0; i < 38; ++i) big = big * 10 + 9;
  static_cast<duckdb_hugeint*>(data(3))[0] = {static_cast<uint64_t>(-big),
                                              static_cast<int64_t>((-big) >> 64)};
  static_cast<duckdb_hugeint*>(data(3))[1] = {1, 0};
  duckdb_vector list = duckdb_data_chunk_get_vector(c, 4);
  duckdb_list_vector_reserve(list, 3);
  duckdb_vector child = duckdb_list_vector_get_child(list);
  duckdb_vector_assign_string_element(child, 0, "a,\"b\"");
  duckdb_vector_ensure_validity_writable(child);
  duckdb_validity_set_row_invalid(duckdb_vector_get_validity(child), 1);
  duckdb_vector_assign_string_element(child, 2, "");
  duckdb_list_vector_set_size(list, 3);
  static_cast<duckdb_list_entry*>(data(4))[0] = {0, 3};
  static_cast<duckdb_list_entry*>(data(4))[1] = {3, 0};
  static_cast<duckdb_interval*>(data(5))[0] = {-14, 3, -14706000001};
  static_cast<duckdb_interval*>(data(5))[1] = {0, 0, 1};
  duckdb_data_chunk_set_size(c, 2);

  std::vector<WritePlan> plans(types.size());
  Codec codecs[] = {Codec::kDate,    Codec::kTimestamp, Codec::kUuid,
                    Codec::kNumeric, Codec::kArray,     Codec::kInterval};
  for (size_t i = 0; i < types.size(); ++i) {
    plans[i].wire = types[i];
    plans[i].codec = codecs[i];
  }
  plans[4].element_codec = Codec::kText;
  plans[4].element_oid = 25;
  PgBinaryEncoder encoder(plans, names(types.size()), "test");
  std::string out;
  PgBinaryEncoder::append_header(out);
  encoder.encode(c, out);
  PgBinaryEncoder::append_trailer(out);

  // The interval column is read back as raw bytes: the reader reads intervals as text.
  std::vector<ReadPlan> read = {plan(types[0], Codec::kDate),
                                plan(types[1], Codec::kTimestamp),
                                plan(types[2], Codec::kUuid),
                                plan(types[3], Codec::kNumeric),
                                plan(types[4], Codec::kArray, Codec::kText),
                                plan(Type(DUCKDB_TYPE_BLOB), Codec::kBytea)};
  PgBinaryDecoder decoder(read, names(read.size()), "test");
  DataChunk back(types_of(read));
  decoder.begin_chunk(back.get());
  EXPECT_EQ(decoder.consume(out.data(), out.size()), out.size());
  ASSERT_EQ(decoder.rows(), 2u);
  duckdb_data_chunk b = back.get();
  auto back_data = [&](idx_t column) {
    return duckdb_vector_get_data(duckdb_data_chunk_get_vector(b, column));
  };
  for (idx_t row = 0; row < 2; ++row) {
    EXPECT_EQ(static_cast<int32_t*>(back_data(0))[row], static_cast<int32_t*>(data(0))[row]);
    EXPECT_EQ(static_cast<int64_t*>(back_data(1))[row], static_cast<int64_t*>(data(1))[row]);
    EXPECT_EQ(static_cast<duckdb_hugeint*>(back_data(2))[row].upper,
              static_cast<duckdb_hugeint*>(data(2))[row].upper);
    EXPECT_EQ(static_cast<duckdb_hugeint*>(back_data(2))[row].lower,
              static_cast<duckdb_hugeint*>(data(2))[row].lower);
    EXPECT_EQ(static_cast<duckdb_hugeint*>(back_data(3))[row].upper,
              static_cast<duckdb_hugeint*>(data(3))[row].upper);
    EXPECT_EQ(static_cast<duckdb_hugeint*>(back_data(3))[row].lower,
              static_cast<duckdb_hugeint*>(data(3))[row].lower);
  }
  auto* entries = static_cast<duckdb_list_entry*>(back_data(4));
  EXPECT_EQ(entries[0].length, 3u);
  EXPECT_EQ(entries[1].length, 0u);
  duckdb_vector back_child = duckdb_list_vector_get_child(duckdb_data_chunk_get_vector(b, 4));
  EXPECT_EQ(string_at(back_child, 0), "a,\"b\"");
  EXPECT_TRUE(is_null(back_child, 1));
  EXPECT_EQ(string_at(back_child, 2), "");
  // interval: int64 microseconds, int32 days, int32 months.
  EXPECT_EQ(string_at(duckdb_data_chunk_get_vector(b, 5), 0),
            CopyBytes().i64(-14706000001).i32(3).i32(-14).str());
}

}  // namespace
}  // namespace dvt::pg
