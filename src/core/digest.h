// Digests of text as lowercase hex: MD5 (dbt names tests and projects by it;
// not for security) and SHA-256 (dbt's file checksums).
#pragma once

#include <string>
#include <string_view>

namespace dvt {

std::string md5_hex(std::string_view text);
std::string sha256_hex(std::string_view text);

}  // namespace dvt
