#include "utf8.hpp"

namespace argus {

bool valid_utf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n && p[i] < 0x80) ++i;  // most log text is ASCII
  if (i == n) return true;
  Utf8Stream stream;
  return stream.feed(p + i, n - i) && stream.finish();
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool Utf8Stream::feed(const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n && ok_; ++i) {
    const uint8_t c = p[i];
    if (need_ > 0) {
      if (c < lo_ || c > hi_) {
        ok_ = false;
        break;
      }
      lo_ = 0x80;
      hi_ = 0xBF;
      --need_;
      continue;
    }
    if (c < 0x80) continue;
    if (c < 0xC2 || c > 0xF4) {
      ok_ = false;
    } else if (c < 0xE0) {
      need_ = 1;
    } else if (c < 0xF0) {
      need_ = 2;
      if (c == 0xE0) lo_ = 0xA0;
      if (c == 0xED) hi_ = 0x9F;  // no surrogates
    } else {
      need_ = 3;
      if (c == 0xF0) lo_ = 0x90;
      if (c == 0xF4) hi_ = 0x8F;  // nothing above U+10FFFF
    }
  }
  return ok_;
}

}  // namespace argus
