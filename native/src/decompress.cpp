// Chunk decompression with the outcomes of the reference's library calls, in bounded memory.
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
  chunk_corrupt("chunk does not decompress: " + why, offset);
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
    buf_.reset();
    cap_ = 0;
    buf_.reset(new uint8_t[n ? n : 1]);
    cap_ = n ? n : 1;
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
  }
  return buf_.get();
}

// python-zstandard's ZstdDecompressor().decompress(data, max_output_size=usize): the output
// buffer is the frame's declared content size (or max_output_size when undeclared) and one
// ZSTD_decompressStream call must finish the first frame; bytes after it are ignored.
size_t ChunkDecoder::decompress_zstd(const ChunkRecord& chunk) {
  const uint64_t usize = chunk.uncompressed_size;
  unsigned long long declared = ZSTD_getFrameContentSize(chunk.data, chunk.size);
  if (declared == ZSTD_CONTENTSIZE_ERROR) {
    undecompressable("error determining content size from frame header", chunk.offset);
  }
  if (chunk.size >= 8 && (load_u32(chunk.data) & 0xFFFFFFF0u) == 0x184D2A50u) {
    // A skippable frame: the libzstd bundled with python-zstandard reports its payload size
    // as the content size, so a non-empty one fails below as "decompressed 0 bytes".
    declared = load_u32(chunk.data + 4);
  }
  if (declared == 0) {
    reserve(0);
    return 0;
  }
  size_t capacity = 0;
  bool known = declared != ZSTD_CONTENTSIZE_UNKNOWN;
  if (!known) {
    if (usize == 0) undecompressable("could not determine content size in frame header", chunk.offset);
    capacity = static_cast<size_t>(usize);
  } else {
    if (declared > static_cast<unsigned long long>(std::numeric_limits<int64_t>::max())) {
      undecompressable("frame is too large to decompress on this platform", chunk.offset);
    }
    if (declared > usize) {
      // A bomb: the reference would allocate the declared size and then refuse the chunk.
      chunk_corrupt("chunk decompresses to " + dec(uint64_t{declared}) + " bytes, not " + dec(usize),
              chunk.offset);
    }
    capacity = static_cast<size_t>(declared);
  }
  ZSTD_DCtx_reset(zstd_, ZSTD_reset_session_only);
  // One ZSTD_decompressStream call into `capacity` bytes, as python-zstandard makes, split
  // into calls over a growing buffer: same outcome, memory only for real output.
  ZSTD_outBuffer out{reserve(first_capacity(capacity, chunk.size)), 0, 0};
  out.size = std::min(cap_, capacity);
  ZSTD_inBuffer in{chunk.data, chunk.size, 0};
  size_t r = 0;
  while (true) {
    r = ZSTD_decompressStream(zstd_, &out, &in);
    if (ZSTD_isError(r)) {
      undecompressable(std::string("decompression error: ") + ZSTD_getErrorName(r), chunk.offset);
    }
    if (r == 0 || out.pos < out.size || out.size == capacity) break;
    out.dst = grow(out.pos, capacity);
    out.size = std::min(cap_, capacity);
  }
  if (r != 0) undecompressable("decompression error: did not decompress full frame", chunk.offset);
  if (known && out.pos != declared) {
    // python-zstandard prints the call's return value (0 here), not the bytes produced.
    undecompressable("decompression error: decompressed 0 bytes; expected " +
                         dec(uint64_t{declared}),
                     chunk.offset);
  }
  return out.pos;
}

// python-lz4's lz4.frame.decompress(data): frame header first, then LZ4F_decompress until the
// frame ends (trailing bytes ignored). It grows its buffer without limit; here output past the
// declared uncompressed size goes to a scratch buffer only to learn whether any more comes.
size_t ChunkDecoder::decompress_lz4(const ChunkRecord& chunk) {
  LZ4F_resetDecompressionContext(lz4_);
  const uint8_t* src = chunk.data;
  const uint8_t* end = chunk.data + chunk.size;
  LZ4F_frameInfo_t info;
  size_t consumed = chunk.size;
  size_t r = LZ4F_getFrameInfo(lz4_, &info, src, &consumed);
  if (LZ4F_isError(r)) {
    undecompressable(std::string("LZ4F_getFrameInfo failed with code: ") + LZ4F_getErrorName(r),
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
      undecompressable(std::string("LZ4F_decompress failed with code: ") + LZ4F_getErrorName(r),
                       chunk.offset);
    }
    src += taken;
    stalled = (taken == 0 && produced == 0) ? stalled + 1 : 0;
    if (stalled > 2) {
      undecompressable("Frame incomplete. LZ4F_decompress returned: " + dec(uint64_t{r}),
                       chunk.offset);
    }
    if (dst != out + written && produced > 0) {
      chunk_corrupt("chunk decompresses to more than " + dec(uint64_t{capacity}) + " bytes, not " +
                  dec(uint64_t{capacity}),
              chunk.offset);
    }
    if (dst == out + written) written += produced;
    if (r == 0) break;
    if (src == end) {
      undecompressable("Frame incomplete. LZ4F_decompress returned: " + dec(uint64_t{r}),
                       chunk.offset);
    }
  }
  return written;
}

}  // namespace argus
