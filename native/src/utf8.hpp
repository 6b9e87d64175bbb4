// Strict UTF-8 (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), the one text
// rule of docs/schemas/parsed-file.md for record strings, CDR strings and JSON logs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace argus {

bool valid_utf8(const uint8_t* p, size_t n);

// Appends a code point (not a surrogate) as UTF-8.
void append_utf8(std::string& out, uint32_t cp);

// Validates UTF-8 arriving in pieces (for long strings skipped without buffering).
class Utf8Stream {
 public:
  bool feed(const uint8_t* p, size_t n);  // false once the bytes seen so far are invalid
  bool finish() const { return ok_ && need_ == 0; }

 private:
  bool ok_ = true;
  int need_ = 0;       // continuation bytes still expected
  uint8_t lo_ = 0x80;  // bounds of the next continuation byte
  uint8_t hi_ = 0xBF;
};

}  // namespace argus
