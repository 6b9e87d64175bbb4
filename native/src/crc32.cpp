#include "crc32.hpp"

#include <zlib.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace argus {

uint32_t crc32_portable(const uint8_t* data, size_t len, uint32_t crc) {
  // zlib takes uInt lengths; feed it in pieces so that lengths above 4 GiB stay correct.
  while (len > 0) {
    const size_t piece = len > (1u << 30) ? (1u << 30) : len;
    crc = static_cast<uint32_t>(::crc32(crc, data, static_cast<uInt>(piece)));
    data += piece;
    len -= piece;
  }
  return crc;
}

#if defined(__x86_64__)
namespace {

// The end of both foldings: four 128-bit lanes x1..x4 (the last 64 bytes folded), the bytes
// after them (`len` < 64, a multiple of 16) folded in, then reduced to 32 bits.
__attribute__((target("pclmul,sse4.1"))) uint32_t crc32_finish(__m128i x1, __m128i x2,
                                                              __m128i x3, __m128i x4,
                                                              const uint8_t* buf, size_t len) {
  const __m128i k3k4 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
  const __m128i k5k0 = _mm_set_epi64x(0x0000000000, 0x0163cd6124);
  const __m128i poly = _mm_set_epi64x(0x01f7011641, 0x01db710641);
  __m128i x5;

  // Fold the four lanes into one.
  x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
  x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), x2), x5);
  x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
  x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), x3), x5);
  x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
  x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), x4), x5);

  while (len >= 16) {
    x2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf));
    x5 = _mm_clmulepi64_si128(x1, k3k4, 0x00);
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k3k4, 0x11), x2), x5);
    buf += 16;
    len -= 16;
  }

  // 128 -> 64 bits.
  x2 = _mm_clmulepi64_si128(x1, k3k4, 0x10);
  const __m128i mask32 = _mm_setr_epi32(~0, 0, ~0, 0);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), x2);
  x2 = _mm_srli_si128(x1, 4);
  x1 = _mm_and_si128(x1, mask32);
  x1 = _mm_xor_si128(_mm_clmulepi64_si128(x1, k5k0, 0x00), x2);

  // Barrett reduction to 32 bits.
  x2 = _mm_and_si128(x1, mask32);
  x2 = _mm_clmulepi64_si128(x2, poly, 0x10);
  x2 = _mm_and_si128(x2, mask32);
  x2 = _mm_clmulepi64_si128(x2, poly, 0x00);
  x1 = _mm_xor_si128(x1, x2);
  return static_cast<uint32_t>(_mm_extract_epi32(x1, 1));
}

// Folding with PCLMULQDQ as in Intel's "Fast CRC Computation for Generic Polynomials Using
// PCLMULQDQ Instruction" (2009), for the bit-reflected polynomial 0x104C11DB7: four 128-bit
// lanes folded 64 bytes at a time, then to one lane, then Barrett reduction to 32 bits.
// Constants are x^n mod P for the fold distances, P' and mu, bit-reflected (paper appendix):
// folding a lane by D bits multiplies its halves by x^(D+32) and x^(D-32) mod P.
__attribute__((target("pclmul,sse4.1"))) uint32_t crc32_clmul(const uint8_t* buf, size_t len,
                                                             uint32_t crc) {
  // Requires len >= 64 and len % 16 == 0; `crc` is the pre-inverted running value.
  const __m128i k1k2 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);  // D = 512

  __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + 0x00));
  __m128i x2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + 0x10));
  __m128i x3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + 0x20));
  __m128i x4 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + 0x30));
  x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128(static_cast<int>(crc)));
  buf += 64;
  len -= 64;

  while (len >= 64) {
    const __m128i x5 = _mm_clmulepi64_si128(x1, k1k2, 0x00);
    const __m128i x6 = _mm_clmulepi64_si128(x2, k1k2, 0x00);
    const __m128i x7 = _mm_clmulepi64_si128(x3, k1k2, 0x00);
    const __m128i x8 = _mm_clmulepi64_si128(x4, k1k2, 0x00);
    x1 = _mm_clmulepi64_si128(x1, k1k2, 0x11);
    x2 = _mm_clmulepi64_si128(x2, k1k2, 0x11);
    x3 = _mm_clmulepi64_si128(x3, k1k2, 0x11);
    x4 = _mm_clmulepi64_si128(x4, k1k2, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x5),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + 0x00)));
    x2 = _mm_xor_si128(_mm_xor_si128(x2, x6),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + 0x10)));
    x3 = _mm_xor_si128(_mm_xor_si128(x3, x7),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + 0x20)));
    x4 = _mm_xor_si128(_mm_xor_si128(x4, x8),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + 0x30)));
    buf += 64;
    len -= 64;
  }
  return crc32_finish(x1, x2, x3, x4, buf, len);
}

