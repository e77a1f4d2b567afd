import { JsRateLimitTable } from './js-table.js';
import { keyBytes } from './key-bytes.js';
import { keyHashBigInt } from './key-hash.js';
import { resolveTableOptions } from './options.js';
import type { RateLimitEngine } from './types.js';
import { EngineError, EngineStatus } from '../errors.js';

/** The TypeScript twin of the ratelimit primitives. */
export function createJsRateLimitEngine(): RateLimitEngine {
  return {
    createRateLimitTable: (options) => new JsRateLimitTable(resolveTableOptions(options)),
    hashRateLimitKey: (key, hashKey) => {
      if (!(hashKey instanceof Uint8Array) || hashKey.length !== 8) {
        throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'ratelimit: hashKey must be 8 bytes');
      }
      return keyHashBigInt(hashKey, keyBytes(key));
    },
  };
}
