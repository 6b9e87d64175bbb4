// Chunks decompressed on several threads: the summary must be exactly the one-thread summary,
// errors included, and the chunks held at once must stay within their bounds. Under
// ThreadSanitizer (make native-test-tsan) these tests also look for data races.
#include <algorithm>

#include "dump.hpp"
#include "mcap_builder.hpp"
#include "reader.hpp"
#include "test.hpp"

using namespace argus;
using namespace argus::testing;

namespace {

constexpr int kMessagesPerChunk = 50;
constexpr size_t kPayload = 4000;

struct Run {
  ParsedFile file;
  size_t most_queued = 0;
  size_t most_capacity = 0;
  size_t queued_at_end = 0;
};

Run read_with(const Bytes& data, unsigned threads, size_t piece = SIZE_MAX,
              uint64_t max_queued_bytes = 64ull << 20, uint64_t threads_from_bytes = 0) {
  Options options;
  options.threads = threads;
  options.max_queued_chunk_bytes = max_queued_bytes;
  options.threads_from_bytes = threads_from_bytes;  // 0: threads from the first chunk on
  McapReader reader(options);
  Run run;
  for (size_t pos = 0; pos < data.size() && !reader.done(); pos += piece) {
    reader.feed(data.data() + pos, std::min(piece, data.size() - pos));
    run.most_queued = std::max(run.most_queued, reader.queued_chunks());
    run.most_capacity = std::max(run.most_capacity, reader.chunk_capacity());
  }
  reader.finish();
  run.queued_at_end = reader.queued_chunks();
  run.file = reader.result();
  return run;
}

// `chunks` chunks of kMessagesPerChunk messages on /t, compressions in turn; the chunk numbered
// `bad` (if any) has a wrong CRC. Returns the file and where each chunk starts.
Bytes chunked_file(int chunks, int bad = -1, std::vector<uint64_t>* starts = nullptr) {
  Bytes body = cat({magic(), header(), schema(1, "std_msgs/msg/String"), channel(1, 1, "/t")});
  const char* compressions[] = {"zstd", "lz4", ""};
  for (int c = 0; c < chunks; ++c) {
    Bytes records;
    for (int m = 0; m < kMessagesPerChunk; ++m) {
      const uint64_t t = static_cast<uint64_t>(c * kMessagesPerChunk + m) * 1000;
      records = cat({records, message(1, t, Bytes(kPayload, static_cast<uint8_t>('a' + m % 26)))});
    }
    ChunkSpec spec;
    spec.compression = compressions[c % 3];
    spec.bad_crc = c == bad;
    if (starts) starts->push_back(body.size());
    body = cat({body, chunk(records, spec)});
  }
  return cat({body, footer(), magic()});
}

const ParseError& last_error(const ParsedFile& f) {
  // No error at all fails here, whatever kind the caller then expects.
  CHECK(!f.errors.empty());
  static const ParseError none{ErrorKind::UnsupportedEncoding, "(no error)", std::nullopt,
                               std::nullopt};
  return f.errors.empty() ? none : f.errors.back();
}

}  // namespace

TEST(threaded_several_threads_give_the_one_thread_summary) {
  std::vector<Bytes> files = {chunked_file(12), chunked_file(12, 0), chunked_file(12, 5),
                              chunked_file(12, 11), chunked_file(1)};
  const Bytes whole = chunked_file(9);
  for (size_t cut : {size_t{9}, whole.size() / 3, whole.size() / 2, whole.size() - 30, whole.size() - 1}) {
    files.emplace_back(whole.begin(), whole.begin() + static_cast<long>(cut));
  }
  for (const Bytes& data : files) {
    const std::string one = dump(read_with(data, 1).file);
    for (unsigned threads : {2u, 3u, 8u}) {
      CHECK_EQ(dump(read_with(data, threads).file), one);
      CHECK_EQ(dump(read_with(data, threads, 777).file), one);
      CHECK_EQ(dump(read_with(data, threads, SIZE_MAX, 1).file), one);
    }
  }
}

TEST(threaded_a_bad_chunk_stops_reading_there_though_later_chunks_were_decompressed) {
  std::vector<uint64_t> starts;
  const Bytes data = chunked_file(12, 4, &starts);
  const Run run = read_with(data, 4);
  CHECK_EQ(run.file.message_count, uint64_t{4 * kMessagesPerChunk});
  CHECK_EQ(last_error(run.file).message, std::string("chunk CRC mismatch"));
  CHECK_EQ(last_error(run.file).offset.value_or(0), starts[4]);
  CHECK_EQ(run.file.errors.size(), size_t{1});
  CHECK(!run.file.complete);
  CHECK_EQ(run.queued_at_end, size_t{0});  // the chunks after it were dropped, not kept
}

TEST(threaded_an_error_after_queued_chunks_comes_after_their_messages) {
  const Bytes whole = chunked_file(6);
  const Bytes cut(whole.begin(), whole.end() - 12);  // inside the Footer record
  const Run run = read_with(cut, 3);
  CHECK_EQ(run.file.message_count, uint64_t{6 * kMessagesPerChunk});
  CHECK_EQ(last_error(run.file).kind, ErrorKind::Truncated);
  CHECK_EQ(last_error(run.file).record.value_or(""), std::string("Footer"));
}

