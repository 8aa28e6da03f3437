#include "connectors/postgres/pg_numeric.h"

#include <cstring>
#include <vector>

namespace dvt::pg {
namespace {

constexpr uint16_t kPositive = 0x0000;
constexpr uint16_t kNegative = 0x4000;
constexpr uint16_t kNaN = 0xC000;
constexpr uint16_t kPlusInfinity = 0xD000;
constexpr uint16_t kMinusInfinity = 0xF000;

// PostgreSQL's own limits (numeric.c): digits before and after the point.
constexpr int kMaxWeightDigits = 131072;
constexpr int kMaxScale = 16383;

int16_t read_int16(const char* p) {
  uint16_t raw;
  std::memcpy(&raw, p, 2);
  return static_cast<int16_t>(__builtin_bswap16(raw));
}

void put_int16(std::string& out, int v) {
  uint16_t raw = __builtin_bswap16(static_cast<uint16_t>(v));
  out.append(reinterpret_cast<const char*>(&raw), 2);
}

struct PowersOfTen {
  unsigned __int128 value[39];
  constexpr PowersOfTen() : value() {
    value[0] = 1;
    for (int i = 1; i < 39; ++i) value[i] = value[i - 1] * 10;
  }
};
constexpr PowersOfTen kPowers;

// 10^exponent. REQUIRES: 0 <= exponent <= 38.
inline unsigned __int128 pow10(int exponent) {
  return kPowers.value[exponent];
}

constexpr unsigned __int128 kLimit = kPowers.value[38];

void put_header(std::string& out, size_t ndigits, int weight, uint16_t sign, int dscale) {
  put_int16(out, static_cast<int>(ndigits));
  put_int16(out, weight);
  put_int16(out, sign);
  put_int16(out, dscale);
}

// Writes base-10000 `groups` (most significant first) whose first group has
// weight `weight`, stripping zero groups at both ends.
void put_groups(std::string& out, const int* groups, size_t count, int weight, bool negative,
                int dscale) {
  size_t first = 0;
  while (first < count && groups[first] == 0) {
    ++first;
    --weight;
  }
  size_t last = count;
  while (last > first && groups[last - 1] == 0) --last;
  if (first == last) {
    put_header(out, 0, 0, kPositive, dscale);
    return;
  }
  put_header(out, last - first, weight, negative ? kNegative : kPositive, dscale);
  for (size_t i = first; i < last; ++i) put_int16(out, groups[i]);
}

// The base-10000 groups of `magnitude` * 10^-scale into `groups` (room for
// 24); returns how many, and the number before the point in `integer_count`.
// Unsigned is uint64_t when the value and 10^scale fit in it (the common
// DECIMAL(p<=18)), else unsigned __int128.
template <typename Unsigned>
size_t scaled_groups(Unsigned magnitude, int scale, int* groups, int& integer_count) {
  Unsigned divisor = static_cast<Unsigned>(pow10(scale));
  Unsigned integer = magnitude / divisor;
  Unsigned fraction = magnitude % divisor;
  int reversed[12];
  integer_count = 0;
  while (integer > 0) {
    reversed[integer_count++] = static_cast<int>(integer % 10000);
    integer /= 10000;
  }
  size_t count = 0;
  for (int i = integer_count - 1; i >= 0; --i) groups[count++] = reversed[i];
  // Fraction digits, four at a time from the point, the last group padded
  // with zeros on the right.
  for (int start = 0; start < scale; start += 4) {
    int take = scale - start >= 4 ? 4 : scale - start;
    Unsigned shifted = fraction / static_cast<Unsigned>(pow10(scale - start - take));
    int group = static_cast<int>(shifted % static_cast<Unsigned>(pow10(take)));
    for (int pad = take; pad < 4; ++pad) group *= 10;
    groups[count++] = group;
  }
  return count;
}

bool equals_ignore_case(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != word[i]) return false;
  }
  return true;
}

}  // namespace

NumericStatus numeric_to_scaled(const char* data, int32_t length, int scale, __int128& value) {
  if (length < 8) return NumericStatus::kMalformed;
  int ndigits = read_int16(data);
  int weight = read_int16(data + 2);
  uint16_t sign = static_cast<uint16_t>(read_int16(data + 4));
  if (ndigits < 0 || length != 8 + 2 * ndigits) return NumericStatus::kMalformed;
  if (sign == kNaN) return NumericStatus::kNaN;
  if (sign == kPlusInfinity) return NumericStatus::kInfinity;
  if (sign == kMinusInfinity) return NumericStatus::kNegativeInfinity;
  if (sign != kPositive && sign != kNegative) return NumericStatus::kMalformed;
  // Digit i is worth digit * 10^(4 * (weight - i) + scale) in the scaled value.
  unsigned __int128 magnitude = 0;
  for (int i = 0; i < ndigits; ++i) {
    int digit = read_int16(data + 8 + 2 * i);
    if (digit < 0 || digit > 9999) return NumericStatus::kMalformed;
    if (digit == 0) continue;
    int exponent = 4 * (weight - i) + scale;
    unsigned __int128 term = static_cast<unsigned>(digit);
    if (exponent >= 0) {
      if (exponent > 38) return NumericStatus::kOverflow;
      unsigned __int128 factor = pow10(exponent);
      if (factor > kLimit / term) return NumericStatus::kOverflow;
      term *= factor;
    } else {
      // Only zeros may lie beyond the scale: anything else would be lost.
      if (exponent <= -4) return NumericStatus::kTooManyFractionDigits;
      unsigned __int128 divisor = pow10(-exponent);
      if (term % divisor != 0) return NumericStatus::kTooManyFractionDigits;
      term /= divisor;
    }
    magnitude += term;
    if (magnitude >= kLimit) return NumericStatus::kOverflow;
  }
  if (magnitude >= kLimit) return NumericStatus::kOverflow;
  value = sign == kNegative ? -static_cast<__int128>(magnitude) : static_cast<__int128>(magnitude);
  return NumericStatus::kOk;
}

