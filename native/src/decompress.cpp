// Chunk decompression by the rules of docs/schemas/parsed-file.md (*Chunks*), in bounded memory.
#include <lz4frame.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>

#include "bytes.hpp"
#include "chunk.hpp"

namespace argus {
namespace {

constexpr size_t kLz4Scratch = 64 * 1024;

[[noreturn]] void undecompressable(const std::string& why, uint64_t offset) {
  chunk_corrupt(ErrorKind::DecompressionFailed, "chunk does not decompress: " + why, offset);
}

// The first output buffer for a chunk: the whole output when it is plausibly that large,
// else a start that grows with the output, so a small chunk claiming a huge size costs nothing.
size_t first_capacity(size_t limit, size_t compressed) {
  const size_t plausible =
      std::max<size_t>(1u << 20, compressed > (SIZE_MAX >> 6) ? SIZE_MAX : compressed * 32);
  return std::min(limit, plausible);
}

}  // namespace

uint8_t* ChunkDecoder::reserve(size_t n) {
  // Sized by the chunk at hand; a buffer left oversized by one huge chunk is given back.
  if (n > cap_ || (cap_ > (64u << 20) && n < cap_ / 4)) {
    const size_t wanted = n > cap_ ? with_headroom(n) : n;
    buf_.reset();
    cap_ = 0;
    buf_.reset(new uint8_t[wanted ? wanted : 1]);
    cap_ = wanted ? wanted : 1;
    ++allocations_;
  }
  return buf_.get();
}

// Doubles the output buffer (keeping its first `used` bytes), never beyond `limit`.
uint8_t* ChunkDecoder::grow(size_t used, size_t limit) {
  const size_t n = std::min(limit, std::max<size_t>(2 * cap_, 64 * 1024));
  if (n > cap_) {
    std::unique_ptr<uint8_t[]> bigger(new uint8_t[n]);
    if (used) std::memcpy(bigger.get(), buf_.get(), used);
    buf_ = std::move(bigger);
    cap_ = n;
    ++allocations_;
  }
  return buf_.get();
}

// zstd: the first frame is decoded and bytes after it are ignored. A frame that declares its
// content size must produce exactly that many bytes; an undeclared one may produce at most
// uncompressed_size bytes.
size_t ChunkDecoder::decompress_zstd(const ChunkRecord& chunk) {
  const uint64_t usize = chunk.uncompressed_size;
  unsigned long long declared = ZSTD_getFrameContentSize(chunk.data, chunk.size);
  if (declared == ZSTD_CONTENTSIZE_ERROR) {
    undecompressable("bad zstd frame header", chunk.offset);
  }
  if (chunk.size >= 8 && (load_u32(chunk.data) & 0xFFFFFFF0u) == 0x184D2A50u) {
    // A skippable frame declares its payload size as its content size and produces nothing,
    // so only an empty one is a valid (empty) chunk.
    declared = load_u32(chunk.data + 4);
  }
  if (declared == 0) {
    reserve(0);
    return 0;
  }
  size_t capacity = 0;
  bool known = declared != ZSTD_CONTENTSIZE_UNKNOWN;
  if (!known) {
    if (usize == 0) undecompressable("zstd frame without content size in an empty chunk", chunk.offset);
    capacity = static_cast<size_t>(usize);
  } else {
    if (declared > static_cast<unsigned long long>(std::numeric_limits<int64_t>::max())) {
      undecompressable("zstd frame declares an impossible size", chunk.offset);
    }
    if (declared > usize) {
      // A bomb is refused before anything is inflated.
      chunk_corrupt(ErrorKind::DecompressionFailed,
                    "chunk decompresses to " + dec(uint64_t{declared}) + " bytes, not " + dec(usize),
                    chunk.offset);
    }
    capacity = static_cast<size_t>(declared);
  }
  ZSTD_DCtx_reset(zstd(), ZSTD_reset_session_only);
  // Output into at most `capacity` bytes, over a growing buffer: memory only for real output.
  ZSTD_outBuffer out{reserve(first_capacity(capacity, chunk.size)), 0, 0};
  out.size = std::min(cap_, capacity);
  ZSTD_inBuffer in{chunk.data, chunk.size, 0};
  size_t r = 0;
  while (true) {
    r = ZSTD_decompressStream(zstd_, &out, &in);
    if (ZSTD_isError(r)) {
      undecompressable(std::string("zstd: ") + ZSTD_getErrorName(r), chunk.offset);
    }
    if (r == 0 || out.pos < out.size || out.size == capacity) break;
    out.dst = grow(out.pos, capacity);
    out.size = std::min(cap_, capacity);
  }
  if (r != 0) undecompressable("the zstd frame does not end within the size", chunk.offset);
  if (known && out.pos != declared) {
    undecompressable("the zstd frame gives " + dec(uint64_t{out.pos}) + " bytes, not the " +
                         dec(uint64_t{declared}) + " it declares",
                     chunk.offset);
  }
  return out.pos;
}

// lz4: one LZ4 frame is decoded to its end (bytes after it are ignored). Output past the
// uncompressed size goes to a scratch buffer only to learn that more comes, which fails.
size_t ChunkDecoder::decompress_lz4(const ChunkRecord& chunk) {
  LZ4F_resetDecompressionContext(lz4());
  // An empty body may come with a null pointer (a queued job's empty buffer) or not (a view
  // into the reader's input); lz4 names a different error for each, and the summary must not
  // depend on which thread decompressed the chunk.
  static constexpr uint8_t kNoBytes = 0;
  const uint8_t* src = chunk.size ? chunk.data : &kNoBytes;
  const uint8_t* end = src + chunk.size;
  LZ4F_frameInfo_t info;
  size_t consumed = chunk.size;
  size_t r = LZ4F_getFrameInfo(lz4_, &info, src, &consumed);
  if (LZ4F_isError(r)) {
    undecompressable(std::string("lz4 frame header: ") + LZ4F_getErrorName(r),
                     chunk.offset);
  }
  src += consumed;
  const size_t capacity = static_cast<size_t>(chunk.uncompressed_size);
  uint8_t* out = reserve(first_capacity(capacity, chunk.size));
  std::unique_ptr<uint8_t[]> scratch;
  size_t written = 0;
  LZ4F_decompressOptions_t options{};
  int stalled = 0;
  while (true) {
    if (written == std::min(cap_, capacity) && written < capacity) out = grow(written, capacity);
    uint8_t* dst = out + written;
    size_t room = std::min(cap_, capacity) - written;
    if (room == 0) {
      if (!scratch) scratch.reset(new uint8_t[kLz4Scratch]);
      dst = scratch.get();
      room = kLz4Scratch;
    }
    size_t produced = room;
    size_t taken = static_cast<size_t>(end - src);
    r = LZ4F_decompress(lz4_, dst, &produced, src, &taken, &options);
    if (LZ4F_isError(r)) {
      undecompressable(std::string("lz4: ") + LZ4F_getErrorName(r),
                       chunk.offset);
    }
    src += taken;
    stalled = (taken == 0 && produced == 0) ? stalled + 1 : 0;
    if (stalled > 2) {
      undecompressable("the lz4 frame is incomplete", chunk.offset);
    }
    if (dst != out + written && produced > 0) {
      chunk_corrupt(ErrorKind::DecompressionFailed,
                    "chunk decompresses to more than " + dec(uint64_t{capacity}) + " bytes",
                    chunk.offset);
    }
    if (dst == out + written) written += produced;
    if (r == 0) break;
    if (src == end) {
      undecompressable("the lz4 frame is incomplete", chunk.offset);
    }
  }
  return written;
}

}  // namespace argus
