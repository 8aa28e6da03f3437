// UTF-8 validation. DuckDB 1.4 does not check strings handed to it through
// the C API, so every reader validates text before storing it as VARCHAR.
#pragma once

#include <string_view>

#include <cstddef>

namespace dvt {

// True when [data, data+length) is well-formed UTF-8 (no overlongs, no
// surrogates, nothing above U+10FFFF). NUL bytes are valid.
bool is_valid_utf8(const char* data, size_t length);

// The characters (code points) of UTF-8 `text`, which is how wide a
// terminal draws it for most scripts (not for wide CJK or emoji).
size_t display_width(std::string_view text);

}  // namespace dvt
