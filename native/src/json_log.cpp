#include "json_log.hpp"

#include <vector>

#include "bytes.hpp"
#include "errors.hpp"
#include "json_scanner.hpp"
#include "pystr.hpp"

namespace argus {
namespace {

using json::JsonDecodeError;
using json::Kind;
using json::Member;
using json::PlainError;
using json::StopIteration;
using json::Value;

inline bool is_ws(uint32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string position(const std::vector<uint32_t>& doc, const char* msg, size_t pos) {
  uint64_t line = 1;
  size_t last_newline = static_cast<size_t>(-1);
  for (size_t k = 0; k < pos && k < doc.size(); ++k) {
    if (doc[k] == '\n') {
      ++line;
      last_newline = k;
    }
  }
  const uint64_t column = last_newline == static_cast<size_t>(-1) ? pos + 1 : pos - last_newline;
  return std::string(msg) + ": line " + dec(line) + " column " + dec(column) + " (char " +
         dec(uint64_t{pos}) + ")";
}

const char* named_level(const Value& v, bool foxglove) {
  if (v.kind == Kind::Str) {
    for (const char* name : {"DEBUG", "INFO", "WARN", "ERROR", "FATAL"}) {
      if (v.s == name) return name;
    }
    return nullptr;
  }
  if (!v.small_int) return nullptr;
  static const char* const names[] = {"DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
  if (foxglove) return v.i >= 1 && v.i <= 5 ? names[v.i - 1] : nullptr;
  return (v.i % 10 == 0 && v.i >= 10 && v.i <= 50) ? names[v.i / 10 - 1] : nullptr;
}

}  // namespace

JsonLog decode_json_log(const uint8_t* data, size_t len, bool foxglove, const JsonLimits& limits) {
  if (auto err = check_utf8(data, len)) {
    throw DecodeError("not valid JSON: " + utf8_error_str(data, len, *err));
  }
  std::vector<uint32_t> doc;
  utf8_to_code_points(data, len, doc);
  Member top[4];
  Value root;
  try {
    if (!doc.empty() && doc[0] == 0xFEFF) {
      throw JsonDecodeError{"Unexpected UTF-8 BOM (decode using utf-8-sig)", 0};
    }
    json::Scanner scanner(doc, limits);
    size_t idx = 0;
    while (idx < doc.size() && is_ws(doc[idx])) ++idx;
    size_t end = 0;
    try {
      scanner.scan_once(idx, &end, 0, &root, top);
    } catch (const StopIteration& stop) {
      throw JsonDecodeError{"Expecting value", stop.idx};
    }
    while (end < doc.size() && is_ws(doc[end])) ++end;
    if (end != doc.size()) throw JsonDecodeError{"Extra data", end};
  } catch (const JsonDecodeError& e) {
    throw DecodeError("not valid JSON: " + position(doc, e.msg, e.pos));
  } catch (const PlainError& e) {
    throw DecodeError("not valid JSON: " + e.msg);
  }
  if (root.kind != Kind::Object) throw DecodeError("JSON log is not an object");
  const Member& level = top[0];
  JsonLog log{nullptr, {}, {}};
  if (level.seen && level.value.kind == Kind::Str) {
    log.level = named_level(level.value, foxglove);
  } else if (level.seen && level.value.kind == Kind::Int) {
    log.level = named_level(level.value, foxglove);
  } else {
    throw DecodeError("JSON log has no integer or string `level`");
  }
  const Member& name = top[1];
  const Member& message = foxglove ? top[3] : top[2];
  if ((name.seen && name.value.kind != Kind::Str) ||
      (message.seen && message.value.kind != Kind::Str)) {
    throw DecodeError("JSON log `name` and message must be strings");
  }
  if (name.seen) log.node = name.value.s;
  if (message.seen) log.message = message.value.s;
  return log;
}

}  // namespace argus
