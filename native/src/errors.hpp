// Errors that stop reading (Fatal) and the ParseError records the summary keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace argus {

// The closed set of error kinds: ErrorKind of src/argus/domain/parsed_file.py, same order.
enum class ErrorKind : uint8_t {
  Truncated,
  BadMagic,
  RecordTooLarge,
  MalformedRecord,
  UnknownCompression,
  DecompressionFailed,
  BadCrc,
  UnknownSchema,
  UnknownChannel,
  BadCdr,
  BadJson,
  JsonTooDeep,
  BadLog,
  UnsupportedEncoding,
};
inline constexpr int kErrorKindCount = 14;

// The kind's name in the summary, e.g. "bad_crc".
const char* kind_name(ErrorKind kind);

struct ParseError {
  ErrorKind kind;
  std::string message;  // for people; engines word it freely
  std::optional<uint64_t> offset;
  std::optional<std::string> record;
};

// Reading cannot go on (kind, message, offset, record), like `Fatal` of the Python reference.
struct Fatal : std::exception {
  ParseError error;
  Fatal(ErrorKind kind, std::string message, std::optional<uint64_t> offset,
        std::optional<std::string> record)
      : error{kind, std::move(message), offset, std::move(record)} {}
  const char* what() const noexcept override { return error.message.c_str(); }
};

// A record's bytes are invalid; the reader adds the record's offset and name.
struct RecordCorrupt : std::exception {
  ErrorKind kind;
  std::string message;
  explicit RecordCorrupt(std::string m, ErrorKind k = ErrorKind::MalformedRecord)
      : kind(k), message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
};

// The data ended inside a record; the reader adds the offset, name and file size.
struct RecordTruncated : std::exception {
  const char* what() const noexcept override { return "truncated"; }
};

// A message payload does not match its type (a non-fatal error of the given kind).
struct DecodeError : std::exception {
  ErrorKind kind;
  std::string message;
  explicit DecodeError(std::string m, ErrorKind k = ErrorKind::BadCdr)
      : kind(k), message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
};

}  // namespace argus
