// Reader tests: valid and hostile files built byte by byte, the feed API in any piece size,
// bounded memory, and (given directories on the command line) every real file, whole, cut
// and mutated — the sanitizer build turns any out-of-bounds access into a failure.
#include <dirent.h>
#include <zstd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>

#include "dump.hpp"
#include "mcap_builder.hpp"
#include "reader.hpp"
#include "test.hpp"

using namespace argus;
using namespace argus::testing;

namespace {

struct Parsed {
  ParsedFile file;
  size_t input_capacity;
  size_t chunk_capacity;
};

Parsed parse(const Bytes& data, size_t piece = SIZE_MAX, const Options& options = Options()) {
  McapReader reader(options);
  for (size_t pos = 0; pos < data.size() && !reader.done(); pos += piece) {
    reader.feed(data.data() + pos, std::min(piece, data.size() - pos));
  }
  reader.finish();
  return {reader.result(), reader.input_capacity(), reader.chunk_capacity()};
}

const ParseError& last_error(const ParsedFile& f) {
  // No error at all fails here, whatever kind the caller then expects.
  CHECK(!f.errors.empty());
  static const ParseError none{ErrorKind::UnsupportedEncoding, "(no error)", std::nullopt,
                               std::nullopt};
  return f.errors.empty() ? none : f.errors.back();
}

Bytes rosout_file(const Bytes& payload) {
  return cat({magic(), header(), schema(1, "rcl_interfaces/msg/Log"), channel(1, 1, "/rosout"),
              message(1, 5, payload), footer(), magic()});
}

Bytes simple_chunked(const ChunkSpec& spec, int messages = 3) {
  Bytes records = cat({schema(1, "std_msgs/msg/String"), channel(1, 1, "/t")});
  for (int i = 0; i < messages; ++i) {
    records = cat({records, message(1, static_cast<uint64_t>(10 * i), Bytes(16, 'x'))});
  }
  return cat({magic(), header(), chunk(records, spec), footer(), magic()});
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void mcap_files(const std::string& dir, std::vector<std::string>& out) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    if (name.size() > 5 && name.substr(name.size() - 5) == ".mcap") {
      out.push_back(path);
    } else if (e->d_type == DT_DIR) {
      mcap_files(path, out);
    }
  }
  closedir(d);
}

}  // namespace

TEST(chunks_in_every_compression_are_read) {
  for (const char* compression : {"", "zstd", "lz4"}) {
    ChunkSpec spec;
    spec.compression = compression;
    Parsed p = parse(simple_chunked(spec));
    CHECK(p.file.complete);
    CHECK_EQ(p.file.message_count, uint64_t{3});
    CHECK_EQ(p.file.topics.at(0).bytes, uint64_t{48});
    CHECK(p.file.errors.empty());
  }
}

TEST(the_feed_piece_size_never_changes_the_result) {
  ChunkSpec spec;
  spec.compression = "zstd";
  const Bytes data = cat({magic(), header(), chunk(cat({schema(1, "s"), channel(1, 1, "/a")}), spec),
                          message(1, 3, Bytes(100, 'y')), chunk(cat({message(1, 9, Bytes(5, 'z'))})),
                          footer(), magic()});
  const std::string whole = dump(parse(data).file);
  for (size_t piece : {1, 2, 3, 7, 9, 64, 4093}) CHECK_EQ(dump(parse(data, piece).file), whole);
}

TEST(every_truncation_is_reported_and_never_crashes) {
  ChunkSpec spec;
  spec.compression = "lz4";
  const Bytes data = simple_chunked(spec, 5);
  for (size_t cut = 0; cut < data.size(); ++cut) {
    const Bytes part(data.begin(), data.begin() + static_cast<long>(cut));
    Parsed p = parse(part);
    CHECK(!p.file.complete);
    CHECK_EQ(last_error(p.file).kind, ErrorKind::Truncated);
    CHECK(last_error(p.file).offset.value_or(0) <= cut);
    CHECK_EQ(dump(parse(part, 3).file), dump(p.file));
  }
}

TEST(unknown_opcodes_and_padding_are_skipped) {
  Bytes padded_channel = channel(1, 0, "/t", "json");
  padded_channel[1] += 5;  // five bytes of padding inside the record
  padded_channel.insert(padded_channel.end(), 5, 0xEE);
  const Bytes data = cat({magic(), header(), record(0x80, Bytes(12, 1)), padded_channel,
                          record(0x42, {}), message(1, 1, Bytes(3, 'a')), footer(), magic()});
  Parsed p = parse(data);
  CHECK(p.file.complete);
  CHECK_EQ(p.file.message_count, uint64_t{1});
}

