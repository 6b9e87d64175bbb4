// Decoder of JSON log messages with the exact acceptance and error messages of CPython 3.11's
// `json.loads` (C scanner): the reference decodes them with json.loads(data.decode("utf-8")).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace argus {

struct JsonLimits {
  int max_depth = 990;            // containers json.loads can nest before RecursionError
  int64_t max_int_digits = 4300;  // sys.get_int_max_str_digits(); 0 means unlimited
};

struct JsonLog {
  const char* level;  // DEBUG..FATAL, or nullptr for a level outside the table
  std::string node;
  std::string message;
};

// Throws DecodeError worded like argus/.../parsing/_decoders.py:decode_json_log.
JsonLog decode_json_log(const uint8_t* data, size_t len, bool foxglove, const JsonLimits& limits);

}  // namespace argus
