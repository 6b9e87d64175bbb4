#include "json_scanner.hpp"

#include "bytes.hpp"
#include "pystr.hpp"

namespace argus::json {
namespace {

constexpr int kNativeDepthCap = 10000;  // keeps the C++ stack bounded whatever Python allows

inline bool is_ws(uint32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool is_digit(uint32_t c) { return c >= '0' && c <= '9'; }
inline int hex_value(uint32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

void constant(size_t idx, size_t n, size_t* next, Value* out, Kind kind) {
  if (out) out->kind = kind;
  *next = idx + n;
}

// Members 0..3 of `top` are level, name, msg, message.
Member* find(Member* top, const std::string& key) {
  if (key == "level") return &top[0];
  if (key == "name") return &top[1];
  if (key == "msg") return &top[2];
  if (key == "message") return &top[3];
  return nullptr;
}

}  // namespace

void Scanner::scan_once(size_t idx, size_t* next, int depth, Value* out, Member* top) {
  if (idx >= len_) throw StopIteration{idx};
  const uint32_t c = s_[idx];
  switch (c) {
    case '"': {
      std::string* text = nullptr;
      if (out) {
        out->kind = Kind::Str;
        text = &out->s;
      }
      scanstring(idx + 1, next, text);
      return;
    }
    case '{':
    case '[': {
      if (depth + 1 > limits_.max_depth || depth + 1 > kNativeDepthCap) {
        throw PlainError{std::string("maximum recursion depth exceeded while decoding a JSON ") +
                         (c == '{' ? "object" : "array") + " from a unicode string"};
      }
      if (out) out->kind = c == '{' ? Kind::Object : Kind::Array;
      if (c == '{') {
        parse_object(idx + 1, next, depth + 1, top);
      } else {
        parse_array(idx + 1, next, depth + 1);
      }
      return;
    }
    case 'n':
      if (match(idx, "null")) return constant(idx, 4, next, out, Kind::Null);
      break;
    case 't':
      if (match(idx, "true")) return constant(idx, 4, next, out, Kind::Bool);
      break;
    case 'f':
      if (match(idx, "false")) return constant(idx, 5, next, out, Kind::Bool);
      break;
    case 'N':
      if (match(idx, "NaN")) return constant(idx, 3, next, out, Kind::Float);
      break;
    case 'I':
      if (match(idx, "Infinity")) return constant(idx, 8, next, out, Kind::Float);
      break;
    case '-':
      if (match(idx, "-Infinity")) return constant(idx, 9, next, out, Kind::Float);
      break;
    default:
      break;
  }
  match_number(idx, next, out);
}

// The constant checks of _json.c require a character after the word's last one to exist
// only in the sense `idx + n - 1 < length`, i.e. the whole word is present.
bool Scanner::match(size_t idx, const char* word) const {
  size_t n = 0;
  while (word[n]) ++n;
  if (!(idx + n - 1 < len_)) return false;
  for (size_t k = 1; k < n; ++k) {
    if (s_[idx + k] != static_cast<uint8_t>(word[k])) return false;
  }
  return true;
}


void Scanner::skip_ws(size_t& idx) const {
  while (idx < len_ && is_ws(s_[idx])) ++idx;
}

void Scanner::parse_object(size_t idx, size_t* next, int depth, Member* top) {
  skip_ws(idx);
  if (idx >= len_ || s_[idx] != '}') {
    std::string key;
    while (true) {
      if (idx >= len_ || s_[idx] != '"') {
        throw JsonDecodeError{"Expecting property name enclosed in double quotes", idx};
      }
      size_t after = 0;
      key.clear();
      scanstring(idx + 1, &after, top ? &key : nullptr);
      idx = after;
      skip_ws(idx);
      if (idx >= len_ || s_[idx] != ':') throw JsonDecodeError{"Expecting ':' delimiter", idx};
      ++idx;
      skip_ws(idx);
      Member* slot = top ? find(top, key) : nullptr;
      Value scratch;
      scan_once(idx, &after, depth, slot ? &scratch : nullptr, nullptr);
      if (slot) {
        slot->seen = true;  // a repeated key: the last one wins, as with dict()
        slot->value = std::move(scratch);
      }
      idx = after;
      skip_ws(idx);
      if (idx < len_ && s_[idx] == '}') break;
      if (idx >= len_ || s_[idx] != ',') throw JsonDecodeError{"Expecting ',' delimiter", idx};
      ++idx;
      skip_ws(idx);
    }
  }
  *next = idx + 1;
}

void Scanner::parse_array(size_t idx, size_t* next, int depth) {
  skip_ws(idx);
  if (idx >= len_ || s_[idx] != ']') {
    while (true) {
      size_t after = 0;
      scan_once(idx, &after, depth, nullptr, nullptr);
      idx = after;
      skip_ws(idx);
      if (idx < len_ && s_[idx] == ']') break;
      if (idx >= len_ || s_[idx] != ',') throw JsonDecodeError{"Expecting ',' delimiter", idx};
      ++idx;
      skip_ws(idx);
    }
  }
  *next = idx + 1;
}

// Members 0..3 of `top` are level, name, msg, message.

void Scanner::scanstring(size_t end, size_t* next_end, std::string* out) {
  const size_t begin = end - 1;
  while (true) {
    uint32_t c = 0;
    size_t next = end;
    for (; next < len_; ++next) {
      c = s_[next];
      if (c == '"' || c == '\\') break;
      if (c <= 0x1F) throw JsonDecodeError{"Invalid control character at", next};
    }
    if (!(c == '"' || c == '\\')) throw JsonDecodeError{"Unterminated string starting at", begin};
    if (out) {
      for (size_t k = end; k < next; ++k) append_code_point(*out, s_[k]);
    }
    ++next;
    if (c == '"') {
      end = next;
      break;
    }
    if (next == len_) throw JsonDecodeError{"Unterminated string starting at", begin};
    c = s_[next];
    if (c != 'u') {
      end = next + 1;
      switch (c) {
        case '"': case '\\': case '/': break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        default: c = 0;
      }
      if (c == 0) throw JsonDecodeError{"Invalid \\escape", end - 2};
    } else {
      c = 0;
      ++next;
      end = next + 4;
      if (end >= len_) throw JsonDecodeError{"Invalid \\uXXXX escape", next - 1};
      for (; next < end; ++next) {
        const int digit = hex_value(s_[next]);
        if (digit < 0) throw JsonDecodeError{"Invalid \\uXXXX escape", end - 5};
        c = (c << 4) | static_cast<uint32_t>(digit);
      }
      if (c >= 0xD800 && c <= 0xDBFF && end + 6 < len_ && s_[next] == '\\' &&
          s_[next + 1] == 'u') {
        next += 2;
        uint32_t c2 = 0;
        end += 6;
        for (; next < end; ++next) {
          const int digit = hex_value(s_[next]);
          if (digit < 0) throw JsonDecodeError{"Invalid \\uXXXX escape", end - 5};
          c2 = (c2 << 4) | static_cast<uint32_t>(digit);
        }
        if (c2 >= 0xDC00 && c2 <= 0xDFFF) {
          c = 0x10000 + (((c - 0xD800) << 10) | (c2 - 0xDC00));
        } else {
          end -= 6;
        }
      }
    }
    if (out) append_code_point(*out, c);
  }
  *next_end = end;
}

void Scanner::match_number(size_t start, size_t* next, Value* out) {
  size_t idx = start;
  const size_t end_idx = len_ - 1;  // len_ > 0 here: scan_once checked idx < len_
  if (s_[idx] == '-') {
    ++idx;
    if (idx > end_idx) throw StopIteration{start};
  }
  if (s_[idx] >= '1' && s_[idx] <= '9') {
    ++idx;
    while (idx <= end_idx && is_digit(s_[idx])) ++idx;
  } else if (s_[idx] == '0') {
    ++idx;
  } else {
    throw StopIteration{start};
  }
  bool is_float = false;
  if (idx < end_idx && s_[idx] == '.' && is_digit(s_[idx + 1])) {
    is_float = true;
    idx += 2;
    while (idx <= end_idx && is_digit(s_[idx])) ++idx;
  }
  if (idx < end_idx && (s_[idx] == 'e' || s_[idx] == 'E')) {
    const size_t e_start = idx;
    ++idx;
    if (idx < end_idx && (s_[idx] == '-' || s_[idx] == '+')) ++idx;
    while (idx <= end_idx && is_digit(s_[idx])) ++idx;
    if (is_digit(s_[idx - 1])) {
      is_float = true;
    } else {
      idx = e_start;
    }
  }
  *next = idx;
  if (is_float) {
    if (out) out->kind = Kind::Float;
    return;
  }
  const size_t first = s_[start] == '-' ? start + 1 : start;
  const uint64_t digits = idx - first;
  if (limits_.max_int_digits > 0 && digits > 640 &&
      digits > static_cast<uint64_t>(limits_.max_int_digits)) {
    throw PlainError{"Exceeds the limit (" + dec(limits_.max_int_digits) +
                     " digits) for integer string conversion: value has " + dec(digits) +
                     " digits; use sys.set_int_max_str_digits() to increase the limit"};
  }
  if (out) {
    out->kind = Kind::Int;
    out->small_int = digits <= 18;
    if (out->small_int) {
      int64_t v = 0;
      for (size_t k = first; k < idx; ++k) v = v * 10 + static_cast<int64_t>(s_[k] - '0');
      out->i = first != start ? -v : v;
    }
  }
}

}  // namespace argus::json