// GCC 12's AVX-512 intrinsics headers trip -Wuninitialized on their own placeholder operands.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#define ARGUS_VCLMUL_TARGET __attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.1")))

// Four lanes folded forward by the distance of `k`, onto the four lanes `next`.
ARGUS_VCLMUL_TARGET inline __m512i fold(__m512i x, __m512i k, __m512i next) {
  return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, k, 0x00),
                                   _mm512_clmulepi64_epi128(x, k, 0x11), next, 0x96);  // xor3
}

ARGUS_VCLMUL_TARGET inline __m512i load(const uint8_t* p) { return _mm512_loadu_si512(p); }

// The same folding with 512-bit VPCLMULQDQ (AVX-512): a zmm register holds four lanes, so one
// register folds 64 bytes with the D = 512 constants, and four registers fold 256 bytes per
// step with the D = 2048 ones (x^2080 and x^2016 mod P) — four times the bytes per
// instruction, and four independent chains to hide the multiplier's latency.
ARGUS_VCLMUL_TARGET uint32_t crc32_vclmul(const uint8_t* buf, size_t len, uint32_t crc) {
  // Requires len >= 256 and len % 16 == 0; `crc` is the pre-inverted running value.
  const __m512i k512 = _mm512_broadcast_i32x4(_mm_set_epi64x(0x01c6e41596, 0x0154442bd4));
  const __m512i k2048 = _mm512_broadcast_i32x4(_mm_set_epi64x(0x01322d1430, 0x011542778a));
  __m512i z0 = _mm512_xor_si512(load(buf), _mm512_zextsi128_si512(
                                               _mm_cvtsi32_si128(static_cast<int>(crc))));
  __m512i z1 = load(buf + 64);
  __m512i z2 = load(buf + 128);
  __m512i z3 = load(buf + 192);
  buf += 256;
  len -= 256;
  while (len >= 256) {
    z0 = fold(z0, k2048, load(buf));
    z1 = fold(z1, k2048, load(buf + 64));
    z2 = fold(z2, k2048, load(buf + 128));
    z3 = fold(z3, k2048, load(buf + 192));
    buf += 256;
    len -= 256;
  }
  z0 = fold(z0, k512, z1);
  z0 = fold(z0, k512, z2);
  z0 = fold(z0, k512, z3);
  while (len >= 64) {
    z0 = fold(z0, k512, load(buf));
    buf += 64;
    len -= 64;
  }
  return crc32_finish(_mm512_extracti32x4_epi32(z0, 0), _mm512_extracti32x4_epi32(z0, 1),
                      _mm512_extracti32x4_epi32(z0, 2), _mm512_extracti32x4_epi32(z0, 3), buf,
                      len);
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

bool have_clmul() {
  static const bool ok = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return ok;
}

bool have_vclmul() {
  static const bool ok = have_clmul() && __builtin_cpu_supports("avx512f") &&
                         __builtin_cpu_supports("avx512vl") &&
                         __builtin_cpu_supports("vpclmulqdq");
  return ok;
}

}  // namespace

uint32_t crc32(const uint8_t* data, size_t len, uint32_t crc) {
  if (len >= 256 && have_vclmul()) {
    const size_t body = len & ~static_cast<size_t>(15);
    crc = ~crc32_vclmul(data, body, ~crc);
    data += body;
    len -= body;
  } else if (len >= 64 && have_clmul()) {
    const size_t body = len & ~static_cast<size_t>(15);
    crc = ~crc32_clmul(data, body, ~crc);
    data += body;
    len -= body;
  }
  return len ? crc32_portable(data, len, crc) : crc;
}
#else
uint32_t crc32(const uint8_t* data, size_t len, uint32_t crc) {
  return crc32_portable(data, len, crc);
}
#endif

}  // namespace argus
