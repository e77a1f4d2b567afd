// The 64-bit identity of a rate-limit key: HalfSipHash-1-3 with a 64-bit output, keyed by the
// table's 8-byte hash key. Written from the published algorithm (Aumasson & Bernstein); the
// TypeScript twin (src/engine/ratelimit/key-hash.ts) computes the same function.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gmcp::ratelimit {

namespace detail {

inline uint32_t rotate_left(uint32_t value, int bits) noexcept { return (value << bits) | (value >> (32 - bits)); }

inline uint32_t load_le32(const uint8_t *bytes) noexcept {
  return static_cast<uint32_t>(bytes[0]) | static_cast<uint32_t>(bytes[1]) << 8 |
         static_cast<uint32_t>(bytes[2]) << 16 | static_cast<uint32_t>(bytes[3]) << 24;
}

struct SipState {
  uint32_t v0, v1, v2, v3;

  void round() noexcept {
    v0 += v1;
    v1 = rotate_left(v1, 5);
    v1 ^= v0;
    v0 = rotate_left(v0, 16);
    v2 += v3;
    v3 = rotate_left(v3, 8);
    v3 ^= v2;
    v0 += v3;
    v3 = rotate_left(v3, 7);
    v3 ^= v0;
    v2 += v1;
    v1 = rotate_left(v1, 13);
    v1 ^= v2;
    v2 = rotate_left(v2, 16);
  }
};

}  // namespace detail

/**
 * HalfSipHash-c-d with a 64-bit output: the low 32 bits are the first output word, the high 32 bits
 * the second. HalfSipHash-2-4 matches the reference vectors (vectors_hsip64); tables use 1-3.
 */
template <int CompressionRounds, int FinalizationRounds>
uint64_t half_siphash64(const uint8_t hash_key[8], const uint8_t *data, size_t length) noexcept {
  const uint32_t k0 = detail::load_le32(hash_key);
  const uint32_t k1 = detail::load_le32(hash_key + 4);
  detail::SipState s{k0, k1 ^ 0xeeu, 0x6c796765u ^ k0, 0x74656462u ^ k1};
  size_t offset = 0;
  for (; offset + 4 <= length; offset += 4) {
    const uint32_t word = detail::load_le32(data + offset);
    s.v3 ^= word;
    for (int i = 0; i < CompressionRounds; ++i) s.round();
    s.v0 ^= word;
  }
  uint32_t last = static_cast<uint32_t>(length) << 24;
  for (size_t i = 0; offset + i < length; ++i) last |= static_cast<uint32_t>(data[offset + i]) << (8 * i);
  s.v3 ^= last;
  for (int i = 0; i < CompressionRounds; ++i) s.round();
  s.v0 ^= last;
  s.v2 ^= 0xeeu;
  for (int i = 0; i < FinalizationRounds; ++i) s.round();
  const uint32_t low = s.v1 ^ s.v3;
  s.v1 ^= 0xddu;
  for (int i = 0; i < FinalizationRounds; ++i) s.round();
  const uint32_t high = s.v1 ^ s.v3;
  return static_cast<uint64_t>(high) << 32 | low;
}

/** The identity of a key in a table: HalfSipHash-1-3 (64-bit output) of its bytes. */
inline uint64_t key_hash(const uint8_t hash_key[8], const uint8_t *data, size_t length) noexcept {
  return half_siphash64<1, 3>(hash_key, data, length);
}

}  // namespace gmcp::ratelimit