void numeric_from_scaled(__int128 value, int scale, std::string& out) {
  bool negative = value < 0;
  unsigned __int128 magnitude =
      negative ? -static_cast<unsigned __int128>(value) : static_cast<unsigned __int128>(value);
  int groups[24];
  int integer_count = 0;
  size_t count =
      magnitude <= UINT64_MAX && scale <= 19
          ? scaled_groups<uint64_t>(static_cast<uint64_t>(magnitude), scale, groups, integer_count)
          : scaled_groups<unsigned __int128>(magnitude, scale, groups, integer_count);
  put_groups(out, groups, count, integer_count - 1, negative, scale);
}

bool numeric_from_text(std::string_view text, std::string& out) {
  bool negative = false;
  std::string_view body = text;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (equals_ignore_case(text, "nan")) {
    put_header(out, 0, 0, kNaN, 0);
    return true;
  }
  if (equals_ignore_case(body, "infinity") || equals_ignore_case(body, "inf")) {
    put_header(out, 0, 0, negative ? kMinusInfinity : kPlusInfinity, 0);
    return true;
  }
  // Digits without the point, and how many of them come before it.
  std::string digits;
  int before_point = 0;
  int fraction_digits = 0;
  bool seen_point = false;
  size_t pos = 0;
  for (; pos < body.size(); ++pos) {
    char c = body[pos];
    if (c >= '0' && c <= '9') {
      digits += c;
      if (seen_point) {
        ++fraction_digits;
      } else {
        ++before_point;
      }
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digits.empty()) return false;
  long exponent = 0;
  if (pos < body.size()) {
    if (body[pos] != 'e' && body[pos] != 'E') return false;
    ++pos;
    bool exponent_negative = false;
    if (pos < body.size() && (body[pos] == '-' || body[pos] == '+')) {
      exponent_negative = body[pos] == '-';
      ++pos;
    }
    if (pos == body.size()) return false;
    for (; pos < body.size(); ++pos) {
      if (body[pos] < '0' || body[pos] > '9') return false;
      exponent = exponent * 10 + (body[pos] - '0');
      if (exponent > 2 * kMaxWeightDigits) return false;
    }
    if (exponent_negative) exponent = -exponent;
  }
  long point = before_point + exponent;  // digits before the point after applying the exponent
  long dscale = fraction_digits - exponent;
  if (dscale < 0) dscale = 0;
  if (point > kMaxWeightDigits || dscale > kMaxScale) return false;

  // Align the point on a base-10000 group boundary by padding zeros on the left.
  long left_pad = ((point % 4) + 4) % 4 == 0 ? 0 : 4 - ((point % 4) + 4) % 4;
  long aligned_point = point + left_pad;
  std::string padded(static_cast<size_t>(left_pad), '0');
  padded += digits;
  while (padded.size() % 4 != 0) padded += '0';
  std::vector<int> groups;
  groups.reserve(padded.size() / 4);
  for (size_t i = 0; i < padded.size(); i += 4) {
    groups.push_back((padded[i] - '0') * 1000 + (padded[i + 1] - '0') * 100 +
                     (padded[i + 2] - '0') * 10 + (padded[i + 3] - '0'));
  }
  // aligned_point is a multiple of 4, so this division is exact.
  long weight = aligned_point / 4 - 1;
  put_groups(out, groups.data(), groups.size(), static_cast<int>(weight), negative,
             static_cast<int>(dscale));
  return true;
}

std::string numeric_to_text(const char* data, int32_t length) {
  if (length < 8) return "";
  int ndigits = read_int16(data);
  int weight = read_int16(data + 2);
  uint16_t sign = static_cast<uint16_t>(read_int16(data + 4));
  int dscale = read_int16(data + 6);
  if (ndigits < 0 || length != 8 + 2 * ndigits) return "";
  if (sign == kNaN) return "NaN";
  if (sign == kPlusInfinity) return "Infinity";
  if (sign == kMinusInfinity) return "-Infinity";
  auto digit_at = [&](int group) {
    return group >= 0 && group < ndigits ? read_int16(data + 8 + 2 * group) : 0;
  };
  std::string text = sign == kNegative ? "-" : "";
  if (weight < 0) {
    text += '0';
  } else {
    for (int group = 0; group <= weight; ++group) {
      std::string part = std::to_string(digit_at(group));
      if (group > 0) part.insert(0, 4 - part.size(), '0');
      text += part;
    }
  }
  if (dscale > 0) {
    text += '.';
    std::string fraction;
    for (int group = weight + 1; static_cast<int>(fraction.size()) < dscale; ++group) {
      std::string part = std::to_string(digit_at(group));
      part.insert(0, 4 - part.size(), '0');
      fraction += part;
    }
    text += fraction.substr(0, static_cast<size_t>(dscale));
  }
  return text;
}

}  // namespace dvt::pg
