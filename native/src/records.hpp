// MCAP opcodes and the record names the reference parser reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace argus {

enum Opcode : uint8_t {
  kOpHeader = 0x01,
  kOpFooter = 0x02,
  kOpSchema = 0x03,
  kOpChannel = 0x04,
  kOpMessage = 0x05,
  kOpChunk = 0x06,
  kOpMessageIndex = 0x07,
  kOpChunkIndex = 0x08,
  kOpAttachment = 0x09,
  kOpAttachmentIndex = 0x0A,
  kOpStatistics = 0x0B,
  kOpMetadata = 0x0C,
  kOpMetadataIndex = 0x0D,
  kOpSummaryOffset = 0x0E,
  kOpDataEnd = 0x0F,
};

// "ChunkIndex" for known opcodes, "Opcode0x42" otherwise (argus _record_name).
std::string record_name(uint8_t opcode);
// "CHUNK_INDEX" for known opcodes, "unknown (opcode 66)" otherwise (mcap's exception text).
std::string opcode_enum_name(uint8_t opcode);
inline std::optional<std::string> record_name(std::optional<uint8_t> opcode) {
  if (!opcode) return std::nullopt;
  return record_name(*opcode);
}

}  // namespace argus
