// Chunk records: decompression with the same outcomes as the reference's zstandard/lz4 calls,
// the CRC check, and the records inside (messages, schemas, channels).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "summary.hpp"

struct ZSTD_DCtx_s;
struct LZ4F_dctx_s;

namespace argus {

struct ChunkRecord {
  uint64_t uncompressed_size;
  uint32_t uncompressed_crc;
  const std::string* compression;
  const uint8_t* data;
  size_t size;
  uint64_t offset;  // where the Chunk record (or the run of records it ends) starts
};

// Throws Fatal(corrupt) at the Chunk record that starts at `offset`.
[[noreturn]] void chunk_corrupt(const std::string& message, uint64_t offset);

class ChunkReader {
 public:
  ChunkReader();
  ~ChunkReader();
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // Decompresses, checks and feeds the chunk's records to `summary`; throws Fatal.
  void read(const ChunkRecord& chunk, SummaryBuilder& summary);
  size_t buffer_capacity() const { return cap_; }

 private:
  size_t decompress_zstd(const ChunkRecord& chunk);
  size_t decompress_lz4(const ChunkRecord& chunk);
  uint8_t* reserve(size_t n);
  uint8_t* grow(size_t used, size_t limit);
  void records(const uint8_t* data, size_t size, uint64_t offset, SummaryBuilder& summary);

  ZSTD_DCtx_s* zstd_ = nullptr;
  LZ4F_dctx_s* lz4_ = nullptr;
  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_ = 0;
};

}  // namespace argus
