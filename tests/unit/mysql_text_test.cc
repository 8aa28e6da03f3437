#include <gtest/gtest.h>

#include <string>

#include "connectors/mysql/mysql_text.h"

namespace dvt::mysql {
namespace {

std::string decimal_text(__int128 unscaled, int scale) {
  char buffer[64];
  return std::string(buffer, format_decimal(buffer, unscaled, scale));
}

std::string time_text(int64_t micros) {
  char buffer[32];
  return std::string(buffer, format_time(buffer, micros));
}

std::string escaped(const std::string& value) {
  std::string out;
  append_load_data_escaped(out, value.data(), value.size());
  return out;
}

std::string unescaped(std::string value) {
  value.resize(unescape_batch_field(value.data(), value.size()));
  return value;
}

TEST(MysqlText, ParsesDates) {
  CivilDate date;
  ASSERT_TRUE(parse_date("2024-02-29", date));
  EXPECT_EQ(date.year, 2024);
  EXPECT_EQ(date.month, 2);
  EXPECT_EQ(date.day, 29);
  EXPECT_TRUE(is_real_date(date));
  ASSERT_TRUE(parse_date("0000-00-00", date));
  EXPECT_TRUE(is_zero_in_date(date));
  ASSERT_TRUE(parse_date("2024-00-10", date));
  EXPECT_TRUE(is_zero_in_date(date));
  ASSERT_TRUE(parse_date("2023-02-29", date));
  EXPECT_FALSE(is_zero_in_date(date));
  EXPECT_FALSE(is_real_date(date));
  EXPECT_FALSE(parse_date("2024-1-01", date));
  EXPECT_FALSE(parse_date("2024-13-01", date));
  EXPECT_FALSE(parse_date("2024-01-01 ", date));
}

TEST(MysqlText, ParsesDatetimesWithAnyFraction) {
  CivilDate date;
  int64_t micros = -1;
  ASSERT_TRUE(parse_datetime("9999-12-31 23:59:59.999999", date, micros));
  EXPECT_EQ(date.year, 9999);
  EXPECT_EQ(micros, 86399999999);
  ASSERT_TRUE(parse_datetime("2024-01-02 03:04:05.6", date, micros));
  EXPECT_EQ(micros, (3 * 3600 + 4 * 60 + 5) * kMicrosPerSecond + 600000);
  ASSERT_TRUE(parse_datetime("2024-01-02 00:00:00", date, micros));
  EXPECT_EQ(micros, 0);
  EXPECT_FALSE(parse_datetime("2024-01-02 24:00:00", date, micros));
  EXPECT_FALSE(parse_datetime("2024-01-02 00:00:00.", date, micros));
  EXPECT_FALSE(parse_datetime("2024-01-02 00:00:00.1234567", date, micros));
}

TEST(MysqlText, ParsesNegativeAndLongTimes) {
  int64_t micros = 0;
  ASSERT_TRUE(parse_time("-838:59:59.999999", micros));
  EXPECT_EQ(micros, -(838 * 3600 + 59 * 60 + 59) * kMicrosPerSecond - 999999);
  ASSERT_TRUE(parse_time("-00:00:00.000001", micros));
  EXPECT_EQ(micros, -1);
  ASSERT_TRUE(parse_time("25:00:00", micros));
  EXPECT_EQ(micros, 25 * 3600 * kMicrosPerSecond);
  ASSERT_TRUE(parse_time("12:30:00.5", micros));
  EXPECT_EQ(micros, (12 * 3600 + 1800) * kMicrosPerSecond + 500000);
  EXPECT_FALSE(parse_time("1:00:00", micros));
  EXPECT_FALSE(parse_time("10:60:00", micros));
}

TEST(MysqlText, ParsesDecimalsExactly) {
  __int128 value = 0;
  ASSERT_TRUE(parse_decimal("-12.50", 4, 2, value));
  EXPECT_TRUE(value == -1250);
  ASSERT_TRUE(parse_decimal("0.00", 4, 2, value));
  EXPECT_TRUE(value == 0);
  ASSERT_TRUE(parse_decimal("7", 5, 2, value));  // fewer fraction digits: padded
  EXPECT_TRUE(value == 700);
  // 38 nines: the widest DuckDB DECIMAL.
  const std::string nines(38, '9');
  ASSERT_TRUE(parse_decimal(nines, 38, 0, value));
  EXPECT_EQ(decimal_text(value, 0), nines);
  const std::string negative = "-9999999999999999999999999999.9999999999";
  ASSERT_TRUE(parse_decimal(negative, 38, 10, value));
  EXPECT_EQ(decimal_text(value, 10), negative);
  EXPECT_FALSE(parse_decimal("123.45", 4, 2, value));  // 5 digits in DECIMAL(4,2)
  EXPECT_FALSE(parse_decimal("1.234", 4, 2, value));   // a third fraction digit
  EXPECT_FALSE(parse_decimal("1e5", 10, 0, value));
  EXPECT_FALSE(parse_decimal("", 10, 0, value));
  EXPECT_FALSE(parse_decimal("999999999999999999999999999999999999999", 38, 0, value));
}

TEST(MysqlText, FormatsDecimalsWithTheirScale) {
  EXPECT_EQ(decimal_text(-1250, 2), "-12.50");
  EXPECT_EQ(decimal_text(5, 3), "0.005");
  EXPECT_EQ(decimal_text(-5, 3), "-0.005");
  EXPECT_EQ(decimal_text(0, 2), "0.00");
  EXPECT_EQ(decimal_text(42, 0), "42");
  EXPECT_EQ(decimal_text(99999999999999, 2), "999999999999.99");
  EXPECT_EQ(decimal_text(-1000000000000000000, 18), "-1.000000000000000000");
  EXPECT_EQ(decimal_text(1, 18), "0.000000000000000001");
  // Past 64 bits and past 18 fraction digits: the 128-bit path.
  EXPECT_EQ(decimal_text(UINT64_MAX - 1, 2), "184467440737095516.14");
  EXPECT_EQ(decimal_text(static_cast<__int128>(UINT64_MAX) * 10 + 5, 1), "18446744073709551615.5");
  EXPECT_EQ(decimal_text(-(static_cast<__int128>(UINT64_MAX) + 1), 2), "-184467440737095516.16");
  EXPECT_EQ(decimal_text(123, 20), "0.00000000000000000123");
  __int128 max38 = 0;
  for (int i = 0; i < 38; ++i) max38 = max38 * 10 + 9;
  EXPECT_EQ(decimal_text(-max38, 0), "-99999999999999999999999999999999999999");
  EXPECT_EQ(decimal_text(max38, 38), "0.99999999999999999999999999999999999999");
}

TEST(MysqlText, FormatsTimesAndDurations) {
  EXPECT_EQ(time_text(0), "00:00:00");
  EXPECT_EQ(time_text(86399999999), "23:59:59.999999");
  EXPECT_EQ(time_text(-1), "-00:00:00.000001");
  EXPECT_EQ(time_text(-((838LL * 3600 + 59 * 60 + 59) * kMicrosPerSecond)), "-838:59:59");
  EXPECT_EQ(time_text(1500000), "00:00:01.500000");
}

TEST(MysqlText, FormatsTimesWithTheColumnsFractionDigits) {
  char buffer[32];
  auto text = [&](int64_t micros, int digits) {
    return std::string(buffer, format_time_digits(buffer, micros, digits));
  };
  EXPECT_EQ(text(-((838LL * 3600 + 59 * 60 + 59) * kMicrosPerSecond + 990000), 2), "-838:59:59.99");
  EXPECT_EQ(text(-1, 6), "-00:00:00.000001");
  EXPECT_EQ(text(-500000, 1), "-00:00:00.5");
  EXPECT_EQ(text(3600 * kMicrosPerSecond, 0), "01:00:00");
  EXPECT_EQ(text(25 * 3600 * kMicrosPerSecond, 3), "25:00:00.000");
}

TEST(MysqlText, FormatsDatesAndDoubles) {
  char buffer[64];
  EXPECT_EQ(std::string(buffer, format_date(buffer, CivilDate{0, 1, 1})), "0000-01-01");
  EXPECT_EQ(std::string(buffer, format_date(buffer, CivilDate{9999, 12, 31})), "9999-12-31");
  EXPECT_EQ(std::string(buffer, format_double(buffer, 0.1)), "0.1");
  EXPECT_EQ(std::string(buffer, format_double(buffer, 1.7976931348623157e308)),
            "1.7976931348623157e+308");
  EXPECT_EQ(std::string(buffer, format_double(buffer, static_cast<double>(1.2345678f))),
            "1.2345677614212036");
}

TEST(MysqlText, EscapesLoadDataFieldsSoNullStaysDistinct) {
  EXPECT_EQ(escaped("plain"), "plain");
  EXPECT_EQ(escaped("a\tb\nc\\d"), "a\\tb\\nc\\\\d");
  EXPECT_EQ(escaped(std::string("\0x", 2)), "\\0x");
  // The text \N is written \\N; only a NULL is written \N.
  EXPECT_EQ(escaped("\\N"), "\\\\N");
  EXPECT_EQ(escaped("NULL"), "NULL");
}

TEST(MysqlText, UnescapesBatchOutput) {
  EXPECT_EQ(unescaped("a\\tb\\nc\\\\d"), "a\tb\nc\\d");
  EXPECT_EQ(unescaped("\\0"), std::string("\0", 1));
  EXPECT_EQ(unescaped("\\\\N"), "\\N");
  EXPECT_EQ(unescaped("no escapes"), "no escapes");
}

TEST(MysqlText, AppendsHex) {
  std::string out = "x";
  append_hex(out, "\x00\xff\x5c", 3);
  EXPECT_EQ(out, "x00ff5c");
}

}  // namespace
}  // namespace dvt::mysql
