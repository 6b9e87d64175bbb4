// Chunk records in two steps: decoding (decompression by the spec's rules, then the size and
// CRC checks), which touches no summary and
// so may run on any thread, and reading the records inside (messages, schemas, channels) into
// the summary, which happens in file order on the reader's thread.
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
[[noreturn]] void chunk_corrupt(ErrorKind kind, const std::string& message, uint64_t offset);

// A chunk's records, decompressed and checked.
struct ChunkBytes {
  const uint8_t* data;
  size_t size;
};

// Decompresses and checks chunks, one at a time, into a buffer it reuses.
class ChunkDecoder {
 public:
  ChunkDecoder();
  ~ChunkDecoder();
  ChunkDecoder(const ChunkDecoder&) = delete;
  ChunkDecoder& operator=(const ChunkDecoder&) = delete;

  // The chunk's records (its own bytes when uncompressed, else this decoder's buffer, valid
  // until the next call); throws Fatal when the chunk is corrupt.
  ChunkBytes decode(const ChunkRecord& chunk);
  size_t buffer_capacity() const { return cap_; }
  // Gives the output buffer back (the next decode allocates what it needs).
  void release() {
    buf_.reset();
    cap_ = 0;
  }

 private:
  size_t decompress_zstd(const ChunkRecord& chunk);
  size_t decompress_lz4(const ChunkRecord& chunk);
  uint8_t* reserve(size_t n);
  uint8_t* grow(size_t used, size_t limit);
  ZSTD_DCtx_s* zstd();  // made on first use
  LZ4F_dctx_s* lz4();

  ZSTD_DCtx_s* zstd_ = nullptr;
  LZ4F_dctx_s* lz4_ = nullptr;
  std::unique_ptr<uint8_t[]> buf_;
  size_t cap_ = 0;
};

// Feeds the records of a decoded chunk to `summary`; throws Fatal at the chunk's `offset`.
void read_chunk_records(ChunkBytes chunk, uint64_t offset, SummaryBuilder& summary);

}  // namespace argus
