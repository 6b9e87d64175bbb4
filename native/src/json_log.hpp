// Decoder of JSON log messages by the rules of docs/schemas/parsed-file.md: strict UTF-8,
// RFC 8259 JSON, at most kMaxJsonDepth nested containers (checked first, by a bracket scan),
// escaped lone surrogates replaced with U+FFFD.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace argus {

struct JsonLog {
  const char* level;  // DEBUG..FATAL, or nullptr for a level outside the table
  std::string node;
  std::string message;
};

// Throws DecodeError of kind BadJson, JsonTooDeep or BadLog.
JsonLog decode_json_log(const uint8_t* data, size_t len, bool foxglove);

// The spec's depth scan: true when brackets outside strings nest deeper than `limit`.
bool json_depth_exceeds(const uint8_t* data, size_t len, int limit);

}  // namespace argus
