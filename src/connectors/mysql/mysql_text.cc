#include "connectors/mysql/mysql_text.h"

#include <charconv>
#include <cstring>

namespace dvt::mysql {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `count` digits at `text[at]`.
bool read_digits(std::string_view text, size_t at, size_t count, int32_t& value) {
  if (at + count > text.size()) return false;
  int32_t result = 0;
  for (size_t i = 0; i < count; ++i) {
    char c = text[at + i];
    if (!is_digit(c)) return false;
    result = result * 10 + (c - '0');
  }
  value = result;
  return true;
}

// Reads ".f{1,6}" at text[at] to the end as microseconds; absent is 0.
bool read_fraction(std::string_view text, size_t at, int64_t& micros) {
  micros = 0;
  if (at == text.size()) return true;
  if (text[at] != '.') return false;
  size_t digits = text.size() - at - 1;
  if (digits < 1 || digits > 6) return false;
  int64_t value = 0;
  for (size_t i = 0; i < 6; ++i) {
    int digit = 0;
    if (i < digits) {
      char c = text[at + 1 + i];
      if (!is_digit(c)) return false;
      digit = c - '0';
    }
    value = value * 10 + digit;
  }
  micros = value;
  return true;
}

char* write_2(char* out, int value) {
  out[0] = static_cast<char>('0' + value / 10);
  out[1] = static_cast<char>('0' + value % 10);
  return out + 2;
}

}  // namespace

bool parse_date(std::string_view text, CivilDate& date) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  return read_digits(text, 0, 4, date.year) && read_digits(text, 5, 2, date.month) &&
         read_digits(text, 8, 2, date.day) && date.month <= 12 && date.day <= 31;
}

bool parse_datetime(std::string_view text, CivilDate& date, int64_t& micros_of_day) {
  if (text.size() < 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':') return false;
  if (!parse_date(text.substr(0, 10), date)) return false;
  int32_t hour = 0, minute = 0, second = 0;
  int64_t fraction = 0;
  if (!read_digits(text, 11, 2, hour) || !read_digits(text, 14, 2, minute) ||
      !read_digits(text, 17, 2, second) || !read_fraction(text, 19, fraction)) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 59) return false;
  micros_of_day = ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + fraction;
  return true;
}

bool parse_time(std::string_view text, int64_t& micros) {
  bool negative = !text.empty() && text[0] == '-';
  size_t at = negative ? 1 : 0;
  size_t colon = text.find(':', at);
  if (colon == std::string_view::npos) return false;
  size_t hour_digits = colon - at;
  if (hour_digits < 2 || hour_digits > 3) return false;
  int32_t hour = 0, minute = 0, second = 0;
  int64_t fraction = 0;
  if (!read_digits(text, at, hour_digits, hour) || colon + 6 > text.size() ||
      !read_digits(text, colon + 1, 2, minute) || text[colon + 3] != ':' ||
      !read_digits(text, colon + 4, 2, second) || !read_fraction(text, colon + 6, fraction)) {
    return false;
  }
  if (minute > 59 || second > 59) return false;
  int64_t value =
      (static_cast<int64_t>(hour) * 3600 + minute * 60 + second) * kMicrosPerSecond + fraction;
  micros = negative ? -value : value;
  return true;
}

bool is_zero_in_date(const CivilDate& date) {
  return date.month == 0 || date.day == 0;
}

bool is_real_date(const CivilDate& date) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (date.month < 1 || date.month > 12 || date.day < 1) return false;
  int days = kDays[date.month - 1];
  bool leap = (date.year % 4 == 0 && date.year % 100 != 0) || date.year % 400 == 0;
  if (date.month == 2 && leap) days = 29;
  return date.day <= days;
}

bool parse_decimal(std::string_view text, int width, int scale, __int128& unscaled) {
  size_t at = 0;
  bool negative = false;
  if (at < text.size() && (text[at] == '-' || text[at] == '+')) {
    negative = text[at] == '-';
    ++at;
  }
  __int128 value = 0;
  int digits = 0;    // significant digits taken (leading zeros skipped)
  int fraction = 0;  // digits after the point
  bool point = false, any = false;
  for (; at < text.size(); ++at) {
    char c = text[at];
    if (c == '.') {
      if (point) return false;
      point = true;
      continue;
    }
    if (!is_digit(c)) return false;
    any = true;
    if (point && ++fraction > scale) return false;
    if (value != 0 || c != '0') ++digits;
    if (digits > 38) return false;
    value = value * 10 + (c - '0');
  }
  if (!any) return false;
  for (; fraction < scale; ++fraction) {
    if (value != 0 && ++digits > 38) return false;
    value *= 10;
  }
  if (digits > width) return false;
  unscaled = negative ? -value : value;
  return true;
}

char* format_int128(char* out, __int128 value) {
  if (value >= INT64_MIN && value <= INT64_MAX) {
    return std::to_chars(out, out + 40, static_cast<int64_t>(value)).ptr;
  }
  char reversed[40];
  int count = 0;
  bool negative = value < 0;
  // Digits of the magnitude, taken from the negative side so INT128_MIN works.
  __int128 rest = negative ? value : -value;
  while (rest != 0) {
    reversed[count++] = static_cast<char>('0' - static_cast<int>(rest % 10));
    rest /= 10;
  }
  if (negative) *out++ = '-';
  while (count > 0) *out++ = reversed[--count];
  return out;
}

