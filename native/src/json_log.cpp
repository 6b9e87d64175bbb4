#include "json_log.hpp"

#include "errors.hpp"
#include "json_value.hpp"
#include "limits.hpp"
#include "utf8.hpp"

namespace argus {
namespace {

using json::Kind;
using json::Member;
using json::Value;

const char* const kLevelNames[5] = {"DEBUG", "INFO", "WARN", "ERROR", "FATAL"};

const char* named_level(const Value& v, bool foxglove) {
  if (v.kind == Kind::Str) {
    for (const char* name : kLevelNames) {
      if (v.s == name) return name;
    }
    return nullptr;
  }
  if (foxglove) return v.i >= 1 && v.i <= 5 ? kLevelNames[v.i - 1] : nullptr;
  return (v.i % 10 == 0 && v.i >= 10 && v.i <= 50) ? kLevelNames[v.i / 10 - 1] : nullptr;
}

}  // namespace

bool json_depth_exceeds(const uint8_t* data, size_t len, int limit) {
  int64_t depth = 0;
  bool in_string = false;
  for (size_t k = 0; k < len; ++k) {
    const uint8_t c = data[k];
    if (in_string) {
      if (c == '\\') {
        ++k;  // the escaped byte cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

JsonLog decode_json_log(const uint8_t* data, size_t len, bool foxglove) {
  if (!valid_utf8(data, len)) throw DecodeError("not UTF-8", ErrorKind::BadJson);
  if (json_depth_exceeds(data, len, kMaxJsonDepth)) {
    throw DecodeError("JSON nests deeper than " + std::to_string(kMaxJsonDepth),
                      ErrorKind::JsonTooDeep);
  }
  Member top[4];
  const Value root = json::decode_document(data, len, top);
  if (root.kind != Kind::Object) throw DecodeError("JSON log is not an object", ErrorKind::BadLog);
  const Member& level = top[0];
  if (!level.seen || (level.value.kind != Kind::Str && level.value.kind != Kind::Int)) {
    throw DecodeError("JSON log has no integer or string `level`", ErrorKind::BadLog);
  }
  const Member& name = top[1];
  const Member& message = foxglove ? top[3] : top[2];
  if ((name.seen && name.value.kind != Kind::Str) ||
      (message.seen && message.value.kind != Kind::Str)) {
    throw DecodeError("JSON log `name` and message must be strings", ErrorKind::BadLog);
  }
  JsonLog log{named_level(level.value, foxglove), {}, {}};
  if (name.seen) log.node = name.value.s;
  if (message.seen) log.message = message.value.s;
  return log;
}

}  // namespace argus
