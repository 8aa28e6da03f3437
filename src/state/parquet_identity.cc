#include "state/parquet_identity.h"

#include <cstring>
#include <fstream>
#include <vector>

#include "core/digest.h"

namespace dvt {

namespace fs = std::filesystem;

std::optional<FileRecord> identify_parquet(const fs::path& path, const std::string& relative,
                                           uint64_t rows) {
  std::error_code error;
  const uintmax_t size = fs::file_size(path, error);
  // "PAR1", at least one byte of metadata, its 4-byte length, "PAR1".
  if (error || size < 13) return std::nullopt;
  std::ifstream file(path, std::ios::binary);
  char head[4];
  char tail[8];
  if (!file.read(head, 4) || std::memcmp(head, "PAR1", 4) != 0) return std::nullopt;
  if (!file.seekg(static_cast<std::streamoff>(size - 8)) || !file.read(tail, 8) ||
      std::memcmp(tail + 4, "PAR1", 4) != 0) {
    return std::nullopt;
  }
  uint32_t footer_length = 0;
  for (int i = 3; i >= 0; --i)
    footer_length = footer_length << 8 | static_cast<unsigned char>(tail[i]);
  if (footer_length == 0 || footer_length > size - 12) return std::nullopt;
  std::vector<char> footer(footer_length + 8);
  if (!file.seekg(static_cast<std::streamoff>(size - 8 - footer_length)) ||
      !file.read(footer.data(), static_cast<std::streamsize>(footer.size()))) {
    return std::nullopt;
  }
  FileRecord record;
  record.file = relative;
  record.bytes = size;
  record.rows = rows;
  record.footer_sha256 = sha256_hex(std::string_view(footer.data(), footer.size()));
  return record;
}

bool parquet_matches(const fs::path& path, const FileRecord& recorded) {
  std::optional<FileRecord> found = identify_parquet(path, recorded.file, recorded.rows);
  return found && found->bytes == recorded.bytes && found->footer_sha256 == recorded.footer_sha256;
}

}  // namespace dvt
