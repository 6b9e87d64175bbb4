// Little-endian loads and decimal formatting shared by the reader and the decoders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace argus {

inline uint16_t load_u16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;  // x86-64 and aarch64 builds are little endian; CMake refuses big-endian hosts.
}

inline uint64_t load_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint32_t load_u32_be(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

inline std::string dec(uint64_t v) { return std::to_string(v); }
inline std::string dec(int64_t v) { return std::to_string(v); }

inline std::string hex2(unsigned v) {
  static const char digits[] = "0123456789abcdef";
  std::string out(2, '0');
  out[0] = digits[(v >> 4) & 0xF];
  out[1] = digits[v & 0xF];
  return out;
}

}  // namespace argus
