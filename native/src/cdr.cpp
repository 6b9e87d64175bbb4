#include "cdr.hpp"

#include "bytes.hpp"
#include "errors.hpp"
#include "utf8.hpp"

namespace argus {
namespace {

class Cdr {
 public:
  Cdr(const uint8_t* data, size_t len) : buf_(data), len_(len) {
    if (len < 4) throw DecodeError("shorter than the 4-byte CDR encapsulation header");
    if (data[0] != 0 || data[1] > 1) {
      throw DecodeError("unsupported CDR encapsulation 0x" + hex2(data[0]) + hex2(data[1]));
    }
    little_ = data[1] == 1;
  }

  uint8_t u8() {
    need(1);
    return buf_[pos_++];
  }

  uint32_t u32() {
    pos_ += (4 - (pos_ - 4) % 4) % 4;  // alignment counts from the end of the header
    need(4);
    const uint32_t v = little_ ? load_u32(buf_ + pos_) : load_u32_be(buf_ + pos_);
    pos_ += 4;
    return v;
  }

  // Skips the string when `out` is null (it is still validated, as the reference does).
  void string(std::string* out) {
    const uint32_t size = u32();
    need(size);
    const uint8_t* raw = buf_ + pos_;
    pos_ += size;
    size_t n = size;
    if (n > 0 && raw[n - 1] == 0) --n;
    if (!valid_utf8(raw, n)) throw DecodeError("string is not valid UTF-8");
    if (out) out->assign(reinterpret_cast<const char*>(raw), n);
  }

  // Every element takes at least one byte: a larger count is corrupt, not a huge list.
  uint32_t count() {
    const uint32_t size = u32();
    if (size > len_ - pos_) {
      throw DecodeError("sequence of " + dec(uint64_t{size}) + " elements cannot fit in the data");
    }
    return size;
  }

 private:
  void need(uint64_t size) {
    if (pos_ + size > len_) {
      throw DecodeError("needs " + dec(size) + " bytes at offset " + dec(uint64_t{pos_}) +
                        ", data ends");
    }
  }

  const uint8_t* buf_;
  size_t len_;
  size_t pos_ = 4;
  bool little_ = true;
};

}  // namespace

CdrLog decode_cdr_log(const uint8_t* data, size_t len) {
  Cdr cdr(data, len);
  CdrLog log;
  cdr.u32();  // stamp.sec
  cdr.u32();  // stamp.nanosec
  log.level = cdr.u8();
  cdr.string(&log.node);
  cdr.string(&log.message);
  cdr.string(nullptr);  // file
  cdr.string(nullptr);  // function
  cdr.u32();            // line
  return log;
}

void decode_cdr_diagnostics(const uint8_t* data, size_t len, std::vector<CdrStatus>& out) {
  out.clear();
  Cdr cdr(data, len);
  cdr.u32();  // header.stamp.sec
  cdr.u32();  // header.stamp.nanosec
  cdr.string(nullptr);  // header.frame_id
  const uint32_t statuses = cdr.count();
  for (uint32_t i = 0; i < statuses; ++i) {
    CdrStatus status;
    status.level = cdr.u8();
    cdr.string(&status.name);
    cdr.string(&status.message);
    cdr.string(&status.hardware_id);
    const uint32_t values = cdr.count();
    for (uint32_t k = 0; k < values; ++k) {
      cdr.string(nullptr);  // key
      cdr.string(nullptr);  // value
    }
    out.push_back(std::move(status));
  }
}

}  // namespace argus
