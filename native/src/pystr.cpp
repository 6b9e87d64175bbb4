#include "pystr.hpp"

#include <cstring>

#include "bytes.hpp"

namespace argus {
namespace {

inline bool cont(uint8_t c) { return c >= 0x80 && c <= 0xBF; }

// Mirrors the state machine of CPython's stringlib utf8_decode (codecs.h): the outcome for a
// lead byte at s, with `left` bytes available from s. Returns 0 when the sequence is complete
// (and sets *len), or an error kind: 1 invalid start, 2/3/4 invalid continuation after
// 1/2/3 bytes, 5 unexpected end of data.
int classify(const uint8_t* s, size_t left, size_t* len) {
  const uint8_t ch = s[0];
  if (ch < 0x80) {
    *len = 1;
    return 0;
  }
  if (ch < 0xE0) {
    if (ch < 0xC2) return 1;
    if (left < 2) return 5;
    if (!cont(s[1])) return 2;
    *len = 2;
    return 0;
  }
  if (ch < 0xF0) {
    if (left < 3) {
      if (left < 2) return 5;
      const uint8_t ch2 = s[1];
      if (!cont(ch2) || (ch2 < 0xA0 ? ch == 0xE0 : ch == 0xED)) return 2;
      return 5;
    }
    const uint8_t ch2 = s[1];
    if (!cont(ch2)) return 2;
    if (ch == 0xE0 && ch2 < 0xA0) return 2;
    if (ch == 0xED && ch2 >= 0xA0) return 2;
    if (!cont(s[2])) return 3;
    *len = 3;
    return 0;
  }
  if (ch < 0xF5) {
    if (left < 4) {
      if (left < 2) return 5;
      const uint8_t ch2 = s[1];
      if (!cont(ch2) || (ch2 < 0x90 ? ch == 0xF0 : ch == 0xF4)) return 2;
      if (left < 3) return 5;
      if (!cont(s[2])) return 3;
      return 5;
    }
    const uint8_t ch2 = s[1];
    if (!cont(ch2)) return 2;
    if (ch == 0xF0 && ch2 < 0x90) return 2;
    if (ch == 0xF4 && ch2 >= 0x90) return 2;
    if (!cont(s[2])) return 3;
    if (!cont(s[3])) return 4;
    *len = 4;
    return 0;
  }
  return 1;
}

void append_escaped_byte(std::string& out, uint8_t c, char quote) {
  if (c == static_cast<uint8_t>(quote) || c == '\\') {
    out += '\\';
    out += static_cast<char>(c);
  } else if (c == '\t') {
    out += "\\t";
  } else if (c == '\n') {
    out += "\\n";
  } else if (c == '\r') {
    out += "\\r";
  } else if (c < ' ' || c >= 0x7F) {
    out += "\\x";
    out += hex2(c);
  } else {
    out += static_cast<char>(c);
  }
}

char choose_quote(bool has_single, bool has_double) {
  return (has_single && !has_double) ? '"' : '\'';
}

}  // namespace

std::optional<Utf8Error> check_utf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    // ASCII runs dominate real text: test eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    switch (classify(p + i, n - i, &len)) {
      case 0:
        i += len;
        continue;
      case 1:
        return Utf8Error{i, i + 1, "invalid start byte"};
      case 2:
        return Utf8Error{i, i + 1, "invalid continuation byte"};
      case 3:
        return Utf8Error{i, i + 2, "invalid continuation byte"};
      case 4:
        return Utf8Error{i, i + 3, "invalid continuation byte"};
      default:
        return Utf8Error{i, n, "unexpected end of data"};
    }
  }
  return std::nullopt;
}

std::string utf8_error_str(const uint8_t* p, size_t n, const Utf8Error& e) {
  if (e.start < n && e.end == e.start + 1) {
    return "'utf-8' codec can't decode byte 0x" + hex2(p[e.start]) + " in position " +
           dec(uint64_t{e.start}) + ": " + e.reason;
  }
  return "'utf-8' codec can't decode bytes in position " + dec(uint64_t{e.start}) + "-" +
         dec(uint64_t{e.end - 1}) + ": " + e.reason;
}

