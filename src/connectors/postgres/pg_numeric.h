// PostgreSQL's binary numeric format: sign, weight and base-10000 digits.
// Written by hand because libpq leaves binary values to the caller: it has
// no numeric codec.
//
// Binary layout (all big-endian): int16 ndigits, int16 weight, uint16 sign,
// int16 dscale, then ndigits int16 digits of 0..9999; the value is
// sum(digit[i] * 10000^(weight - i)).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dvt::pg {

enum class NumericStatus {
  kOk,
  kNaN,
  kInfinity,
  kNegativeInfinity,
  kTooManyFractionDigits,
  kOverflow,
  kMalformed
};

// Decodes a binary numeric into `value` * 10^-scale. Fails (without
// rounding) when the value has more than `scale` fraction digits or more
// than 38 significant digits at that scale.
NumericStatus numeric_to_scaled(const char* data, int32_t length, int scale, __int128& value);

// Appends the binary numeric (without its length word) of `value` * 10^-scale.
// REQUIRES: |value| < 10^38, 0 <= scale <= 38.
void numeric_from_scaled(__int128 value, int scale, std::string& out);

// Appends the binary numeric of a decimal number written as text: optional
// sign, digits with an optional point, optional exponent ("-12.50",
// "1e+20"), or NaN, Infinity, -Infinity (any case, "inf" too), as
// PostgreSQL's numeric input reads them. Returns false, appending nothing,
// for anything else.
bool numeric_from_text(std::string_view text, std::string& out);

// The exact text of a binary numeric ("-12.50", "NaN"), for messages and
// tests. Returns "" for malformed input.
std::string numeric_to_text(const char* data, int32_t length);

}  // namespace dvt::pg
