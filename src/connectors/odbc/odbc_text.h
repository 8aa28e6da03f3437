// UTF-8 <-> UTF-16 for the wide (SQLWCHAR) side of ODBC: unixODBC's
// SQLWCHAR is a 16-bit code unit, and every driver tested speaks UTF-16
// through it. Pure functions on raw buffers.
#pragma once

#include <sqltypes.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace dvt::odbc {

// Appends the UTF-8 of `units` UTF-16 code units at `text` to `out`.
// Returns false (out unspecified) on an unpaired surrogate.
bool append_utf8(const SQLWCHAR* text, size_t units, std::string& out);

// Writes the UTF-16 of `text` into `out` (which must hold text.size() units:
// UTF-16 never needs more units than UTF-8 has bytes) and returns the
// number of units written. REQUIRES: `text` is valid UTF-8.
size_t to_utf16(std::string_view text, SQLWCHAR* out);

// `text` as a NUL-terminated UTF-16 string.
std::u16string utf16(std::string_view text);

}  // namespace dvt::odbc
