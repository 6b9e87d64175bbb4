// McapReader's record bodies: the Chunk record handed to the pipeline, the fields of every other
// known record, and the prefixed strings inside them. The stream around them is in reader.cpp.
#include "reader.hpp"

#include <string>
#include <utility>

#include "bytes.hpp"
#include "records.hpp"
#include "utf8.hpp"

namespace argus {
namespace {

uint64_t round_up(uint64_t n, uint64_t step) { return (n + step - 1) / step * step; }

}  // namespace

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

// Bytes of a mapped file that no queued chunk can still point to (queued chunks lie within
// the last max_queued_chunk_bytes read; one thread queues none) leave the resident set.
void McapReader::release_read_bytes() {
  if (!in_.lent()) return;
  const auto read = static_cast<size_t>(in_.data() - mapped_.data());
  const auto queued = static_cast<size_t>(options_.threads > 1 ? options_.max_queued_chunk_bytes : 0);
  if (read > queued) mapped_.release_before(read - queued);
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
                   summary_, in_.lent());
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
                 summary_, in_.lent());
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
