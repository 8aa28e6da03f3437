// MySQL's text forms of values, both ways: parsing what the text protocol and
// `mysql --batch` send, and writing what LOAD DATA and INSERT read. Pure
// functions on raw buffers (no sockets, no DuckDB vectors), so every rule is
// unit-tested on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dvt::mysql {

// A calendar date as MySQL writes it; month or day may be 0 (a "zero date").
struct CivilDate {
  int32_t year = 0;
  int32_t month = 0;
  int32_t day = 0;
};

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// "YYYY-MM-DD". False on any other shape.
bool parse_date(std::string_view text, CivilDate& date);
// "YYYY-MM-DD HH:MM:SS" with an optional fraction of 1 to 6 digits.
bool parse_datetime(std::string_view text, CivilDate& date, int64_t& micros_of_day);
// "[-]HH:MM:SS" (2 or 3 hour digits) with an optional fraction of 1 to 6
// digits: MySQL's TIME, a signed duration up to 838:59:59.999999.
bool parse_time(std::string_view text, int64_t& micros);
// True when month or day is 0: MySQL stores it, no calendar has it.
bool is_zero_in_date(const CivilDate& date);
// True when the day exists in that month of the proleptic Gregorian calendar
// (MySQL with ALLOW_INVALID_DATES can store '2024-02-30').
bool is_real_date(const CivilDate& date);

// A DECIMAL(width, scale) value's text ("-12.50") as its unscaled integer
// (-1250). False when it is malformed, has more than `scale` fraction
// digits, or more than `width` digits in all.
bool parse_decimal(std::string_view text, int width, int scale, __int128& unscaled);

// Appenders for the text MySQL reads back as exactly the same value. Each
// writes at most the bytes its comment says into `out` and returns the end.
// An integer: at most 40 bytes.
char* format_int128(char* out, __int128 value);
// An unscaled decimal with `scale` fraction digits: at most 42 bytes.
char* format_decimal(char* out, __int128 unscaled, int scale);
// "YYYY-MM-DD": 10 bytes. REQUIRES: 0 <= year <= 9999.
char* format_date(char* out, const CivilDate& date);
// "HH:MM:SS[.ffffff]" for a time of day or a signed duration ("-838:59:59"):
// at most 17 bytes. The fraction is written only when non-zero.
char* format_time(char* out, int64_t micros);
// A signed duration as MySQL prints a TIME(fraction_digits): "-838:59:59.99".
// At most 18 bytes.
char* format_time_digits(char* out, int64_t micros, int fraction_digits);
// The shortest text that parses back to exactly `value`: at most 32 bytes.
char* format_double(char* out, double value);

// Appends `data` escaped for LOAD DATA ... FIELDS ESCAPED BY '\\': backslash,
// tab, newline and NUL become \\, \t, \n, \0. A field equal to "\N" can then
// only be a NULL, which is written as \N.
void append_load_data_escaped(std::string& out, const char* data, size_t size);
// Appends `data` as lowercase hex digits.
void append_hex(std::string& out, const char* data, size_t size);

// Undoes `mysql --batch` escaping (\0 \t \n \\ and any other \x as x) in
// place; returns the new length.
size_t unescape_batch_field(char* data, size_t size);

}  // namespace dvt::mysql
