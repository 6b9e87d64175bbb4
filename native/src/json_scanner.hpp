// A port of CPython 3.11's JSON scanner (Modules/_json.c: scan_once_unicode, scanstring_unicode,
// _parse_object_unicode, _parse_array_unicode, _match_number_unicode) over code points, with
// the same acceptance, error messages and positions. It keeps only what the log decoder needs:
// the kinds of values and the members level/name/msg/message of the top-level object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "json_log.hpp"

namespace argus::json {

struct StopIteration {
  size_t idx;
};
struct JsonDecodeError {
  const char* msg;
  size_t pos;
};
struct PlainError {
  std::string msg;
};

enum class Kind { Null, Bool, Int, Float, Str, Array, Object };

struct Value {
  Kind kind = Kind::Null;
  bool small_int = false;  // int that fits in int64
  int64_t i = 0;
  std::string s;  // UTF-8 (surrogates as 3 bytes) for strings
};

struct Member {
  bool seen = false;
  Value value;
};

class Scanner {
 public:
  Scanner(const std::vector<uint32_t>& s, const JsonLimits& limits)
      : s_(s), len_(s.size()), limits_(limits) {}

  // Parses the value at idx; fills `top` (level, name, msg, message) for a top-level object.
  void scan_once(size_t idx, size_t* next, int depth, Value* out, Member* top);

 private:
  bool match(size_t idx, const char* word) const;
  void skip_ws(size_t& idx) const;
  void parse_object(size_t idx, size_t* next, int depth, Member* top);
  void parse_array(size_t idx, size_t* next, int depth);
  void scanstring(size_t end, size_t* next_end, std::string* out);
  void match_number(size_t start, size_t* next, Value* out);

  const std::vector<uint32_t>& s_;
  size_t len_;
  const JsonLimits& limits_;
};

}  // namespace argus::json
