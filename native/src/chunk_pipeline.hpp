// Chunks decoded on worker threads and read into the summary in file order.
//
// A drive log full of sensor data is zstd decompression and little else (see
// docs/architecture/parsing.md), and decompressing one chunk does not depend on any other. So
// the reader hands each Chunk record to this pipeline, which decodes up to a few chunks ahead
// on other threads while the reader goes on framing records, then feeds each chunk's records to
// the summary on the reader's thread, strictly in file order. The summary therefore sees
// exactly the calls a one-thread read makes, errors included: the first corrupt chunk's error is
// raised where a one-thread read would raise it, and the chunks after it are dropped unread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "chunk.hpp"
#include "summary.hpp"

namespace argus {

class ChunkPipeline {
 public:
  // `threads` decode chunks (the reader's own thread among them, helping while it waits);
  // 1 decodes and reads every chunk at once, on the reader's thread. Chunks queued at once
  // are at most threads + 1 and together at most `max_queued_bytes` (compressed plus declared
  // uncompressed sizes); a chunk bigger than that alone is read at once on the reader's
  // thread, without a copy, as with one thread. A job that is done keeps its buffers for the
  // next chunk only up to its share of `max_queued_bytes`, so the buffers the jobs hold stay
  // within twice that. Until chunks worth `threads_from_bytes` have been read (each costs its
  // compressed plus declared uncompressed size), they are read at once as with one thread, so
  // files too small to gain from threads never start one.
  ChunkPipeline(unsigned threads, uint64_t max_queued_bytes, uint64_t threads_from_bytes = 0);
  ~ChunkPipeline();  // finishes the chunks being decoded, then joins the workers
  ChunkPipeline(const ChunkPipeline&) = delete;
  ChunkPipeline& operator=(const ChunkPipeline&) = delete;

  // Takes a chunk (copying its bytes unless it is read at once, or `lasting`: they stay valid
  // until the pipeline is drained or destroyed). May first read queued chunks to make room;
  // throws the Fatal of the first bad one, with every later chunk dropped.
  void submit(const ChunkRecord& chunk, SummaryBuilder& summary, bool lasting = false);
  // Reads every queued chunk into `summary`, in order; throws as submit does.
  void drain(SummaryBuilder& summary);

  // Bytes held in chunk buffers (inputs and outputs), for tests of the memory bound.
  size_t buffer_capacity() const;
  size_t queued() const { return count_; }

 private:
  struct Job;

  void read_oldest(SummaryBuilder& summary);
  void read_now(const ChunkRecord& chunk, SummaryBuilder& summary);
  void drop_queued();
  void start_workers();
  void work();
  Job* oldest_queued();  // under mu_
  void run_locked(Job& job, std::unique_lock<std::mutex>& lock);
  static void decode(Job& job);

  const unsigned threads_;
  const uint64_t max_queued_bytes_;
  uint64_t inline_bytes_left_;  // chunk bytes still to read at once before threads start
  ChunkDecoder inline_;  // threads_ == 1
  std::vector<std::unique_ptr<Job>> jobs_;  // a ring: jobs_[(head_ + k) % size], k < count_
  size_t head_ = 0;
  size_t count_ = 0;
  uint64_t queued_bytes_ = 0;
  std::vector<std::thread> workers_;

  mutable std::mutex mu_;  // guards Job::state, waiting_ and stop_
  std::condition_variable work_ready_;
  std::condition_variable job_done_;
  size_t waiting_ = 0;  // jobs in state kQueued
  bool stop_ = false;
};

}  // namespace argus