char* format_decimal(char* out, __int128 unscaled, int scale) {
  if (scale == 0) return format_int128(out, unscaled);
  // Decimals up to 18 digits (the common case) in 64 bits: __int128 division
  // is a library call per digit, and this was 8% of a load's CPU.
  if (scale <= 18 && unscaled > -static_cast<__int128>(UINT64_MAX) &&
      unscaled < static_cast<__int128>(UINT64_MAX)) {
    static constexpr uint64_t kPow10[] = {1,
                                          10,
                                          100,
                                          1000,
                                          10000,
                                          100000,
                                          1000000,
                                          10000000,
                                          100000000,
                                          1000000000,
                                          10000000000,
                                          100000000000,
                                          1000000000000,
                                          10000000000000,
                                          100000000000000,
                                          1000000000000000,
                                          10000000000000000,
                                          100000000000000000,
                                          1000000000000000000};
    if (unscaled < 0) *out++ = '-';
    uint64_t magnitude = static_cast<uint64_t>(unscaled < 0 ? -unscaled : unscaled);
    out = std::to_chars(out, out + 20, magnitude / kPow10[scale]).ptr;
    *out++ = '.';
    char fraction[20];
    char* end = std::to_chars(fraction, fraction + 20, magnitude % kPow10[scale]).ptr;
    size_t digits = static_cast<size_t>(end - fraction);
    for (size_t i = digits; i < static_cast<size_t>(scale); ++i) *out++ = '0';
    std::memcpy(out, fraction, digits);
    return out + digits;
  }
  char digits[42];
  bool negative = unscaled < 0;
  __int128 magnitude_neg = negative ? unscaled : -unscaled;  // <= 0
  int count = 0;
  while (magnitude_neg != 0 || count <= scale) {
    digits[count++] = static_cast<char>('0' - static_cast<int>(magnitude_neg % 10));
    magnitude_neg /= 10;
  }
  if (negative) *out++ = '-';
  for (int i = count - 1; i >= 0; --i) {
    *out++ = digits[i];
    if (i == scale) *out++ = '.';
  }
  return out;
}

char* format_date(char* out, const CivilDate& date) {
  out = write_2(out, date.year / 100);
  out = write_2(out, date.year % 100);
  *out++ = '-';
  out = write_2(out, date.month);
  *out++ = '-';
  return write_2(out, date.day);
}

char* format_time(char* out, int64_t micros) {
  return format_time_digits(out, micros, micros % kMicrosPerSecond != 0 ? 6 : 0);
}

char* format_time_digits(char* out, int64_t micros, int fraction_digits) {
  if (micros < 0) {
    *out++ = '-';
    micros = -micros;
  }
  int64_t seconds = micros / kMicrosPerSecond;
  int64_t fraction = micros % kMicrosPerSecond;
  int64_t hours = seconds / 3600;
  if (hours >= 100) {
    out = std::to_chars(out, out + 8, hours).ptr;
  } else {
    out = write_2(out, static_cast<int>(hours));
  }
  *out++ = ':';
  out = write_2(out, static_cast<int>(seconds / 60 % 60));
  *out++ = ':';
  out = write_2(out, static_cast<int>(seconds % 60));
  if (fraction_digits > 0) {
    *out++ = '.';
    int64_t divisor = 100000;
    for (int i = 0; i < fraction_digits && i < 6; ++i, divisor /= 10) {
      *out++ = static_cast<char>('0' + fraction / divisor % 10);
    }
  }
  return out;
}

char* format_double(char* out, double value) {
  return std::to_chars(out, out + 32, value).ptr;
}

void append_load_data_escaped(std::string& out, const char* data, size_t size) {
  const char* end = data + size;
  while (data < end) {
    // Copy the run up to the next byte that needs escaping in one append.
    const char* run = data;
    while (run < end && *run != '\\' && *run != '\t' && *run != '\n' && *run != '\0') ++run;
    out.append(data, static_cast<size_t>(run - data));
    if (run == end) break;
    out += '\\';
    switch (*run) {
      case '\t':
        out += 't';
        break;
      case '\n':
        out += 'n';
        break;
      case '\0':
        out += '0';
        break;
      default:
        out += '\\';
        break;
    }
    data = run + 1;
  }
}

void append_hex(std::string& out, const char* data, size_t size) {
  static const char kHex[] = "0123456789abcdef";
  size_t at = out.size();
  out.resize(at + 2 * size);
  char* write = out.data() + at;
  for (size_t i = 0; i < size; ++i) {
    auto byte = static_cast<unsigned char>(data[i]);
    *write++ = kHex[byte >> 4];
    *write++ = kHex[byte & 15];
  }
}

size_t unescape_batch_field(char* data, size_t size) {
  char* read = static_cast<char*>(std::memchr(data, '\\', size));
  if (!read) return size;
  char* end = data + size;
  char* write = read;
  while (read < end) {
    char c = *read++;
    if (c == '\\' && read < end) {
      char next = *read++;
      switch (next) {
        case '0':
          c = '\0';
          break;
        case 't':
          c = '\t';
          break;
        case 'n':
          c = '\n';
          break;
        default:
          c = next;
          break;
      }
    }
    *write++ = c;
  }
  return static_cast<size_t>(write - data);
}

}  // namespace dvt::mysql