TEST(threaded_a_channel_defined_inside_a_chunk_serves_a_later_top_level_message) {
  const Bytes data = cat({magic(), header(), chunk(cat({schema(1, "s"), channel(7, 1, "/late")}),
                                                   ChunkSpec{"zstd"}),
                          message(7, 5, Bytes(8, 'x')), footer(), magic()});
  const Run run = read_with(data, 3);
  CHECK(run.file.complete);
  CHECK_EQ(run.file.message_count, uint64_t{1});
  CHECK_EQ(dump(run.file), dump(read_with(data, 1).file));
}

TEST(threaded_queued_chunks_stay_within_their_count_and_byte_bounds) {
  const Bytes data = chunked_file(30);
  const size_t raw_chunk = kMessagesPerChunk * (kPayload + 22 + 9);
  const std::string one = dump(read_with(data, 1).file);
  for (unsigned threads : {2u, 4u}) {
    const Run run = read_with(data, threads, 65536);
    CHECK_EQ(dump(run.file), one);
    CHECK(run.most_queued > 1);  // chunks were decompressed ahead
    // Each queued chunk holds its compressed copy and its output (uncompressed chunks: twice),
    // each with an eighth more as headroom (with_headroom).
    CHECK(run.most_capacity <= (threads + 1) * 2 * raw_chunk * 9 / 8);
  }
  // A budget of one to two chunks (uncompressed ones cost twice), eight threads: the budget,
  // not the ring (nine jobs), limits the queue, and the buffers the nine jobs keep between
  // chunks stay within twice the budget (plus the headroom's eighth), not nine chunks' worth.
  const uint64_t budget = 2 * raw_chunk + 4096;
  const Run tight = read_with(data, 8, 65536, budget);
  CHECK_EQ(dump(tight.file), one);
  CHECK(tight.most_queued >= 1 && tight.most_queued <= 2);
  CHECK(tight.most_capacity <= 2 * budget * 9 / 8);
  // A chunk bigger than the whole budget is read at once, uncopied, as on one thread.
  const Run inline_only = read_with(data, 4, 65536, raw_chunk / 2);
  CHECK_EQ(dump(inline_only.file), one);
  CHECK_EQ(inline_only.most_queued, size_t{0});
  CHECK(inline_only.most_capacity <= raw_chunk + (1u << 20));
}

TEST(threaded_chunks_are_read_at_once_until_threads_can_pay_for_themselves) {
  const Bytes data = chunked_file(30);
  const size_t raw_chunk = kMessagesPerChunk * (kPayload + 22 + 9);
  const std::string one = dump(read_with(data, 1).file);
  // The default: a small file (6 chunks of ~200 KB) never queues a chunk, never starts a
  // thread, and reads as one thread does.
  const Bytes six = chunked_file(6);
  const Run small = read_with(six, 4, 65536, 64ull << 20, Options().threads_from_bytes);
  CHECK_EQ(dump(small.file), dump(read_with(six, 1).file));
  CHECK_EQ(small.most_queued, size_t{0});
  // A threshold of ten chunks: the first ten are read at once, the others are queued.
  const Run later = read_with(data, 4, 65536, 64ull << 20, 10 * 2 * raw_chunk);
  CHECK_EQ(dump(later.file), one);
  CHECK(later.most_queued > 1);
  // Past the whole file: nothing queued.
  const Run never = read_with(data, 4, 65536, 64ull << 20, 40 * 2 * raw_chunk);
  CHECK_EQ(never.most_queued, size_t{0});
}

TEST(threaded_a_reader_dropped_mid_file_stops_its_threads) {
  const Bytes data = chunked_file(20);
  for (size_t keep : {data.size() / 4, data.size() / 2}) {
    Options options;
    options.threads = 4;
    options.threads_from_bytes = 0;
    auto reader = std::make_unique<McapReader>(options);
    reader->feed(data.data(), keep);
    CHECK(reader->queued_chunks() > 0);
    reader.reset();  // must join its workers with chunks still queued (ASan: no leak)
  }
}

// A compressed chunk with no compressed bytes at all: the threaded path once handed the
// decompressor a null pointer where the reader's own thread handed it an empty span, and lz4
// named a different error (found by the fuzzer).
TEST(threaded_an_empty_compressed_chunk_fails_as_on_one_thread) {
  for (const char* compression : {"lz4", "zstd"}) {
    ChunkSpec spec;
    spec.compression = compression;
    spec.has_compressed_override = true;  // compressed_override stays empty
    const Bytes records = message(1, 1000, Bytes(10, 'x'));
    const Bytes data = cat({magic(), header(), schema(1, "std_msgs/msg/String"),
                            channel(1, 1, "/t"), chunk(records, spec), footer(), magic()});
    const Run alone = read_with(data, 1);
    const std::string one = dump(alone.file);
    CHECK_EQ(last_error(alone.file).kind, ErrorKind::DecompressionFailed);
    CHECK_EQ(dump(read_with(data, 3).file), one);
    CHECK_EQ(dump(read_with(data, 3, 7).file), one);
  }
}