TEST(record_length_near_2_64_is_corrupt_not_allocated) {
  Bytes data = cat({magic(), record(0x01, Bytes(4, 0), UINT64_MAX - 1)});
  Parsed p = parse(data);
  const ParseError& e = last_error(p.file);
  CHECK_EQ(e.kind, ErrorKind::RecordTooLarge);
  CHECK_EQ(e.offset.value_or(0), uint64_t{8});
  CHECK_EQ(e.record.value_or(""), std::string("Header"));
  CHECK_EQ(e.message, std::string("HEADER record has length 18446744073709551614 that exceeds "
                                  "limit 1073741824"));
  CHECK(p.input_capacity < 4096);
}

TEST(a_record_past_the_end_of_its_chunk_is_corrupt) {
  Bytes inner = cat({schema(1, "s"), channel(1, 1, "/t"), message(1, 1, Bytes(4, 'm'))});
  inner[inner.size() - 4 - 22 - 8] = 0xFF;  // the message's length byte: far past the chunk
  Bytes data = cat({magic(), header(), chunk(inner), footer(), magic()});
  Parsed p = parse(data);
  const ParseError& e = last_error(p.file);
  CHECK_EQ(e.kind, ErrorKind::MalformedRecord);
  CHECK_EQ(e.record.value_or(""), std::string("Chunk"));
  CHECK(e.message.find("overruns the chunk") != std::string::npos);
}

TEST(a_bad_chunk_crc_is_corrupt_and_zero_skips_the_check) {
  ChunkSpec spec;
  spec.compression = "zstd";
  spec.bad_crc = true;
  Parsed bad = parse(simple_chunked(spec));
  CHECK_EQ(last_error(bad.file).kind, ErrorKind::BadCrc);
  CHECK_EQ(bad.file.message_count, uint64_t{0});
  spec.bad_crc = false;
  spec.zero_crc = true;
  CHECK(parse(simple_chunked(spec)).file.complete);
}

TEST(decompression_bombs_are_refused_within_the_declared_size) {
  const Bytes records = cat({schema(1, "s"), channel(1, 1, "/t"), message(1, 1, Bytes(8, 'm'))});
  const Bytes zeros(64u << 20, 0);
  // zstd frame declaring 64 MiB in a chunk that declares a few hundred bytes.
  ChunkSpec zstd_declared;
  zstd_declared.compression = "zstd";
  zstd_declared.compressed_override = compress(zeros, "zstd");
  zstd_declared.has_compressed_override = true;
  Parsed a = parse(cat({magic(), chunk(records, zstd_declared), footer(), magic()}));
  CHECK_EQ(last_error(a.file).kind, ErrorKind::DecompressionFailed);
  CHECK(a.chunk_capacity < (1u << 20));
  // zstd frame without a content size: stops at the declared size.
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  Bytes undeclared(ZSTD_compressBound(zeros.size()));
  ZSTD_outBuffer out{undeclared.data(), undeclared.size(), 0};
  ZSTD_inBuffer in{zeros.data(), zeros.size(), 0};
  ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_end);
  ZSTD_freeCCtx(cctx);
  undeclared.resize(out.pos);
  ChunkSpec zstd_undeclared = zstd_declared;
  zstd_undeclared.compressed_override = undeclared;
  Parsed b = parse(cat({magic(), chunk(records, zstd_undeclared), footer(), magic()}));
  CHECK_EQ(last_error(b.file).kind, ErrorKind::DecompressionFailed);
  CHECK(b.chunk_capacity <= (1u << 20));
  // lz4 frame: the reference would inflate all of it; the core stops past the declared size.
  ChunkSpec lz4 = zstd_declared;
  lz4.compression = "lz4";
  lz4.compressed_override = compress(zeros, "lz4");
  Parsed c = parse(cat({magic(), chunk(records, lz4), footer(), magic()}));
  CHECK_EQ(last_error(c.file).kind, ErrorKind::DecompressionFailed);
  CHECK_EQ(last_error(c.file).record.value_or(""), std::string("Chunk"));
  CHECK(c.chunk_capacity <= (1u << 20));
}

TEST(a_chunk_that_claims_more_than_1_gib_is_corrupt) {
  ChunkSpec spec;
  spec.size_delta = int64_t{1} << 31;
  Parsed p = parse(simple_chunked(spec));
  CHECK_EQ(last_error(p.file).kind, ErrorKind::RecordTooLarge);
}

