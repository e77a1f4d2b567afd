import { EngineError, EngineStatus } from '../errors.js';
import type { NativeLibrary } from '../native-library/library.js';
import { keyBytes } from './key-bytes.js';
import { rateLimitBindings } from './native-bindings.js';
import { NativeRateLimitTable } from './native-table.js';
import { resolveTableOptions } from './options.js';
import type { RateLimitEngine } from './types.js';

/** The ratelimit primitives over libgopher_mcp_c. */
export function createNativeRateLimitEngine(library: NativeLibrary): RateLimitEngine {
  const b = rateLimitBindings(library);
  return {
    createRateLimitTable: (options) => new NativeRateLimitTable(b, resolveTableOptions(options)),
    hashRateLimitKey: (key, hashKey) => {
      if (!(hashKey instanceof Uint8Array) || hashKey.length !== 8) {
        throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'ratelimit: hashKey must be 8 bytes');
      }
      const bytes = keyBytes(key);
      b.library.check(b.hashKey(hashKey, bytes, bytes.length, b.words), 'ratelimit hash');
      return (BigInt(b.words[1] as number) << 32n) | BigInt(b.words[0] as number);
    },
  };
}
