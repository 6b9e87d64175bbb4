#include "reader.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "bytes.hpp"
#include "limits.hpp"
#include "utf8.hpp"
#include "records.hpp"

namespace argus {
namespace {

const uint8_t kMagic[8] = {0x89, 'M', 'C', 'A', 'P', '0', '\r', '\n'};

std::string where(const std::optional<uint8_t>& opcode) {
  if (!opcode) return "before the Footer record";
  return "inside a " + record_name(*opcode) + " record";
}

}  // namespace

McapReader::McapReader(const Options& options)
    : options_(options),
      chunks_(options.threads, options.max_queued_chunk_bytes, options.threads_from_bytes) {
  task_ = run();
  task_.start();  // runs until it waits for the leading magic
}

void McapReader::pump() {
  while (in_.ready_to_resume()) in_.take_waiter().resume();
  task_.rethrow_if_failed();  // only non-parse failures (e.g. out of memory) get here
}

void McapReader::feed(const uint8_t* data, size_t size) {
  if (done() || size == 0) return;
  in_.append(data, size);
  pump();
}

void McapReader::finish() {
  in_.set_eof();
  pump();
}

MappedFile::~MappedFile() {
  if (base_ != nullptr) ::munmap(base_, length_);
}

bool MappedFile::map(int fd, uint64_t offset, size_t size) {
  const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t start = offset / page * page;  // mmap offsets are page-aligned
  const size_t length = static_cast<size_t>(offset - start) + size;
  void* base = ::mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(start));
  if (base == MAP_FAILED) return false;
  ::madvise(base, length, MADV_SEQUENTIAL);  // read-ahead, and pages behind dropped first
  base_ = base;
  length_ = length;
  data_ = static_cast<const uint8_t*>(base) + (offset - start);
  size_ = size;
  return true;
}

void MappedFile::release_before(size_t offset) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t end = std::min(offset, size_) + static_cast<size_t>(data_ - static_cast<uint8_t*>(base_));
  const size_t upto = end / page * page;
  if (base_ == nullptr || upto < released_ + kReleaseStep) return;
  ::madvise(static_cast<uint8_t*>(base_) + released_, upto - released_, MADV_DONTNEED);
  released_ = upto;
}

void McapReader::read_fd(int fd) {
  // A regular file smaller than read_size is read into a buffer of its own size (plus one byte,
  // to see the end in the same call): a 10 KB bag does not allocate 4 MiB.
  size_t step = options_.read_size;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    const off_t at = ::lseek(fd, 0, SEEK_CUR);
    if (at >= 0 && st.st_size >= at) {
      const auto rest = static_cast<uint64_t>(st.st_size - at);
      step = std::clamp<size_t>(static_cast<size_t>(rest) + 1, 4096, step);
      // A large file is read in place, then anything after what was mapped (a file that
      // grew meanwhile) by read() from where the mapping ends.
      if (options_.map_from_bytes > 0 && rest >= options_.map_from_bytes && rest <= SIZE_MAX &&
          mapped_.data() == nullptr && in_.avail() == 0 &&
          mapped_.map(fd, static_cast<uint64_t>(at), rest)) {
        in_.lend(mapped_.data(), mapped_.size());
        pump();
        if (!done() && ::lseek(fd, at + static_cast<off_t>(rest), SEEK_SET) < 0) {
          throw std::system_error(errno, std::generic_category(), "lseek");
        }
      }
    }
  }
  while (!done()) {
    // Read at least what the reader waits for, in steps, so a record that claims more bytes
    // than the file has costs no more memory than the file.
    size_t want = step;
    if (in_.want() > in_.avail()) {
      want = std::max(want, std::min<size_t>(in_.want() - in_.avail(), 64u << 20));
    }
    uint8_t* dst = in_.prepare(want);
    const ssize_t got = ::read(fd, dst, in_.room());
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "read");
    }
    if (got == 0) break;
    in_.commit(static_cast<size_t>(got));
    pump();
  }
  finish();
}