TEST(huge_cdr_string_lengths_are_decode_errors_and_reading_goes_on) {
  Bytes payload = {0, 1, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 40, 0, 0, 0, 0xF0, 0xFF, 0xFF, 0xFF};
  Parsed p = parse(rosout_file(payload));
  CHECK(p.file.complete);
  CHECK_EQ(p.file.message_count, uint64_t{1});
  CHECK_EQ(last_error(p.file).kind, ErrorKind::BadCdr);
  CHECK_EQ(last_error(p.file).message,
           std::string("/rosout message at log_time 5: needs 4294967280 bytes at offset 20, data ends"));
}

TEST(deep_and_invalid_json_logs_are_decode_errors) {
  const std::pair<std::string, ErrorKind> cases[] = {
      {std::string(100000, '['), ErrorKind::JsonTooDeep},
      {std::string("{\"level\": 4"), ErrorKind::BadJson},
      {std::string("\xFF\xFE"), ErrorKind::BadJson},
  };
  for (const auto& [text, kind] : cases) {
    const Bytes data = cat({magic(), schema(1, "foxglove.Log"), channel(1, 1, "/log", "json"),
                            message(1, 1, Bytes(text.begin(), text.end())), footer(), magic()});
    Parsed p = parse(data);
    CHECK(p.file.complete);
    CHECK_EQ(last_error(p.file).kind, kind);
  }
}

TEST(a_message_on_an_unknown_channel_stops_reading) {
  Parsed p = parse(cat({magic(), message(9, 1, {}), footer(), magic()}));
  CHECK_EQ(last_error(p.file).kind, ErrorKind::UnknownChannel);
  CHECK_EQ(last_error(p.file).record.value_or(""), std::string("Message"));
}

TEST(fields_past_the_record_length_are_corrupt_unless_after_an_unknown_record) {
  Bytes short_channel = channel(1, 0, "/t", "json");
  short_channel[1] = 3;  // declared length 3, fields need more
  Parsed checked = parse(cat({magic(), short_channel, footer(), magic()}));
  CHECK_EQ(last_error(checked.file).message, std::string("Channel fields run past its length 3"));
  // The reference checks framing only for the first record of a read; after an unknown
  // record it reads the channel's fields past its length and goes on from there.
  Parsed unchecked = parse(cat({magic(), record(0x90, {}), short_channel, footer(), magic()}));
  CHECK(unchecked.file.complete);
  CHECK_EQ(unchecked.file.topics.size(), size_t{1});
}

TEST(memory_stays_bounded_by_one_chunk) {
  Bytes body = cat({magic(), header(), chunk(cat({schema(1, "s"), channel(1, 1, "/t")}))});
  for (int c = 0; c < 40; ++c) {
    Bytes records;
    for (int m = 0; m < 64; ++m) records = cat({records, message(1, static_cast<uint64_t>(m), Bytes(16384, 'p'))});
    ChunkSpec spec;
    spec.compression = c % 2 ? "zstd" : "lz4";
    body = cat({body, chunk(records, spec)});
  }
  body = cat({body, footer(), magic()});
  Parsed p = parse(body, 65536);
  CHECK(p.file.complete);
  CHECK_EQ(p.file.message_count, uint64_t{40 * 64});
  const size_t chunk_bytes = 64 * (16384 + 22 + 9);
  CHECK(p.chunk_capacity <= 2 * chunk_bytes);
  CHECK(p.input_capacity <= 2 * chunk_bytes + 65536);
}

TEST(real_files_whole_in_pieces_cut_and_mutated) {
  std::vector<std::string> files;
  for (const std::string& dir : data_dirs()) mcap_files(dir, files);
  std::sort(files.begin(), files.end());
  std::mt19937_64 rng(42);
  size_t checked = 0;
  for (const std::string& path : files) {
    const Bytes data = read_file(path);
    if (data.size() > (8u << 20)) continue;
    const std::string whole = dump(parse(data).file);
    Options threaded;
    threaded.threads = 3;
    threaded.threads_from_bytes = 0;  // small files: thread them anyway
    CHECK_EQ(dump(parse(data, SIZE_MAX, threaded).file), whole);
    CHECK_EQ(dump(parse(data, 4093).file), whole);
    CHECK_EQ(dump(parse(data, 1 + rng() % 300).file), whole);
    for (int k = 0; k < 12; ++k) {
      Bytes cut(data.begin(), data.begin() + static_cast<long>(rng() % (data.size() + 1)));
      parse(cut);
      Bytes flipped = data;
      for (int f = 0; f < 3 && !flipped.empty(); ++f) flipped[rng() % flipped.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
      const std::string one_thread = dump(parse(flipped).file);
      CHECK_EQ(dump(parse(flipped, 1 + rng() % 5000).file), one_thread);
      CHECK_EQ(dump(parse(flipped, 1 + rng() % 5000, threaded).file), one_thread);
    }
    ++checked;
  }
  std::printf("     (%zu real files)\n", checked);
}
