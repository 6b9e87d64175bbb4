// Builds MCAP files byte by byte for tests, including invalid ones.
#pragma once

#include <lz4frame.h>
#include <zstd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crc32.hpp"

namespace argus::testing {

using Bytes = std::vector<uint8_t>;

inline void put(Bytes& b, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void put_str(Bytes& b, const std::string& s) {
  put(b, s.size(), 4);
  b.insert(b.end(), s.begin(), s.end());
}
inline Bytes record(uint8_t op, const Bytes& body, uint64_t length_override = UINT64_MAX) {
  Bytes r = {op};
  put(r, length_override == UINT64_MAX ? body.size() : length_override, 8);
  r.insert(r.end(), body.begin(), body.end());
  return r;
}
inline Bytes magic() { return {0x89, 'M', 'C', 'A', 'P', '0', '\r', '\n'}; }
inline Bytes header() {
  Bytes b;
  put_str(b, "ros2");
  put_str(b, "test");
  return record(0x01, b);
}
inline Bytes schema(uint16_t id, const std::string& name) {
  Bytes b;
  put(b, id, 2);
  put_str(b, name);
  put_str(b, "ros2msg");
  put(b, 0, 4);
  return record(0x03, b);
}
inline Bytes channel(uint16_t id, uint16_t schema_id, const std::string& topic,
                     const std::string& encoding = "cdr") {
  Bytes b;
  put(b, id, 2);
  put(b, schema_id, 2);
  put_str(b, topic);
  put_str(b, encoding);
  put(b, 0, 4);
  return record(0x04, b);
}
inline Bytes message(uint16_t channel_id, uint64_t log_time, const Bytes& data) {
  Bytes b;
  put(b, channel_id, 2);
  put(b, 0, 4);
  put(b, log_time, 8);
  put(b, log_time, 8);
  b.insert(b.end(), data.begin(), data.end());
  return record(0x05, b);
}
inline Bytes footer() {
  Bytes b;
  put(b, 0, 8);
  put(b, 0, 8);
  put(b, 0, 4);
  return record(0x02, b);
}

struct ChunkSpec {
  std::string compression = "";  // "", "zstd", "lz4"
  int64_t size_delta = 0;         // added to the declared uncompressed size
  bool bad_crc = false;
  bool zero_crc = false;
  Bytes compressed_override;      // replaces the compressed data when not empty
  bool has_compressed_override = false;
};

inline Bytes compress(const Bytes& raw, const std::string& compression) {
  if (compression == "zstd") {
    Bytes out(ZSTD_compressBound(raw.size()));
    out.resize(ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3));
    return out;
  }
  if (compression == "lz4") {
    LZ4F_preferences_t prefs{};
    prefs.frameInfo.contentSize = raw.size();
    Bytes out(LZ4F_compressFrameBound(raw.size(), &prefs));
    out.resize(LZ4F_compressFrame(out.data(), out.size(), raw.data(), raw.size(), &prefs));
    return out;
  }
  return raw;
}

inline Bytes chunk(const Bytes& records, const ChunkSpec& spec = {}) {
  const Bytes data = spec.has_compressed_override ? spec.compressed_override
                                                  : compress(records, spec.compression);
  uint32_t crc = argus::crc32(records.data(), records.size());
  if (spec.bad_crc) crc ^= 1;
  if (spec.zero_crc) crc = 0;
  Bytes b;
  put(b, 0, 8);
  put(b, 0, 8);
  put(b, static_cast<uint64_t>(static_cast<int64_t>(records.size()) + spec.size_delta), 8);
  put(b, crc, 4);
  put_str(b, spec.compression);
  put(b, data.size(), 8);
  b.insert(b.end(), data.begin(), data.end());
  return record(0x06, b);
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace argus::testing
