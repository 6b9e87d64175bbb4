// The reader's input: bytes received but not yet consumed, in one contiguous buffer, and the
// awaitables a reader coroutine uses to wait for more of them.
#pragma once

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <memory>

#include "bytes.hpp"
#include "errors.hpp"

namespace argus {

class Input {
 public:
  // Consumer side -------------------------------------------------------------------------
  size_t avail() const { return tail_ - head_; }
  const uint8_t* data() const { return base_ + head_; }
  // True while data() points into bytes lent by lend(), which outlive the reading.
  bool lent() const { return base_ != nullptr && base_ != buf_.get(); }
  uint64_t pos() const { return pos_; }               // file offset of data()[0]
  uint64_t received() const { return pos_ + avail(); }  // bytes delivered so far
  bool eof() const { return eof_; }
  void consume(size_t n) {
    head_ += n;
    pos_ += n;
    if (head_ == tail_) {
      head_ = tail_ = 0;
      if (lent()) {  // the lent bytes are all read: back to the own buffer
        base_ = buf_.get();
      } else if (cap_ > kShrinkAbove) {  // an oversized record has passed: give it back
        buf_.reset();
        base_ = nullptr;
        cap_ = 0;
      }
    }
  }

  // Awaitable: true when n contiguous bytes are available, false when the data ended first.
  struct Need {
    Input& in;
    size_t n;
    bool await_ready() const noexcept { return in.avail() >= n || in.eof_; }
    void await_suspend(std::coroutine_handle<> h) noexcept {
      in.want_ = n;
      in.waiter_ = h;
    }
    bool await_resume() const noexcept { return in.avail() >= n; }
  };
  Need need(size_t n) { return Need{*this, n}; }

  // Awaitable: a little-endian integer of `width` bytes, consumed; RecordTruncated at the end.
  struct Uint {
    Input& in;
    size_t width;
    bool await_ready() const noexcept { return in.avail() >= width || in.eof_; }
    void await_suspend(std::coroutine_handle<> h) noexcept {
      in.want_ = width;
      in.waiter_ = h;
    }
    uint64_t await_resume() const {
      if (in.avail() < width) throw RecordTruncated{};
      const uint8_t* p = in.data();
      uint64_t v = 0;
      switch (width) {
        case 1: v = p[0]; break;
        case 2: v = load_u16(p); break;
        case 4: v = load_u32(p); break;
        default: v = load_u64(p); break;
      }
      in.consume(width);
      return v;
    }
  };
  Uint u8() { return Uint{*this, 1}; }
  Uint u16() { return Uint{*this, 2}; }
  Uint u32() { return Uint{*this, 4}; }
  Uint u64() { return Uint{*this, 8}; }

  // Producer side -------------------------------------------------------------------------
  // Room for at least n more bytes at the tail; write them, then commit().
  uint8_t* prepare(size_t n) {
    if (lent() || cap_ - tail_ < n) make_room(n);
    return buf_.get() + tail_;
  }
  size_t room() const { return cap_ - tail_; }
  // Reads `n` bytes in place, without a copy; nothing may be buffered (avail() == 0), else
  // they are appended. They must stay valid and unchanged until the reading ends. Bytes not
  // consumed when more come are copied into the own buffer then (one partial record at most).
  void lend(const uint8_t* p, size_t n) {
    if (avail() > 0) {
      append(p, n);
      return;
    }
    base_ = p;
    head_ = 0;
    tail_ = n;
  }
  void commit(size_t n) { tail_ += n; }
  void append(const uint8_t* p, size_t n) {
    if (n == 0) return;
    std::memcpy(prepare(n), p, n);
    commit(n);
  }
  void set_eof() { eof_ = true; }
  size_t capacity() const { return cap_; }  // of the own buffer: lent bytes are not counted

  // Driver side: the suspended reader, and how many contiguous bytes it waits for.
  bool ready_to_resume() const { return waiter_ && (avail() >= want_ || eof_); }
  size_t want() const { return want_; }
  std::coroutine_handle<> take_waiter() {
    std::coroutine_handle<> h = waiter_;
    waiter_ = {};
    return h;
  }

 private:
  void make_room(size_t n) {
    const size_t live = avail();
    size_t want_cap = cap_;
    if (want_cap < live + n) want_cap = std::max(live + n, cap_ + cap_ / 2);
    if (want_cap != cap_) {
      std::unique_ptr<uint8_t[]> bigger(new uint8_t[want_cap]);
      if (live) std::memcpy(bigger.get(), base_ + head_, live);
      buf_ = std::move(bigger);
      cap_ = want_cap;
    } else if (lent()) {
      if (live) std::memcpy(buf_.get(), base_ + head_, live);
    } else if (head_ > 0) {
      std::memmove(buf_.get(), buf_.get() + head_, live);
    }
    base_ = buf_.get();
    head_ = 0;
    tail_ = live;
  }

  static constexpr size_t kShrinkAbove = 64u << 20;
  std::unique_ptr<uint8_t[]> buf_;
  const uint8_t* base_ = nullptr;  // buf_, or the bytes lent by lend()
  size_t cap_ = 0;  // of buf_
  size_t head_ = 0;
  size_t tail_ = 0;
  uint64_t pos_ = 0;
  bool eof_ = false;
  size_t want_ = 0;
  std::coroutine_handle<> waiter_;
};

}  // namespace argus
