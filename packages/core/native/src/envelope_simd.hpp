// SSE2 helpers of the envelope scanner (baseline x86-64; callers keep a portable scalar path).
#pragma once

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>

namespace gmcp {
namespace envelope {

// Bit i set when byte i of the 16 at p needs attention inside a string: '"', '\\', a control byte or
// any byte >= 0x80 (the signed compare makes 0x80..0xFF negative, so "< 0x20" catches them too).
inline uint32_t special_mask16(const uint8_t *p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
  const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                       _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
  return static_cast<uint32_t>(_mm_movemask_epi8(special));
}

// special_mask16 for the 64 bytes at p: bit i for byte i.
inline uint64_t special_mask64(const uint8_t *p) {
  return static_cast<uint64_t>(special_mask16(p)) | (static_cast<uint64_t>(special_mask16(p + 16)) << 16) |
         (static_cast<uint64_t>(special_mask16(p + 32)) << 32) | (static_cast<uint64_t>(special_mask16(p + 48)) << 48);
}

// Validates the 64 bytes at p (p is at a sequence boundary) as UTF-8 up to the first '"', '\\' or
// control byte, with SSE2 compares and 64-bit masks. Returns how many bytes are known good (ending
// on a sequence boundary; a sequence crossing that point is left for the next call), or -1 when
// something is wrong (the caller then finds the exact error with the scalar reference).
inline int utf8_block64(const uint8_t *p) {
  uint64_t nonascii = 0, special = 0, ge40 = 0, ge42 = 0, ge60 = 0, ge70 = 0, ge75 = 0, lt90 = 0, lta0 = 0;
  uint64_t e0 = 0, ed = 0, f0 = 0, f4 = 0;
  const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
  for (int i = 0; i < 4; ++i) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + 16 * i));
    // x = v - 0x80 as signed bytes: 0x80..0xBF -> 0x00..0x3F, 0xC0..0xFF -> 0x40..0x7F, ASCII negative.
    const __m128i x = _mm_xor_si128(v, flip);
    auto bits = [i](__m128i m) { return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(m))) << (16 * i); };
    nonascii |= bits(v);
    special |= bits(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                                 _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))));
    ge40 |= bits(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x3F)));
    ge42 |= bits(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x41)));
    ge60 |= bits(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x5F)));
    ge70 |= bits(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x6F)));
    ge75 |= bits(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x74)));
    lt90 |= bits(_mm_cmplt_epi8(x, _mm_set1_epi8(0x10)));
    lta0 |= bits(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
    e0 |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xE0))));
    ed |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xED))));
    f0 |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xF0))));
    f4 |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(0xF4))));
  }
  special &= ~nonascii;                       // '"', '\\', 0x00..0x1F
  const uint64_t cont = nonascii & ~ge40;     // 0x80..0xBF
  const uint64_t lead2 = ge42 & ~ge60;        // 0xC2..0xDF
  const uint64_t lead3 = ge60 & ~ge70;        // 0xE0..0xEF
  const uint64_t lead4 = ge70 & ~ge75;        // 0xF0..0xF4
  const uint64_t bad = (ge40 & ~ge42) | ge75; // 0xC0, 0xC1, 0xF5..0xFF
  int limit = special != 0 ? __builtin_ctzll(special) : 64;
  // Leave a sequence that does not end before `limit` for the next call.
  auto below = [](int n) { return n >= 64 ? ~uint64_t{0} : n <= 0 ? uint64_t{0} : (uint64_t{1} << n) - 1; };
  const uint64_t crossing = (lead2 & below(limit) & ~below(limit - 1)) | (lead3 & below(limit) & ~below(limit - 2)) |
                            (lead4 & below(limit) & ~below(limit - 3));
  if (crossing != 0) limit = __builtin_ctzll(crossing);
  const uint64_t required = ((lead2 | lead3 | lead4) << 1) | ((lead3 | lead4) << 2) | (lead4 << 3);
  const uint64_t errors = (required ^ cont) | bad | ((e0 << 1) & cont & lta0) | ((ed << 1) & cont & ~lta0) |
                          ((f0 << 1) & cont & lt90) | ((f4 << 1) & cont & ~lt90);
  return (errors & below(limit)) != 0 ? -1 : limit;
}


}  // namespace envelope
}  // namespace gmcp

#endif  // __SSE2__