std::string utf8_error_repr(const uint8_t* p, size_t n, const Utf8Error& e) {
  return "UnicodeDecodeError('utf-8', " + bytes_repr(p, n) + ", " + dec(uint64_t{e.start}) +
         ", " + dec(uint64_t{e.end}) + ", '" + e.reason + "')";
}

std::string bytes_repr(const uint8_t* p, size_t n) {
  const bool has_single = std::memchr(p, '\'', n) != nullptr;
  const bool has_double = std::memchr(p, '"', n) != nullptr;
  const char quote = choose_quote(has_single, has_double);
  std::string out = "b";
  out += quote;
  for (size_t i = 0; i < n; ++i) append_escaped_byte(out, p[i], quote);
  out += quote;
  return out;
}

// CPython keeps printable non-ASCII characters and escapes the rest, using its Unicode
// database. Without it, Latin-1 controls, NBSP, soft hyphen, zero-width and format characters,
// line/paragraph separators, surrogates and private use are escaped; everything else is kept.
static bool approx_printable(uint32_t cp) {
  if (cp < 0xA0) return false;
  if (cp == 0xA0 || cp == 0xAD || cp == 0x1680) return false;
  if (cp >= 0x2000 && cp <= 0x200F) return false;
  if (cp >= 0x2028 && cp <= 0x202F) return false;
  if (cp >= 0x205F && cp <= 0x206F) return false;
  if (cp == 0x3000 || cp == 0xFEFF) return false;
  if (cp >= 0xD800 && cp <= 0xF8FF) return false;
  if (cp >= 0xFFF9 && cp <= 0xFFFB) return false;
  if (cp >= 0xF0000) return false;
  return true;
}

std::string str_repr(const std::string& utf8) {
  std::vector<uint32_t> cps;
  utf8_to_code_points(reinterpret_cast<const uint8_t*>(utf8.data()), utf8.size(), cps);
  bool has_single = false, has_double = false;
  for (uint32_t c : cps) {
    has_single |= c == '\'';
    has_double |= c == '"';
  }
  const char quote = choose_quote(has_single, has_double);
  std::string out(1, quote);
  static const char digits[] = "0123456789abcdef";
  for (uint32_t c : cps) {
    if (c < 0x80) {
      append_escaped_byte(out, static_cast<uint8_t>(c), quote);
    } else if (approx_printable(c)) {
      append_code_point(out, c);
    } else {
      const int width = c <= 0xFF ? 2 : (c <= 0xFFFF ? 4 : 8);
      out += width == 2 ? "\\x" : (width == 4 ? "\\u" : "\\U");
      for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) out += digits[(c >> shift) & 0xF];
    }
  }
  out += quote;
  return out;
}

std::string bytes_hex(const uint8_t* p, size_t n) {
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) out += hex2(p[i]);
  return out;
}

void utf8_to_code_points(const uint8_t* p, size_t n, std::vector<uint32_t>& out) {
  out.clear();
  out.reserve(n);
  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    if (c < 0x80) {
      out.push_back(c);
      i += 1;
    } else if (c < 0xE0 && i + 1 < n) {
      out.push_back(((c & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu));
      i += 2;
    } else if (c < 0xF0 && i + 2 < n) {
      out.push_back(((c & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu));
      i += 3;
    } else if (i + 3 < n) {
      out.push_back(((c & 0x07u) << 18) | ((p[i + 1] & 0x3Fu) << 12) |
                    ((p[i + 2] & 0x3Fu) << 6) | (p[i + 3] & 0x3Fu));
      i += 4;
    } else {
      out.push_back(0xFFFD);  // unreachable for validated input; keeps the loop total
      i += 1;
    }
  }
}

void append_code_point(std::string& out, uint32_t cp) {
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
      if (c == 0xED) hi_ = 0x9F;
    } else {
      need_ = 3;
      if (c == 0xF0) lo_ = 0x90;
      if (c == 0xF4) hi_ = 0x8F;
    }
  }
  return ok_;
}

}  // namespace argus
