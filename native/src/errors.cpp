#include "errors.hpp"

namespace argus {

const char* kind_name(ErrorKind kind) {
  // The names of docs/schemas/parsed-file.md; tests/native/test_contract.py checks them.
  static const char* const names[kErrorKindCount] = {
      "truncated",   "bad_magic",  "record_too_large", "malformed_record", "unknown_compression",
      "decompression_failed", "bad_crc", "unknown_schema", "unknown_channel", "bad_cdr",
      "bad_json",    "json_too_deep", "bad_log",       "unsupported_encoding"};
  return names[static_cast<int>(kind)];
}

}  // namespace argus
