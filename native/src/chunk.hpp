// Chunk records in two steps: decoding (decompression by the spec's rules, then the size and
// CRC checks), which touches no summary and
// so may run on any thread, and reading the records inside (messages, schemas, channels) into
// the summary, which happens in file order on the reader's thread.
#pragma once

#include <algorithm>
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

// The size to allocate when a reused buffer is too small for `needed` bytes: an eighth more.
// Chunks of one file differ by a few bytes (a recorder closes a chunk at the first message
// past its target size), so a buffer sized exactly for one chunk was too small for half the
// others and was allocated again: a fresh allocation of that size is a fresh mmap whose pages
// fault in as they are written (perf: 85 % of a threaded lz4 parse's page faults, and 2 threads
// slower than 1 on a 20 MB lz4 log). An eighth covers that spread; above 64 MiB (chunks that
// big are rare, and decoding one dwarfs an allocation) the size stays exact, so no buffer
// exceeds the 1 GiB record bound.
inline size_t with_headroom(size_t needed) {
  constexpr size_t kExactAbove = size_t{64} << 20;
  return needed > kExactAbove ? needed : needed + needed / 8;
}

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
  // Output buffers allocated so far (for tests that count them).
  size_t allocations() const { return allocations_; }
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
  size_t allocations_ = 0;
};

// Feeds the records of a decoded chunk to `summary`; throws Fatal at the chunk's `offset`.
void read_chunk_records(ChunkBytes chunk, uint64_t offset, SummaryBuilder& summary);

}  // namespace argus
