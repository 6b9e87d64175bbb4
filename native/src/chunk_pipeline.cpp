#include "chunk_pipeline.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string>

#include "limits.hpp"

namespace argus {

// One chunk on its way through the pipeline. The reader's thread fills it (state kFree, no
// lock needed: nobody else looks at free jobs), a decoding thread owns it while kRunning, and
// the reader's thread reads its records once it is kDone.
struct ChunkPipeline::Job {
  enum State { kFree, kQueued, kRunning, kDone };

  void take(const ChunkRecord& chunk, bool lasting) {
    compression = *chunk.compression;
    record = chunk;
    record.compression = &compression;
    error = nullptr;
    if (lasting) return;  // read in place: the bytes outlive the job
    if (chunk.size > input_capacity) {
      const size_t wanted = with_headroom(chunk.size);
      input.reset();
      input_capacity = 0;
      input.reset(new uint8_t[wanted]);
      input_capacity = wanted;
    } else if (input_capacity > (64u << 20) && chunk.size < input_capacity / 4) {
      input.reset(new uint8_t[chunk.size ? chunk.size : 1]);  // one huge chunk has passed
      input_capacity = chunk.size;
    }
    if (chunk.size) std::memcpy(input.get(), chunk.data, chunk.size);
    record.data = input.get();
  }

  // What a chunk costs while queued: its bytes and its output (as declared, capped as the
  // decoder caps it).
  uint64_t cost() const { return cost_of(record); }
  static uint64_t cost_of(const ChunkRecord& chunk) {
    return chunk.size + std::min(chunk.uncompressed_size, kMaxRecordBytes);
  }

  void release() {
    input.reset();
    input_capacity = 0;
    decoder.release();
    capacity.store(0, std::memory_order_relaxed);
  }

  State state = kFree;
  ChunkDecoder decoder;
  std::unique_ptr<uint8_t[]> input;
  size_t input_capacity = 0;
  std::string compression;
  ChunkRecord record{};
  ChunkBytes out{};
  std::exception_ptr error;
  std::atomic<size_t> capacity{0};  // input + decoder buffer, published after each decode
};

ChunkPipeline::ChunkPipeline(unsigned threads, uint64_t max_queued_bytes,
                             uint64_t threads_from_bytes)
    : threads_(std::max(1u, threads)),
      max_queued_bytes_(max_queued_bytes),
      inline_bytes_left_(threads_from_bytes) {}

ChunkPipeline::~ChunkPipeline() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ChunkPipeline::decode(Job& job) {
  try {
    job.out = job.decoder.decode(job.record);
  } catch (...) {
    job.error = std::current_exception();
  }
  job.capacity.store(job.input_capacity + job.decoder.buffer_capacity(), std::memory_order_relaxed);
}

void ChunkPipeline::start_workers() {
  // Started with the first chunk queued: after `threads_from_bytes` of chunks read at once.
  while (workers_.size() + 1 < threads_) workers_.emplace_back([this] { work(); });
}

ChunkPipeline::Job* ChunkPipeline::oldest_queued() {
  for (size_t k = 0; k < count_; ++k) {
    Job& candidate = *jobs_[(head_ + k) % jobs_.size()];
    if (candidate.state == Job::kQueued) return &candidate;
  }
  return nullptr;
}

void ChunkPipeline::run_locked(Job& job, std::unique_lock<std::mutex>& lock) {
  job.state = Job::kRunning;
  --waiting_;
  lock.unlock();
  decode(job);
  lock.lock();
  job.state = Job::kDone;
  job_done_.notify_all();
}

void ChunkPipeline::work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_ready_.wait(lock, [this] { return stop_ || waiting_ > 0; });
    if (stop_) return;
    // The oldest queued chunk first: it is the one the reader will wait for next.
    run_locked(*oldest_queued(), lock);
  }
}

void ChunkPipeline::read_now(const ChunkRecord& chunk, SummaryBuilder& summary) {
  drain(summary);  // the chunks before it first: file order
  read_chunk_records(inline_.decode(chunk), chunk.offset, summary);
}

void ChunkPipeline::submit(const ChunkRecord& chunk, SummaryBuilder& summary, bool lasting) {
  const uint64_t cost = Job::cost_of(chunk);
  if (threads_ == 1 || cost > max_queued_bytes_ || inline_bytes_left_ > 0) {
    inline_bytes_left_ -= std::min(inline_bytes_left_, cost);
    read_now(chunk, summary);
    return;
  }
  if (jobs_.empty()) {  // the first chunk queued: the jobs (and their decoders) are made now
    for (unsigned k = 0; k < threads_ + 1; ++k) jobs_.push_back(std::make_unique<Job>());
  }
  while (count_ == jobs_.size() || queued_bytes_ + cost > max_queued_bytes_) {
    read_oldest(summary);
  }
  start_workers();
  Job& job = *jobs_[(head_ + count_) % jobs_.size()];
  job.take(chunk, lasting);
  job.capacity.store(job.input_capacity + job.decoder.buffer_capacity(), std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    job.state = Job::kQueued;
    ++count_;
    ++waiting_;
  }
  queued_bytes_ += cost;
  work_ready_.notify_one();
}

void ChunkPipeline::drain(SummaryBuilder& summary) {
  while (count_ > 0) read_oldest(summary);
}

void ChunkPipeline::read_oldest(SummaryBuilder& summary) {
  Job& job = *jobs_[head_];
  {
    // Rather than wait idle for a worker, decode: the oldest chunk itself if nobody started
    // it, else any queued one (it will be read soon after), until the oldest is done.
    std::unique_lock<std::mutex> lock(mu_);
    while (job.state != Job::kDone) {
      if (Job* next = oldest_queued()) {
        run_locked(*next, lock);
      } else {
        job_done_.wait(lock);
      }
    }
  }
  try {
    if (job.error) std::rethrow_exception(job.error);
    read_chunk_records(job.out, job.record.offset, summary);
  } catch (...) {
    drop_queued();  // reading stops at this chunk: the ones after it are never read
    throw;
  }
  // A done job keeps its buffers for a later chunk only if its chunk cost at most its share
  // of the budget, so buffers left by big chunks do not add up across the ring. The chunk's
  // cost, not the buffers' size: with their headroom (with_headroom) a chunk just under the
  // share would otherwise give its buffers back, and the next one allocate them again.
  if (job.cost() > max_queued_bytes_ / jobs_.size()) job.release();
  std::lock_guard<std::mutex> lock(mu_);
  job.state = Job::kFree;
  queued_bytes_ -= job.cost();
  head_ = (head_ + 1) % jobs_.size();
  if (--count_ == 0) head_ = 0;  // a shallow queue reuses the same few jobs
}

void ChunkPipeline::drop_queued() {
  std::unique_lock<std::mutex> lock(mu_);
  for (size_t k = 0; k < count_; ++k) {
    Job& job = *jobs_[(head_ + k) % jobs_.size()];
    if (job.state == Job::kQueued) {
      job.state = Job::kDone;
      --waiting_;
    }
  }
  // A job being decoded still uses its buffers: wait for it before they can be reused.
  for (size_t k = 0; k < count_; ++k) {
    Job& job = *jobs_[(head_ + k) % jobs_.size()];
    job_done_.wait(lock, [&job] { return job.state == Job::kDone; });
    job.state = Job::kFree;
  }
  head_ = 0;
  count_ = 0;
  queued_bytes_ = 0;
}

size_t ChunkPipeline::buffer_capacity() const {
  size_t total = inline_.buffer_capacity();
  for (const auto& job : jobs_) total += job->capacity.load(std::memory_order_relaxed);
  return total;
}

}  // namespace argus
