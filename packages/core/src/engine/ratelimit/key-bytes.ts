import { EngineError, EngineStatus } from '../errors.js';
import type { RateLimitKey } from './types.js';

const encoder = new TextEncoder();

/**
 * Writes the UTF-8 bytes of `key` (lone surrogates become U+FFFD, as TextEncoder does) to the
 * start of `target` and returns their count, or -1 when they do not fit (target is then garbage).
 * ASCII keys take a plain loop; others go through TextEncoder.encodeInto.
 */
export function encodeKeyInto(key: string, target: Uint8Array): number {
  const length = key.length;
  if (length > target.length) return -1;
  for (let i = 0; i < length; i++) {
    const code = key.charCodeAt(i);
    if (code >= 0x80) {
      const result = encoder.encodeInto(key, target);
      return result.read === length ? result.written : -1;
    }
    target[i] = code;
  }
  return length;
}

/** The UTF-8 bytes of a key (a new array for strings, the bytes themselves otherwise). */
export function keyBytes(key: RateLimitKey): Uint8Array {
  if (typeof key === 'string') return encoder.encode(key);
  if (key instanceof Uint8Array) return key;
  throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'ratelimit: a key must be a string or a Uint8Array');
}
