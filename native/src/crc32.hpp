// CRC-32 (ISO-HDLC, as zlib.crc32): carry-less-multiply folding where the CPU has it, zlib else.
#pragma once

#include <cstddef>
#include <cstdint>

namespace argus {

uint32_t crc32(const uint8_t* data, size_t len, uint32_t crc = 0);
uint32_t crc32_portable(const uint8_t* data, size_t len, uint32_t crc = 0);

}  // namespace argus
