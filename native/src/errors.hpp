// Errors that stop reading (Fatal) and the ParseError records the summary keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace argus {

struct ParseError {
  std::string kind;     // truncated | corrupt | decode | unsupported_encoding
  std::string message;  // for people; worded like the reference parser
  std::optional<uint64_t> offset;
  std::optional<std::string> record;
};

// Reading cannot go on: mirrors `Fatal` of the Python reference (kind, message, offset, record).
struct Fatal : std::exception {
  ParseError error;
  Fatal(std::string kind, std::string message, std::optional<uint64_t> offset,
        std::optional<std::string> record)
      : error{std::move(kind), std::move(message), offset, std::move(record)} {}
  const char* what() const noexcept override { return error.message.c_str(); }
};

// A record's bytes are invalid; the reader adds the record's offset and name.
struct RecordCorrupt : std::exception {
  std::string message;
  explicit RecordCorrupt(std::string m) : message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
};

// The data ended inside a record; the reader adds the offset, name and file size.
struct RecordTruncated : std::exception {
  const char* what() const noexcept override { return "truncated"; }
};

// A message payload does not match its type (non-fatal `decode` error).
struct DecodeError : std::exception {
  std::string message;
  explicit DecodeError(std::string m) : message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
};

}  // namespace argus
