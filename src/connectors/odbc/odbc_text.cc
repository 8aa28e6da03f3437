#include "connectors/odbc/odbc_text.h"

namespace dvt::odbc {

static_assert(sizeof(SQLWCHAR) == 2, "dvt expects unixODBC's 16-bit SQLWCHAR");

bool append_utf8(const SQLWCHAR* text, size_t units, std::string& out) {
  // Three bytes at most for each unit (a surrogate pair, two units, makes four).
  const size_t start = out.size();
  out.resize(start + 3 * units);
  char* at = out.data() + start;
  size_t i = 0;
  while (i < units) {
    uint32_t unit = text[i++];
    if (unit < 0x80) {
      *at++ = static_cast<char>(unit);
      continue;
    }
    uint32_t code = unit;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (i >= units) return false;
      uint32_t low = text[i];
      if (low < 0xDC00 || low > 0xDFFF) return false;
      ++i;
      code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      return false;
    }
    if (code < 0x800) {
      *at++ = static_cast<char>(0xC0 | (code >> 6));
      *at++ = static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      *at++ = static_cast<char>(0xE0 | (code >> 12));
      *at++ = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      *at++ = static_cast<char>(0x80 | (code & 0x3F));
    } else {
      *at++ = static_cast<char>(0xF0 | (code >> 18));
      *at++ = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      *at++ = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      *at++ = static_cast<char>(0x80 | (code & 0x3F));
    }
  }
  out.resize(static_cast<size_t>(at - out.data()));
  return true;
}

size_t to_utf16(std::string_view text, SQLWCHAR* out) {
  size_t written = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    uint32_t lead = bytes[i];
    uint32_t code;
    if (lead < 0x80) {
      code = lead;
      i += 1;
    } else if (lead < 0xE0) {
      code = ((lead & 0x1F) << 6) | (bytes[i + 1] & 0x3F);
      i += 2;
    } else if (lead < 0xF0) {
      code = ((lead & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F);
      i += 3;
    } else {
      code = ((lead & 0x07) << 18) | ((bytes[i + 1] & 0x3F) << 12) | ((bytes[i + 2] & 0x3F) << 6) |
             (bytes[i + 3] & 0x3F);
      i += 4;
    }
    if (code >= 0x10000) {
      code -= 0x10000;
      out[written++] = static_cast<SQLWCHAR>(0xD800 + (code >> 10));
      out[written++] = static_cast<SQLWCHAR>(0xDC00 + (code & 0x3FF));
    } else {
      out[written++] = static_cast<SQLWCHAR>(code);
    }
  }
  return written;
}

std::u16string utf16(std::string_view text) {
  std::u16string out(text.size(), u'\0');
  size_t units = to_utf16(text, reinterpret_cast<SQLWCHAR*>(out.data()));
  out.resize(units);
  return out;
}

}  // namespace dvt::odbc
