// What tells that a Parquet file is still the one a state recorded, without
// reading it whole: its size, its two "PAR1" magics, and the SHA-256 of its
// footer (the file's metadata: every row group's offset, size, row count and
// column statistics), so a file cut short, replaced or rewritten is never
// mistaken for it. A change that keeps the size and leaves the footer alone
// (bytes flipped inside a data page) is not seen here; reading such a file
// fails on its page checksums or decompression.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "state/state_file.h"

namespace dvt {

// The identity of the file at `path` (file name `relative` in the record,
// `rows` as given), or nullopt when there is no readable Parquet file there.
std::optional<FileRecord> identify_parquet(const std::filesystem::path& path,
                                           const std::string& relative, uint64_t rows);

// Whether the file at `path` is the one `recorded` describes.
bool parquet_matches(const std::filesystem::path& path, const FileRecord& recorded);

}  // namespace dvt
