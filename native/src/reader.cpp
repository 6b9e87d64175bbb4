#include "reader.hpp"

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

uint64_t round_up(uint64_t n, uint64_t step) { return (n + step - 1) / step * step; }

}  // namespace

McapReader::McapReader(const Options& options)
    : options_(options),
      chunks_(options.threads, options.max_queued_chunk_bytes) {
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

void McapReader::read_fd(int fd) {
  while (!done()) {
    // Read at least what the reader waits for, in steps, so a record that claims more bytes
    // than the file has costs no more memory than the file.
    size_t want = options_.read_size;
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

// mcap's read_prefixed_string: a uint32 length, the bytes, then strict UTF-8 decoding.
Task<std::string> McapReader::string(uint64_t record_end, bool keep) {
  const uint64_t n = co_await in_.u32();
  const uint64_t here = in_.pos();
  const bool fits = here <= record_end && n <= record_end - here;
  if (fits || n <= options_.max_overrun_bytes) {
    if (!co_await in_.need(n)) throw RecordTruncated{};
    const uint8_t* p = in_.data();
    if (!valid_utf8(p, n)) throw RecordCorrupt("a string is not valid UTF-8");
    std::string out;
    if (keep) out.assign(reinterpret_cast<const char*>(p), n);
    in_.consume(n);
    co_return out;
  }
  Utf8Stream utf8;
  co_await skip(n, &utf8);  // the whole string is read before it is decoded
  if (!utf8.finish()) {
    throw RecordCorrupt("a string of " + dec(n) + " bytes is not valid UTF-8");
  }
  if (keep) {
    throw RecordCorrupt("a string of " + dec(n) +
                        " bytes runs past its record; the native reader does not buffer it");
  }
  co_return std::string();
}

Task<void> McapReader::chunk(uint64_t length, bool checked) {
  const uint64_t end = in_.pos() + length;
  co_await in_.u64();  // message_start_time
  co_await in_.u64();  // message_end_time
  const uint64_t uncompressed_size = co_await in_.u64();
  const auto crc = static_cast<uint32_t>(co_await in_.u32());
  const std::string compression = co_await string(end, true);
  const uint64_t size = co_await in_.u64();
  const uint64_t here = in_.pos();
  if (here <= end && size <= end - here) {
    const uint64_t rest = end - here;  // the data and any padding after it
    if (!co_await in_.need(rest)) throw RecordTruncated{};
    chunks_.submit({uncompressed_size, crc, &compression, in_.data(), static_cast<size_t>(size),
                    run_start_},
                   summary_);
    in_.consume(rest);
    co_return;
  }
  if (checked || size > options_.max_overrun_bytes) {
    co_await skip(size);
    if (checked) {
      throw RecordCorrupt("Chunk fields run past its length " + dec(length));
    }
    throw RecordCorrupt("chunk data of " + dec(size) +
                        " bytes runs past its record; the native reader does not buffer it");
  }
  // After an unknown record the reference checks no framing and reads past the record.
  if (!co_await in_.need(size)) throw RecordTruncated{};
  chunks_.submit({uncompressed_size, crc, &compression, in_.data(), static_cast<size_t>(size),
                  run_start_},
                 summary_);
  in_.consume(size);
}

Task<void> McapReader::record(uint8_t op, uint64_t length, bool checked, bool* footer) {
  if (op == kOpChunk) {
    co_await chunk(length, checked);
    co_return;
  }
  const uint64_t body = in_.pos();
  const uint64_t end = body + length;
  uint16_t id = 0, schema_id = 0;
  std::string name, encoding;
  switch (op) {
    case kOpHeader:
      co_await string(end, false);  // profile
      co_await string(end, false);  // library
      break;
    case kOpFooter:
      co_await in_.u64();
      co_await in_.u64();
      co_await in_.u32();
      *footer = true;
      break;
    case kOpSchema: {
      id = static_cast<uint16_t>(co_await in_.u16());
      name = co_await string(end, true);
      co_await string(end, false);  // encoding
      co_await skip(co_await in_.u32());  // data
      break;
    }
    case kOpChannel: {
      id = static_cast<uint16_t>(co_await in_.u16());
      schema_id = static_cast<uint16_t>(co_await in_.u16());
      name = co_await string(end, true);      // topic
      encoding = co_await string(end, true);  // message_encoding
      const uint64_t map_length = co_await in_.u32();
      const uint64_t map_end = in_.pos() + map_length;
      while (in_.pos() < map_end) {
        co_await string(end, false);
        co_await string(end, false);
      }
      break;
    }
    case kOpMessageIndex:
      co_await in_.u16();
      co_await skip(round_up(co_await in_.u32(), 16));  // (log_time, offset) pairs
      break;
    case kOpChunkIndex:
      for (int k = 0; k < 4; ++k) co_await in_.u64();
      co_await skip(round_up(co_await in_.u32(), 10));  // (channel_id, offset) pairs
      co_await in_.u64();           // message_index_length
      co_await string(end, false);  // compression
      co_await in_.u64();
      co_await in_.u64();
      break;
    case kOpAttachment:
      co_await in_.u64();
      co_await in_.u64();
      co_await string(end, false);  // name
      co_await string(end, false);  // media_type
      co_await skip(co_await in_.u64());  // data
      co_await in_.u32();                 // crc
      break;
    case kOpAttachmentIndex:
      for (int k = 0; k < 5; ++k) co_await in_.u64();
      co_await string(end, false);
      co_await string(end, false);
      break;
    case kOpStatistics:
      co_await in_.u64();
      co_await in_.u16();
      for (int k = 0; k < 4; ++k) co_await in_.u32();
      co_await in_.u64();
      co_await in_.u64();
      co_await skip(round_up(co_await in_.u32(), 10));  // (channel_id, count) pairs
      break;
    case kOpMetadata: {
      co_await string(end, false);  // name
      const uint64_t map_length = co_await in_.u32();
      const uint64_t map_end = in_.pos() + map_length;
      while (in_.pos() < map_end) {
        co_await string(end, false);
        co_await string(end, false);
      }
      break;
    }
    case kOpMetadataIndex:
      co_await in_.u64();
      co_await in_.u64();
      co_await string(end, false);
      break;
    case kOpSummaryOffset:
      co_await in_.u8();
      co_await in_.u64();
      co_await in_.u64();
      break;
    case kOpDataEnd:
      co_await in_.u32();
      break;
    default:
      break;
  }
  const uint64_t consumed = in_.pos() - body;
  if (consumed < length) co_await skip(length - consumed);  // padding
  if (checked && consumed > length) {
    throw RecordCorrupt(record_name(op) + " fields run past its length " + dec(length));
  }
  if (op == kOpSchema || op == kOpChannel) chunks_.drain(summary_);  // the summary sees file order
  if (op == kOpSchema) summary_.schema(id, std::move(name));
  if (op == kOpChannel) summary_.channel(id, schema_id, name, encoding, run_start_);
}

}  // namespace argus
