// PostgreSQL's binary numeric, built and read by hand: exact bytes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/postgres/pg_numeric.h"

namespace dvt::pg {
namespace {

// ndigits, weight, sign, dscale, digits... as big-endian int16 words.
std::string words(const std::vector<int>& values) {
  std::string out;
  for (int v : values) {
    out += static_cast<char>((v >> 8) & 0xff);
    out += static_cast<char>(v & 0xff);
  }
  return out;
}

std::string from_scaled(__int128 value, int scale) {
  std::string out;
  numeric_from_scaled(value, scale, out);
  return out;
}

std::string from_text(const std::string& text) {
  std::string out;
  EXPECT_TRUE(numeric_from_text(text, out)) << text;
  return out;
}

TEST(PgNumeric, ScaledValuesBecomeBase10000DigitsAlignedOnThePoint) {
  EXPECT_EQ(from_scaled(123456, 2), words({2, 0, 0x0000, 2, 1234, 5600}));  // 1234.56
  EXPECT_EQ(from_scaled(-1250, 2), words({2, 0, 0x4000, 2, 12, 5000}));     // -12.50
  EXPECT_EQ(from_scaled(0, 3), words({0, 0, 0x0000, 3}));                   // 0.000
  EXPECT_EQ(from_scaled(100000000, 0), words({1, 2, 0x0000, 0, 1}));        // 1 0000 0000
  EXPECT_EQ(from_scaled(1, 8), words({1, -2, 0x0000, 8, 1}));               // 0.0000 0001
  __int128 max38 = 0;
  for (int i = 0; i < 38; ++i) max38 = max38 * 10 + 9;
  EXPECT_EQ(from_scaled(max38, 10),
            words({10, 6, 0x0000, 10, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9999, 9900}));
}

TEST(PgNumeric, BinaryDigitsReadBackAtTheColumnScale) {
  __int128 value = 0;
  ASSERT_EQ(numeric_to_scaled(from_scaled(123456, 2).data(), 12, 2, value), NumericStatus::kOk);
  EXPECT_EQ(static_cast<long long>(value), 123456);
  // 12.5 stored with two trailing zero digits in its last group, read at scale 3.
  std::string twelve_five = words({2, 0, 0x4000, 1, 12, 5000});
  ASSERT_EQ(
      numeric_to_scaled(twelve_five.data(), static_cast<int32_t>(twelve_five.size()), 3, value),
      NumericStatus::kOk);
  EXPECT_EQ(static_cast<long long>(value), -12500);
  __int128 max38 = 0;
  for (int i = 0; i < 38; ++i) max38 = max38 * 10 + 9;
  std::string big = from_scaled(max38, 10);
  ASSERT_EQ(numeric_to_scaled(big.data(), static_cast<int32_t>(big.size()), 10, value),
            NumericStatus::kOk);
  EXPECT_TRUE(value == max38);
}

TEST(PgNumeric, ValuesThatWouldChangeAreRefused) {
  __int128 value = 0;
  std::string fine = words({2, 0, 0, 3, 1, 2340});  // 1.234
  EXPECT_EQ(numeric_to_scaled(fine.data(), 12, 2, value), NumericStatus::kTooManyFractionDigits);
  std::string huge = words({1, 10, 0, 0, 1});  // 10^40
  EXPECT_EQ(numeric_to_scaled(huge.data(), 10, 0, value), NumericStatus::kOverflow);
  std::string nan = words({0, 0, 0xC000, 0});
  EXPECT_EQ(numeric_to_scaled(nan.data(), 8, 2, value), NumericStatus::kNaN);
  std::string infinity = words({0, 0, 0xD000, 0});
  EXPECT_EQ(numeric_to_scaled(infinity.data(), 8, 2, value), NumericStatus::kInfinity);
  std::string short_digits = words({2, 0, 0, 0, 1});  // claims two digits, has one
  EXPECT_EQ(numeric_to_scaled(short_digits.data(), 10, 0, value), NumericStatus::kMalformed);
  std::string bad_digit = words({1, 0, 0, 0, 10000});
  EXPECT_EQ(numeric_to_scaled(bad_digit.data(), 10, 0, value), NumericStatus::kMalformed);
}

TEST(PgNumeric, TextIsEncodedAsPostgresReadsIt) {
  EXPECT_EQ(from_text("-12.50"), from_scaled(-1250, 2));
  EXPECT_EQ(from_text("+1234.56"), from_scaled(123456, 2));
  EXPECT_EQ(from_text("0.00001234"), words({1, -2, 0, 8, 1234}));
  EXPECT_EQ(from_text("1e+20"), words({1, 5, 0, 0, 1}));
  EXPECT_EQ(from_text("1.5E-3"), words({1, -1, 0, 4, 15}));
  EXPECT_EQ(from_text("000"), words({0, 0, 0, 0}));
  EXPECT_EQ(from_text("NaN"), words({0, 0, 0xC000, 0}));
  EXPECT_EQ(from_text("nan"), words({0, 0, 0xC000, 0}));
  EXPECT_EQ(from_text("Infinity"), words({0, 0, 0xD000, 0}));
  EXPECT_EQ(from_text("-inf"), words({0, 0, 0xF000, 0}));
  std::string out;
  for (const char* bad : {"", "-", "1.2.3", "abc", "1e", "1e+", "12a", " 1", "--1", "+nan"}) {
    EXPECT_FALSE(numeric_from_text(bad, out)) << bad;
  }
  EXPECT_TRUE(out.empty());
}

TEST(PgNumeric, TextOfBinaryDigits) {
  for (const char* text :
       {"-12.50", "1234.56", "0.00001234", "100000000", "0.000", "NaN", "-Infinity"}) {
    std::string binary = from_text(text);
    EXPECT_EQ(numeric_to_text(binary.data(), static_cast<int32_t>(binary.size())), text);
  }
}

}  // namespace
}  // namespace dvt::pg
