#include "json_value.hpp"

#include "errors.hpp"
#include "limits.hpp"
#include "utf8.hpp"

namespace argus::json {
namespace {

// Recursive descent over validated UTF-8; the depth scan ran first, so recursion is bounded.
class Decoder {
 public:
  Decoder(const uint8_t* p, size_t n) : p_(p), n_(n) {}

  // The top-level value; for an object, fills level, name, msg and message.
  Value document(Member top[4]) {
    ws();
    Value root = value(0, top);
    ws();
    if (pos_ != n_) bad("extra data after the value");
    return root;
  }

 private:
  [[noreturn]] void bad(const char* why) const {
    throw DecodeError(std::string("not valid JSON: ") + why + " at byte " +
                          std::to_string(pos_),
                      ErrorKind::BadJson);
  }
  void ws() {
    while (pos_ < n_ && (p_[pos_] == ' ' || p_[pos_] == '\t' || p_[pos_] == '\n' ||
                         p_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool literal(const char* word) {
    size_t k = 0;
    for (; word[k] != '\0'; ++k) {
      if (pos_ + k >= n_ || p_[pos_ + k] != static_cast<uint8_t>(word[k])) return false;
    }
    pos_ += k;
    return true;
  }

  // After a member or element: true past a ',' (another one follows), false past `close`.
  bool another(uint8_t close) {
    ws();
    if (pos_ < n_ && p_[pos_] == ',') {
      ++pos_;
      ws();
      return true;
    }
    if (pos_ < n_ && p_[pos_] == close) {
      ++pos_;
      return false;
    }
    bad("',' or the container's end expected");
  }

  Value value(int depth, Member* top) {
    if (pos_ >= n_) bad("value expected");
    Value v;
    const uint8_t c = p_[pos_];
    if (c == '{') {
      v.kind = Kind::Object;
      object(depth + 1, top);
    } else if (c == '[') {
      v.kind = Kind::Array;
      array(depth + 1);
    } else if (c == '"') {
      v.kind = Kind::Str;
      string(&v.s);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      number(&v);
    } else if (literal("true") || literal("false")) {
      v.kind = Kind::Bool;
    } else if (literal("null")) {
      v.kind = Kind::Null;
    } else {
      bad("value expected");
    }
    return v;
  }

  void object(int depth, Member* top) {
    if (depth > kMaxJsonDepth) throw DecodeError("JSON nests too deep", ErrorKind::JsonTooDeep);
    ++pos_;  // {
    ws();
    if (pos_ < n_ && p_[pos_] == '}') {
      ++pos_;
      return;
    }
    std::string key;
    while (true) {
      if (pos_ >= n_ || p_[pos_] != '"') bad("member name expected");
      key.clear();
      string(&key);
      ws();
      if (pos_ >= n_ || p_[pos_] != ':') bad("':' expected");
      ++pos_;
      ws();
      Member* slot = nullptr;
      if (top != nullptr) {
        static const char* const wanted[4] = {"level", "name", "msg", "message"};
        for (int k = 0; k < 4; ++k) {
          if (key == wanted[k]) slot = &top[k];
        }
      }
      Value v = value(depth, nullptr);
      if (slot != nullptr) *slot = Member{true, std::move(v)};  // the last duplicate wins
      if (!another('}')) return;
    }
  }

  void array(int depth) {
    if (depth > kMaxJsonDepth) throw DecodeError("JSON nests too deep", ErrorKind::JsonTooDeep);
    ++pos_;  // [
    ws();
    if (pos_ < n_ && p_[pos_] == ']') {
      ++pos_;
      return;
    }
    while (true) {
      value(depth, nullptr);
      if (!another(']')) return;
    }
  }

  size_t digits() {
    const size_t start = pos_;
    while (pos_ < n_ && p_[pos_] >= '0' && p_[pos_] <= '9') ++pos_;
    return pos_ - start;
  }

  void number(Value* v) {
    const bool negative = p_[pos_] == '-';
    if (negative) ++pos_;
    const size_t int_start = pos_;
    const size_t int_digits = digits();
    if (int_digits == 0) bad("digit expected");
    if (int_digits > 1 && p_[int_start] == '0') {
      pos_ = int_start + 1;
      bad("extra data after the value");  // "01" is "0" followed by junk
    }
    bool is_float = false;
    if (pos_ < n_ && p_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) bad("digit expected after '.'");
      is_float = true;
    }
    if (pos_ < n_ && (p_[pos_] == 'e' || p_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < n_ && (p_[pos_] == '+' || p_[pos_] == '-')) ++pos_;
      if (digits() == 0) bad("digit expected in the exponent");
      is_float = true;
    }
    if (is_float) {
      v->kind = Kind::Float;
      return;
    }
    v->kind = Kind::Int;
    if (int_digits > static_cast<size_t>(kMaxJsonIntDigits)) {
      v->i = -1;
      return;
    }
    int64_t x = 0;
    for (size_t k = int_start; k < int_start + int_digits; ++k) x = x * 10 + (p_[k] - '0');
    v->i = negative ? -x : x;
  }

  uint32_t hex4() {
    if (n_ - pos_ < 4) bad("four hex digits expected");
    uint32_t cp = 0;
    for (int k = 0; k < 4; ++k) {
      const uint8_t h = p_[pos_++];
      uint32_t d = 0;
      if (h >= '0' && h <= '9') {
        d = h - '0';
      } else if (h >= 'a' && h <= 'f') {
        d = h - 'a' + 10u;
      } else if (h >= 'A' && h <= 'F') {
        d = h - 'A' + 10u;
      } else {
        bad("four hex digits expected");
      }
      cp = cp * 16 + d;
    }
    return cp;
  }

  void escape(std::string* out) {
    if (pos_ >= n_) bad("unterminated string");
    const uint8_t e = p_[pos_++];
    switch (e) {
      case '"': *out += '"'; return;
      case '\\': *out += '\\'; return;
      case '/': *out += '/'; return;
      case 'b': *out += '\b'; return;
      case 'f': *out += '\f'; return;
      case 'n': *out += '\n'; return;
      case 'r': *out += '\r'; return;
      case 't': *out += '\t'; return;
      case 'u': break;
      default: bad("invalid escape");
    }
    uint32_t cp = hex4();
    if (cp >= 0xD800 && cp <= 0xDBFF && n_ - pos_ >= 6 && p_[pos_] == '\\' &&
        p_[pos_ + 1] == 'u') {
      const size_t save = pos_;
      pos_ += 2;
      const uint32_t low = hex4();
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(*out, 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00));
        return;
      }
      pos_ = save;  // not a pair: the next escape stands alone
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  // a lone surrogate is not text
    append_utf8(*out, cp);
  }

  void string(std::string* out) {
    ++pos_;  // "
    while (true) {
      const size_t run = pos_;
      while (pos_ < n_ && p_[pos_] != '"' && p_[pos_] != '\\' && p_[pos_] >= 0x20) ++pos_;
      out->append(reinterpret_cast<const char*>(p_ + run), pos_ - run);
      if (pos_ >= n_) bad("unterminated string");
      const uint8_t c = p_[pos_++];
      if (c == '"') return;
      if (c != '\\') {
        --pos_;
        bad("control character in string");
      }
      escape(out);
    }
  }

  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
};

}  // namespace

Value decode_document(const uint8_t* p, size_t n, Member top[4]) {
  return Decoder(p, n).document(top);
}

}  // namespace argus::json
