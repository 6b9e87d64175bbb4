// lz4 chunks of every block size and block mode: a large chunk must read whole with its true
// CRC and fail with bad_crc with a wrong one (the decoder reads lz4 frames in calls that may
// stop at any block boundary).
#include <lz4frame.h>

#include <random>

#include "chunk.hpp"
#include "dump.hpp"
#include "mcap_builder.hpp"
#include "reader.hpp"
#include "test.hpp"

using namespace argus;
using namespace argus::testing;

namespace {

constexpr int kMessages = 90;  // 90 x 16 KiB: several blocks of every size but 4 MiB

Bytes records() {
  std::mt19937 rng(3);
  Bytes out = cat({schema(1, "s"), channel(1, 1, "/t")});
  for (int m = 0; m < kMessages; ++m) {
    Bytes payload(16384 + static_cast<size_t>(m));  // half noise, half runs: lz4 has work
    for (size_t k = 0; k < payload.size(); ++k) {
      payload[k] = k % 2 ? static_cast<uint8_t>(rng()) : static_cast<uint8_t>(k / 64);
    }
    out = cat({out, message(1, static_cast<uint64_t>(m), payload)});
  }
  return out;
}

Bytes lz4_frame(const Bytes& raw, LZ4F_blockSizeID_t block, LZ4F_blockMode_t mode) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = block;
  prefs.frameInfo.blockMode = mode;
  Bytes out(LZ4F_compressFrameBound(raw.size(), &prefs));
  out.resize(LZ4F_compressFrame(out.data(), out.size(), raw.data(), raw.size(), &prefs));
  return out;
}

ParsedFile read(const Bytes& data) {
  McapReader reader;
  reader.feed(data.data(), data.size());
  reader.finish();
  return reader.result();
}

}  // namespace

TEST(lz4_chunks_of_every_block_size_and_mode_are_read_and_crc_checked) {
  const Bytes raw = records();
  for (LZ4F_blockSizeID_t block : {LZ4F_max64KB, LZ4F_max256KB, LZ4F_max1MB, LZ4F_max4MB}) {
    for (LZ4F_blockMode_t mode : {LZ4F_blockLinked, LZ4F_blockIndependent}) {
      ChunkSpec spec;
      spec.compression = "lz4";
      spec.compressed_override = lz4_frame(raw, block, mode);
      spec.has_compressed_override = true;
      const ParsedFile good = read(cat({magic(), header(), chunk(raw, spec), footer(), magic()}));
      CHECK(good.complete);
      CHECK(good.errors.empty());
      CHECK_EQ(good.message_count, uint64_t{kMessages});
      spec.bad_crc = true;
      const ParsedFile bad = read(cat({magic(), header(), chunk(raw, spec), footer(), magic()}));
      CHECK(!bad.errors.empty());
      if (!bad.errors.empty()) CHECK_EQ(bad.errors.back().kind, ErrorKind::BadCrc);
      CHECK_EQ(bad.message_count, uint64_t{0});
    }
  }
}

// Chunks of a file differ in size by a few bytes; a decoder sized exactly for each one would
// allocate (and page-fault in) a new output buffer for every chunk larger than the last.
TEST(a_decoder_reuses_its_buffer_for_chunks_of_nearly_equal_size) {
  for (const std::string compression : {"zstd", "lz4"}) {
    ChunkDecoder decoder;
    for (size_t k = 0; k < 30; ++k) {
      const Bytes raw(100000 + k, static_cast<uint8_t>('a' + k % 26));
      const Bytes packed = compress(raw, compression);
      const ChunkRecord chunk{raw.size(), 0, &compression, packed.data(), packed.size(), 0};
      const ChunkBytes out = decoder.decode(chunk);
      CHECK_EQ(out.size, raw.size());
    }
    CHECK(decoder.allocations() <= 2);  // exact sizes would take 30
  }
}
