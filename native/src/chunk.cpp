#include "chunk.hpp"

#include <lz4frame.h>
#include <zstd.h>

#include <new>

#include "bytes.hpp"
#include "crc32.hpp"
#include "limits.hpp"
#include "utf8.hpp"
#include "records.hpp"

namespace argus {

void chunk_corrupt(ErrorKind kind, const std::string& message, uint64_t offset) {
  throw Fatal(kind, message, offset, std::string("Chunk"));
}

namespace {

// A Schema or Channel record inside a chunk, read like mcap's Record.read over a BytesIO:
// every read must be complete, and strings must be UTF-8.
class Inner {
 public:
  Inner(const uint8_t* p, size_t n, uint8_t opcode, uint64_t offset)
      : p_(p), n_(n), opcode_(opcode), offset_(offset) {}

  uint64_t uint(size_t width) {
    const uint8_t* q = take(width);
    return width == 2 ? load_u16(q) : load_u32(q);
  }
  std::string string() {
    const uint32_t size = static_cast<uint32_t>(uint(4));
    const uint8_t* q = take(size);
    if (!valid_utf8(q, size)) fail("a string is not valid UTF-8");
    return std::string(reinterpret_cast<const char*>(q), size);
  }
  void skip(size_t size) { take(size); }
  size_t count() const { return pos_; }

 private:
  const uint8_t* take(size_t size) {
    if (size > n_ - pos_) fail("fields run past the record");
    const uint8_t* q = p_ + pos_;
    pos_ += size;
    return q;
  }
  [[noreturn]] void fail(const std::string& why) const {
    chunk_corrupt(ErrorKind::MalformedRecord,
                  "bad " + record_name(opcode_) + " record inside chunk: " + why, offset_);
  }

  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  uint8_t opcode_;
  uint64_t offset_;
};

}  // namespace

// The contexts are made on first use: a file without compressed chunks (or with one kind) does
// not pay for allocating both (a zstd context is ~100 KiB; decision 0029).
ChunkDecoder::ChunkDecoder() = default;

ZSTD_DCtx_s* ChunkDecoder::zstd() {
  if (zstd_ == nullptr) {
    zstd_ = ZSTD_createDCtx();
    if (zstd_ == nullptr) throw std::bad_alloc();
  }
  return zstd_;
}

LZ4F_dctx_s* ChunkDecoder::lz4() {
  if (lz4_ == nullptr) {
    LZ4F_dctx* ctx = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) throw std::bad_alloc();
    lz4_ = ctx;
  }
  return lz4_;
}

ChunkDecoder::~ChunkDecoder() {
  ZSTD_freeDCtx(zstd_);  // both accept null
  if (lz4_ != nullptr) LZ4F_freeDecompressionContext(lz4_);
}

ChunkBytes ChunkDecoder::decode(const ChunkRecord& chunk) {
  const uint64_t usize = chunk.uncompressed_size;
  if (usize > kMaxRecordBytes) {
    chunk_corrupt(ErrorKind::RecordTooLarge, "chunk claims " + dec(usize) + " uncompressed bytes", chunk.offset);
  }
  const std::string& compression = *chunk.compression;
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (compression.empty()) {
    data = chunk.data;
    size = chunk.size;
  } else if (compression == "zstd") {
    size = decompress_zstd(chunk);
    data = buf_.get();
  } else if (compression == "lz4") {
    size = decompress_lz4(chunk);
    data = buf_.get();
  } else {
    chunk_corrupt(ErrorKind::UnknownCompression, "unknown chunk compression \"" + compression + "\"",
                  chunk.offset);
  }
  if (size != usize) {
    chunk_corrupt(ErrorKind::DecompressionFailed, "chunk decompresses to " + dec(uint64_t{size}) + " bytes, not " + dec(usize),
            chunk.offset);
  }
  if (chunk.uncompressed_crc != 0 && crc32(data, size) != chunk.uncompressed_crc) {
    chunk_corrupt(ErrorKind::BadCrc, "chunk CRC mismatch", chunk.offset);
  }
  return {data, size};
}

void read_chunk_records(ChunkBytes chunk, uint64_t offset, SummaryBuilder& summary) {
  const uint8_t* data = chunk.data;
  const size_t size = chunk.size;
  size_t pos = 0;
  while (pos < size) {
    if (size - pos < 9) chunk_corrupt(ErrorKind::MalformedRecord, "chunk ends inside a record header at " + dec(uint64_t{pos}), offset);
    const uint8_t opcode = data[pos];
    const uint64_t length = load_u64(data + pos + 1);
    const size_t body = pos + 9;
    if (length > size - body) {
      chunk_corrupt(ErrorKind::MalformedRecord, "record at chunk byte " + dec(uint64_t{pos}) + " overruns the chunk", offset);
    }
    const size_t next = body + static_cast<size_t>(length);
    if (opcode == kOpMessage) {
      if (length < 22) chunk_corrupt(ErrorKind::MalformedRecord, "message at chunk byte " + dec(uint64_t{pos}) + " is too short", offset);
      const uint16_t channel = load_u16(data + body);
      const uint64_t log_time = load_u64(data + body + 6);
      summary.message(channel, log_time, data + body + 22, static_cast<size_t>(length - 22), offset);
    } else if (opcode == kOpSchema) {
      Inner in(data + body, static_cast<size_t>(length), opcode, offset);
      const uint16_t id = static_cast<uint16_t>(in.uint(2));
      std::string name = in.string();
      in.string();  // encoding
      in.skip(static_cast<uint32_t>(in.uint(4)));  // data
      summary.schema(id, std::move(name));
    } else if (opcode == kOpChannel) {
      Inner in(data + body, static_cast<size_t>(length), opcode, offset);
      const uint16_t id = static_cast<uint16_t>(in.uint(2));
      const uint16_t schema_id = static_cast<uint16_t>(in.uint(2));
      const std::string topic = in.string();
      const std::string encoding = in.string();
      const uint64_t metadata_length = in.uint(4);
      const uint64_t metadata_end = in.count() + metadata_length;
      while (in.count() < metadata_end) {
        in.string();  // key
        in.string();  // value
      }
      summary.channel(id, schema_id, topic, encoding, offset);
    }
    pos = next;
  }
}

}  // namespace argus
