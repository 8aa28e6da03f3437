#include "connectors/sqlite/sqlite_dialect.h"

#include <openssl/evp.h>

#include <algorithm>

#include <fmt/format.h>

#include "connectors/sqlite/sqlite_types.h"
#include "core/error.h"

namespace dvt::sqlite {

std::string SqliteDialect::column_type(const Column& column, const TableSchema& /*table*/) const {
  return target_type(column.type).declaration;
}

std::string SqliteDialect::text_of(const Column& column) const {
  std::string quoted = quote(column.name);
  return fmt::format(
      "CASE typeof({0}) WHEN 'real' THEN printf('%!.17g', {0}) WHEN 'blob' THEN lower(hex({0})) "
      "ELSE CAST({0} AS TEXT) END",
      quoted);
}

std::string SqliteDialect::byte_length_text(const std::string& text) const {
  return fmt::format("CAST(length(CAST({} AS BLOB)) AS TEXT)", text);
}

std::string SqliteDialect::md5_hex(const std::string& text) const {
  return fmt::format("dvt_md5({})", text);
}

std::string SqliteDialect::hash_aggregate(const std::string& hash) const {
  return fmt::format("dvt_hash_sum({})", hash);
}

std::string SqliteDialect::hex_value(const std::string& hex, int digits) const {
  return fmt::format("dvt_hex_value({}, {})", hex, digits);
}

std::string SqliteDialect::truncate(const std::string& table) const {
  return "DELETE FROM " + table;
}

const SqliteDialect& dialect() {
  static const SqliteDialect instance;
  return instance;
}

namespace {

void md5_function(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  const unsigned char* text = sqlite3_value_text(argv[0]);
  int length = sqlite3_value_bytes(argv[0]);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (EVP_Digest(text, static_cast<size_t>(length), digest, &digest_length, EVP_md5(), nullptr) !=
      1) {
    sqlite3_result_error(context, "dvt_md5: MD5 is not available", -1);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  char hex[2 * EVP_MAX_MD_SIZE];
  for (unsigned int i = 0; i < digest_length; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 15];
  }
  sqlite3_result_text(context, hex, static_cast<int>(2 * digest_length), SQLITE_TRANSIENT);
}

// The value of the first `digits` hex digits of a text.
uint64_t hex_prefix(const unsigned char* hex, int digits) {
  uint64_t value = 0;
  for (int i = 0; i < digits && hex[i]; ++i) {
    unsigned char c = hex[i];
    unsigned digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    value = value << 4 | (digit & 15);
  }
  return value;
}

void hex_value_function(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  int digits = std::min(sqlite3_value_int(argv[1]), 15);
  sqlite3_result_int64(context,
                       static_cast<sqlite3_int64>(hex_prefix(sqlite3_value_text(argv[0]), digits)));
}

// The running sum lives in SQLite's aggregate context (zeroed on first use).
void hash_sum_step(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  auto* sum = static_cast<unsigned __int128*>(
      sqlite3_aggregate_context(context, sizeof(unsigned __int128)));
  if (!sum) {
    sqlite3_result_error_nomem(context);
    return;
  }
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  *sum += hex_prefix(sqlite3_value_text(argv[0]), 15);
}

void hash_sum_final(sqlite3_context* context) {
  auto* sum = static_cast<unsigned __int128*>(sqlite3_aggregate_context(context, 0));
  unsigned __int128 total = sum ? *sum : 0;
  char digits[48];
  int length = 0;
  do {
    digits[length++] = static_cast<char>('0' + static_cast<int>(total % 10));
    total /= 10;
  } while (total != 0);
  std::string text(digits, static_cast<size_t>(length));
  std::reverse(text.begin(), text.end());
  sqlite3_result_text(context, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

}  // namespace

void register_hash_functions(sqlite3* db) {
  const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  if (sqlite3_create_function_v2(db, "dvt_md5", 1, flags, nullptr, md5_function, nullptr, nullptr,
                                 nullptr) != SQLITE_OK ||
      sqlite3_create_function_v2(db, "dvt_hex_value", 2, flags, nullptr, hex_value_function,
                                 nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_create_function_v2(db, "dvt_hash_sum", 1, flags, nullptr, nullptr, hash_sum_step,
                                 hash_sum_final, nullptr) != SQLITE_OK) {
    throw DataError(
        fmt::format("SQLite: cannot register dvt's hash functions: {}", sqlite3_errmsg(db)));
  }
}

}  // namespace dvt::sqlite
