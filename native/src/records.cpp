#include "records.hpp"

#include "bytes.hpp"

namespace argus {
namespace {

const char* const kNames[][2] = {
    {nullptr, nullptr},
    {"Header", "HEADER"},
    {"Footer", "FOOTER"},
    {"Schema", "SCHEMA"},
    {"Channel", "CHANNEL"},
    {"Message", "MESSAGE"},
    {"Chunk", "CHUNK"},
    {"MessageIndex", "MESSAGE_INDEX"},
    {"ChunkIndex", "CHUNK_INDEX"},
    {"Attachment", "ATTACHMENT"},
    {"AttachmentIndex", "ATTACHMENT_INDEX"},
    {"Statistics", "STATISTICS"},
    {"Metadata", "METADATA"},
    {"MetadataIndex", "METADATA_INDEX"},
    {"SummaryOffset", "SUMMARY_OFFSET"},
    {"DataEnd", "DATA_END"},
};

}  // namespace

std::string record_name(uint8_t opcode) {
  if (opcode >= 1 && opcode <= 0x0F) return kNames[opcode][0];
  return "Opcode0x" + hex2(opcode);
}

std::string opcode_enum_name(uint8_t opcode) {
  if (opcode >= 1 && opcode <= 0x0F) return kNames[opcode][1];
  return "unknown (opcode " + dec(uint64_t{opcode}) + ")";
}

}  // namespace argus
