// The streaming MCAP reader: one pass in file order, bytes pushed in by feed() (or read from a
// file descriptor), memory bounded by one record plus the chunks being decompressed
// (ChunkPipeline).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "chunk.hpp"
#include "chunk_pipeline.hpp"
#include "input.hpp"
#include "utf8.hpp"
#include "summary.hpp"
#include "task.hpp"

namespace argus {

struct Options {
  // Fields that run past the end of their own record (possible only in corrupt files) are
  // buffered up to this many bytes; larger ones are skipped or reported.
  uint64_t max_overrun_bytes = 64ull << 20;
  // Bytes asked of the file descriptor per read() call.
  size_t read_size = 4u << 20;
  // Threads that decompress chunks (the reader's among them); 1 reads everything on the
  // caller's thread. Chunks decompressed ahead of the one being read are bounded by
  // threads + 1 and by `max_queued_chunk_bytes` (see ChunkPipeline).
  unsigned threads = 1;
  uint64_t max_queued_chunk_bytes = 16ull << 20;
  // With threads > 1: chunks worth this much (compressed plus uncompressed bytes) are read on
  // the caller's thread before the other threads start. A small file never starts a thread:
  // starting one costs more than decompressing a few small chunks (decision 0029).
  uint64_t threads_from_bytes = 4ull << 20;
  // read_fd maps a regular file at least this large into memory and reads it in place: no
  // copy of its bytes into the reader's buffer, nor of its chunks into the pipeline's. 0
  // never maps (every byte is read() into the buffer). See docs/decisions/0032.
  uint64_t map_from_bytes = 1ull << 20;
};

// A read-only mapping of part of a file, unmapped when destroyed.
class MappedFile {
 public:
  MappedFile() = default;
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  // Maps bytes [offset, offset + size) of `fd`; false (nothing mapped) if the system refuses.
  bool map(int fd, uint64_t offset, size_t size);
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  size_t released() const { return released_; }
  // Read is done with the bytes before `offset`: their pages leave this process's memory
  // (they stay in the page cache), in steps of kReleaseStep, so a 1 GB file read in place does
  // not make a 1 GB resident set. Reading them again would still see the same bytes.
  void release_before(size_t offset);
  static constexpr size_t kReleaseStep = 2u << 20;

 private:
  void* base_ = nullptr;
  size_t length_ = 0;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t released_ = 0;  // bytes of the mapping (from base_) whose pages were released
};

class McapReader {
 public:
  explicit McapReader(const Options& options = Options());
  McapReader(const McapReader&) = delete;
  McapReader& operator=(const McapReader&) = delete;

  // Appends bytes and reads as far as they allow; ignored once done().
  void feed(const uint8_t* data, size_t size);
  // The data has ended: reading completes (possibly with a truncation error).
  void finish();
  // True once the reader needs no more bytes (trailing magic read, or a fatal error).
  bool done() const { return task_.done(); }
  ParsedFile& result() { return summary_.result(); }

  uint64_t bytes_received() const { return in_.received(); }
  size_t input_capacity() const { return in_.capacity(); }
  size_t chunk_capacity() const { return chunks_.buffer_capacity(); }
  size_t queued_chunks() const { return chunks_.queued(); }

  // Reads the rest of `fd` (not closed) and finishes.
  void read_fd(int fd);
  // Bytes read_fd read in place from a mapping (0 when it read() them all).
  uint64_t mapped_bytes() const { return mapped_.size(); }
  // Bytes of that mapping already read and released from memory (MappedFile::release_before).
  uint64_t released_bytes() const { return mapped_.released(); }

 private:
  Task<void> run();
  Task<void> magic(const char* where);
  Task<void> skip(uint64_t n, Utf8Stream* utf8 = nullptr);
  void pump();
  void fail(const ParseError& error);
  // The bodies of records and the strings in them: reader_records.cpp.
  Task<void> record(uint8_t op, uint64_t length, bool checked, bool* footer);
  Task<void> chunk(uint64_t length, bool checked);
  Task<std::string> string(uint64_t record_end, bool keep);
  void release_read_bytes();

  Options options_;
  MappedFile mapped_;  // first: the input and the queued chunks point into it
  Input in_;
  SummaryBuilder summary_;
  ChunkPipeline chunks_;
  Task<void> task_;
  uint64_t run_start_ = 0;
  std::optional<uint8_t> run_op_;
};

}  // namespace argus
