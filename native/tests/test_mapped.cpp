// Files read in place from a mapping (McapReader::read_fd on a large regular file): the
// summary must be exactly the one the same bytes fed piece by piece give, errors included, and
// no byte of the file may be copied into the reader's buffer or the pipeline's jobs. The
// threaded_ test runs under ThreadSanitizer too (make native-test-tsan).
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "dump.hpp"
#include "mcap_builder.hpp"
#include "reader.hpp"
#include "test.hpp"

using namespace argus;
using namespace argus::testing;

namespace {

constexpr size_t kJunk = 5;  // bytes before the file: its mapping starts inside a page

// An unlinked temporary file holding `kJunk` junk bytes then `data`, positioned after the junk.
int temp_file(const Bytes& data) {
  char name[] = "/tmp/argus-mapped-XXXXXX";
  const int fd = ::mkstemp(name);
  CHECK(fd >= 0);
  ::unlink(name);
  const Bytes junk(kJunk, 'j');
  CHECK_EQ(::write(fd, junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
  if (!data.empty()) {
    CHECK_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  }
  CHECK_EQ(::lseek(fd, static_cast<off_t>(kJunk), SEEK_SET), static_cast<off_t>(kJunk));
  return fd;
}

struct FromFile {
  std::string dump;
  uint64_t mapped;
  uint64_t released;
  size_t input_capacity;
  size_t chunk_capacity;
};

FromFile read_file_with(const Bytes& data, Options options) {
  const int fd = temp_file(data);
  McapReader reader(options);
  reader.read_fd(fd);
  ::close(fd);
  return {dump(reader.result()), reader.mapped_bytes(), reader.released_bytes(), reader.input_capacity(),
          reader.chunk_capacity()};
}

std::string fed(const Bytes& data) {
  McapReader reader;
  reader.feed(data.data(), data.size());
  reader.finish();
  return dump(reader.result());
}

// 24 chunks of 32 messages of 8 KiB, zstd and lz4 in turn.
Bytes chunked_file() {
  Bytes body = cat({magic(), header(), chunk(cat({schema(1, "s"), channel(1, 1, "/t")}))});
  for (int c = 0; c < 24; ++c) {
    Bytes records;
    for (int m = 0; m < 32; ++m) {
      records = cat({records, message(1, static_cast<uint64_t>(m), Bytes(8192, 'p'))});
    }
    ChunkSpec spec;
    spec.compression = c % 2 ? "zstd" : "lz4";
    body = cat({body, chunk(records, spec)});
  }
  return cat({body, footer(), magic()});
}

Options mapping(uint64_t from_bytes, unsigned threads = 1) {
  Options options;
  options.map_from_bytes = from_bytes;
  options.threads = threads;
  options.threads_from_bytes = 0;
  return options;
}

}  // namespace

TEST(a_mapped_file_reads_as_fed_without_a_copy_of_its_bytes) {
  const Bytes data = chunked_file();
  const FromFile mapped = read_file_with(data, mapping(1));
  CHECK_EQ(mapped.dump, fed(data));
  CHECK_EQ(mapped.mapped, uint64_t{data.size()});
  CHECK_EQ(mapped.input_capacity, size_t{0});  // every record read where it lies
  // The same file under the threshold is read() into the buffer: the counter does count.
  const FromFile read = read_file_with(data, mapping(data.size() + 1));
  CHECK_EQ(read.dump, mapped.dump);
  CHECK_EQ(read.mapped, uint64_t{0});
  CHECK(read.input_capacity > 0);
}

TEST(threaded_chunks_of_a_mapped_file_are_decoded_in_place) {
  const Bytes data = chunked_file();
  const FromFile mapped = read_file_with(data, mapping(1, 3));
  const FromFile read = read_file_with(data, mapping(0, 3));
  CHECK_EQ(mapped.dump, fed(data));
  CHECK_EQ(read.dump, mapped.dump);
  // Jobs hold their outputs either way; only the unmapped read holds copies of chunk inputs.
  CHECK(mapped.chunk_capacity < read.chunk_capacity);
}

TEST(a_mapped_file_leaves_memory_as_it_is_read) {
  const Bytes data = chunked_file();
  for (unsigned threads : {1u, 3u}) {
    Options options = mapping(1, threads);
    options.max_queued_chunk_bytes = 1u << 20;
    const FromFile mapped = read_file_with(data, options);
    CHECK_EQ(mapped.dump, fed(data));
    // All but the last queue's worth, in whole steps, is released before the end.
    CHECK(mapped.released + (1u << 20) + 2 * MappedFile::kReleaseStep >= data.size());
    CHECK(mapped.released < data.size());
  }
}

TEST(every_cut_of_a_mapped_file_reads_as_the_same_bytes_fed) {
  const Bytes data = chunked_file();
  std::mt19937_64 rng(7);
  for (int k = 0; k < 40; ++k) {
    // A cut inside a record leaves it lent but unfinished: it is copied, then found truncated.
    const Bytes cut(data.begin(), data.begin() + static_cast<long>(rng() % (data.size() + 1)));
    CHECK_EQ(read_file_with(cut, mapping(1)).dump, fed(cut));
    CHECK_EQ(read_file_with(cut, mapping(1, 2)).dump, fed(cut));
  }
}

TEST(bytes_fed_before_read_fd_keep_the_file_unmapped_and_the_result_whole) {
  const Bytes data = chunked_file();
  const size_t head = 100;  // inside the first chunk: the reader holds a partial record
  const int fd = temp_file(data);
  CHECK_EQ(::lseek(fd, static_cast<off_t>(kJunk + head), SEEK_SET),
           static_cast<off_t>(kJunk + head));
  McapReader reader(mapping(1));
  reader.feed(data.data(), head);
  reader.read_fd(fd);
  ::close(fd);
  CHECK_EQ(dump(reader.result()), fed(data));
  CHECK_EQ(reader.mapped_bytes(), uint64_t{0});  // a lent file would follow buffered bytes
}
