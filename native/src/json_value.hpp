// A conforming JSON decoder (RFC 8259) for log messages: it keeps the kinds of values and, for
// a top-level object, the members the log decoder reads. Input is valid UTF-8 whose brackets
// nest at most kMaxJsonDepth deep (json_log.cpp checks both first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace argus::json {

enum class Kind { Null, Bool, Int, Float, Str, Array, Object };

struct Value {
  Kind kind = Kind::Null;
  int64_t i = 0;  // Int: the value, or -1 (outside every table) past kMaxJsonIntDigits digits
  std::string s;  // Str
};

// A member of the top-level object: level, name, msg or message.
struct Member {
  bool seen = false;
  Value value;
};

// The document's value; fills top[0..3] (level, name, msg, message) when it is an object.
// Throws DecodeError(BadJson) for invalid JSON, escaped lone surrogates become U+FFFD.
Value decode_document(const uint8_t* p, size_t n, Member top[4]);

}  // namespace argus::json