Task<void> McapReader::run() {
  try {
    co_await magic("leading");
    while (true) {
      // One step of the reference's loop: the records StreamReader reads for one yield — any
      // unknown-opcode records, then one known record. Errors name the first of them.
      const uint64_t start = in_.pos();
      run_start_ = start;
      run_op_.reset();
      bool footer = false;
      try {
        while (true) {
          const auto op = static_cast<uint8_t>(co_await in_.u8());
          if (!run_op_) run_op_ = op;
          const uint64_t length = co_await in_.u64();
          if (length > kMaxRecordBytes) {
            throw RecordCorrupt(opcode_enum_name(op) + " record has length " + dec(length) +
                                " that exceeds limit " + dec(kMaxRecordBytes),
                                ErrorKind::RecordTooLarge);
          }
          if (op == kOpMessage) {
            // Inline: the only top-level record that is frequent in unchunked files.
            if (!co_await in_.need(22)) throw RecordTruncated{};
            const uint16_t channel = load_u16(in_.data());
            const uint64_t log_time = load_u64(in_.data() + 6);
            in_.consume(22);
            chunks_.drain(summary_);  // a chunk before it may have defined its channel
            if (length < 22) {
              throw RecordCorrupt("negative field length " +
                                  dec(static_cast<int64_t>(length) - 22));
            }
            const uint64_t size = length - 22;
            if (summary_.decodes(channel)) {
              if (!co_await in_.need(size)) throw RecordTruncated{};
              summary_.message(channel, log_time, in_.data(), size, start);
              in_.consume(size);
            } else {
              if (in_.avail() >= size) {
                in_.consume(size);
              } else {
                co_await skip(size);
              }
              summary_.message(channel, log_time, nullptr, size, start);
            }
          } else if (op >= kOpHeader && op <= kOpDataEnd) {
            co_await record(op, length, *run_op_ == op, &footer);
          } else {
            co_await skip(length);  // unknown opcode: skipped, and the run goes on
            continue;
          }
          break;
        }
      } catch (const RecordTruncated&) {
        throw Fatal(ErrorKind::Truncated, "file ends at byte " + dec(in_.received()) + " " + where(run_op_),
                    start, record_name(run_op_));
      } catch (const RecordCorrupt& exc) {
        throw Fatal(exc.kind, exc.message, start, record_name(run_op_));
      }
      release_read_bytes();
      if (footer) {
        co_await magic("trailing");
        chunks_.drain(summary_);
        co_return;
      }
    }
  } catch (const Fatal& fatal) {
    fail(fatal.error);
  }
}

// Chunks still queued come before the error in the file, so they are read first; a bad one
// among them is where a one-thread read would have stopped.
void McapReader::fail(const ParseError& error) {
  try {
    chunks_.drain(summary_);
  } catch (const Fatal& earlier) {
    summary_.fail(earlier.error);
    return;
  }
  summary_.fail(error);
}

Task<void> McapReader::magic(const char* where) {
  const uint64_t start = in_.pos();
  if (!co_await in_.need(8)) {
    throw Fatal(ErrorKind::Truncated,
                "file ends at byte " + dec(in_.received()) + " inside the " + where + " magic",
                start, std::string("Magic"));
  }
  if (std::memcmp(in_.data(), kMagic, 8) != 0) {
    throw Fatal(ErrorKind::BadMagic, std::string("bad ") + where + " magic", start,
                std::string("Magic"));
  }
  in_.consume(8);
}

Task<void> McapReader::skip(uint64_t n, Utf8Stream* utf8) {
  while (n > 0) {
    if (in_.avail() == 0 && !co_await in_.need(1)) throw RecordTruncated{};
    const size_t take = static_cast<size_t>(std::min<uint64_t>(in_.avail(), n));
    if (utf8) utf8->feed(in_.data(), take);
    in_.consume(take);
    n -= take;
  }
}

}  // namespace argus
