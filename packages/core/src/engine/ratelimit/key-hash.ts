/**
 * HalfSipHash-1-3 with a 64-bit output, the identity of a rate-limit key (the same function as
 * native/src/ratelimit_hash.hpp, written from the published algorithm of Aumasson & Bernstein;
 * with 2 compression and 4 finalization rounds it gives the reference HalfSipHash-2-4 vectors).
 * 32-bit arithmetic only: `| 0` keeps every sum in int32, `>>> 0` makes the outputs unsigned.
 */

/** The two 32-bit words of a key's hash (the last one computed; JS is single-threaded). */
export const keyHashWords = new Uint32Array(2);

/** Reads a little-endian uint32 from an 8-byte hash key. */
export function hashKeyWord(hashKey: Uint8Array, offset: number): number {
  return (
    ((hashKey[offset] as number) |
      ((hashKey[offset + 1] as number) << 8) |
      ((hashKey[offset + 2] as number) << 16) |
      ((hashKey[offset + 3] as number) << 24)) >>>
    0
  );
}

/**
 * Hashes the first `length` bytes of `bytes` under the hash key words (k0, k1) and writes
 * {low, high} to {@link keyHashWords}. `compressionRounds` / `finalizationRounds` default to 1 / 3.
 */
export function keyHash(k0: number, k1: number, bytes: Uint8Array, length: number, compressionRounds = 1, finalizationRounds = 3): void {
  let v0 = k0 | 0;
  let v1 = (k1 ^ 0xee) | 0;
  let v2 = (0x6c796765 ^ k0) | 0;
  let v3 = (0x74656462 ^ k1) | 0;
  const words = length >>> 2;
  for (let w = 0; w <= words; w++) {
    let m: number;
    const at = w << 2;
    if (w < words) {
      m = (bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16) | ((bytes[at + 3] as number) << 24);
    } else {
      m = (length & 0xff) << 24;
      for (let i = 0; at + i < length; i++) m |= (bytes[at + i] as number) << (8 * i);
    }
    v3 ^= m;
    for (let r = 0; r < compressionRounds; r++) {
      v0 = (v0 + v1) | 0;
      v1 = (v1 << 5) | (v1 >>> 27);
      v1 ^= v0;
      v0 = (v0 << 16) | (v0 >>> 16);
      v2 = (v2 + v3) | 0;
      v3 = (v3 << 8) | (v3 >>> 24);
      v3 ^= v2;
      v0 = (v0 + v3) | 0;
      v3 = (v3 << 7) | (v3 >>> 25);
      v3 ^= v0;
      v2 = (v2 + v1) | 0;
      v1 = (v1 << 13) | (v1 >>> 19);
      v1 ^= v2;
      v2 = (v2 << 16) | (v2 >>> 16);
    }
    v0 ^= m;
  }
  v2 ^= 0xee;
  let low = 0;
  for (let r = 0; r < 2 * finalizationRounds; r++) {
    if (r === finalizationRounds) {
      low = v1 ^ v3;
      v1 ^= 0xdd;
    }
    v0 = (v0 + v1) | 0;
    v1 = (v1 << 5) | (v1 >>> 27);
    v1 ^= v0;
    v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0;
    v3 = (v3 << 8) | (v3 >>> 24);
    v3 ^= v2;
    v0 = (v0 + v3) | 0;
    v3 = (v3 << 7) | (v3 >>> 25);
    v3 ^= v0;
    v2 = (v2 + v1) | 0;
    v1 = (v1 << 13) | (v1 >>> 19);
    v1 ^= v2;
    v2 = (v2 << 16) | (v2 >>> 16);
  }
  keyHashWords[0] = low;
  keyHashWords[1] = v1 ^ v3;
}

/** The 64-bit hash of `bytes` as a bigint (high word << 32 | low word). */
export function keyHashBigInt(hashKey: Uint8Array, bytes: Uint8Array, compressionRounds = 1, finalizationRounds = 3): bigint {
  keyHash(hashKeyWord(hashKey, 0), hashKeyWord(hashKey, 4), bytes, bytes.length, compressionRounds, finalizationRounds);
  return (BigInt(keyHashWords[1] as number) << 32n) | BigInt(keyHashWords[0] as number);
}
