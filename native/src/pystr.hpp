// Text helpers that behave exactly like CPython's: strict UTF-8 decoding with the same error
// positions and reasons, and the repr() of bytes and str used in the reference's messages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace argus {

// An invalid UTF-8 sequence as CPython reports it: bytes [start, end) and the reason.
struct Utf8Error {
  size_t start;
  size_t end;
  const char* reason;  // "invalid start byte" | "invalid continuation byte" | "unexpected end of data"
};

// First error of `bytes.decode("utf-8")` (strict), or nullopt when the bytes are valid.
std::optional<Utf8Error> check_utf8(const uint8_t* p, size_t n);

// str(UnicodeDecodeError) and repr(UnicodeDecodeError) for that error over the whole object.
std::string utf8_error_str(const uint8_t* p, size_t n, const Utf8Error& e);
std::string utf8_error_repr(const uint8_t* p, size_t n, const Utf8Error& e);

// repr(bytes) and repr(str) (the latter exact for ASCII; see the .cpp for other characters).
std::string bytes_repr(const uint8_t* p, size_t n);
std::string str_repr(const std::string& utf8);
std::string bytes_hex(const uint8_t* p, size_t n);

// Valid UTF-8 to code points, and code points back to UTF-8 (surrogates encoded as 3 bytes,
// which Python reads back with the "surrogatepass" error handler).
void utf8_to_code_points(const uint8_t* p, size_t n, std::vector<uint32_t>& out);
void append_code_point(std::string& out, uint32_t cp);

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
