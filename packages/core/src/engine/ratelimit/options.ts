import { webcrypto } from 'node:crypto';

import { EngineError, EngineStatus } from '../errors.js';
import { Algorithm, defaultIdleTimeout, MICRO, type Params } from './algorithms.js';
import type { RateLimitAlgorithm, RateLimitTableOptions } from './types.js';

/** The largest cost or limit: 2^32 - 1. */
export const MAX_COST = 4294967295;
/** The largest clock value, and the largest limit * windowMs: 2^52. */
export const MAX_CLOCK = 4503599627370496;
/** The longest window: 2^40 ms. */
export const MAX_WINDOW_MS = 1099511627776;
/** The largest maxKeys: 2^28. */
export const MAX_KEYS = 268435456;
/** The smallest rate per second of the buckets. */
export const MIN_RATE = 1e-9;
/** The largest rate per second of the buckets. */
export const MAX_RATE = 1e12;

/** Options of a table, validated, in the form both engines build from. */
export interface ResolvedTableOptions {
  readonly algorithm: RateLimitAlgorithm;
  readonly params: Params;
  /** Rate per second (buckets) or 0. */
  readonly ratePerSecond: number;
  readonly maxKeys: number;
  /** The idle timeout asked for, or -1 for the algorithm's default. */
  readonly requestedIdleTimeoutMs: number;
  /** The effective idle timeout (0: off). */
  readonly idleTimeoutMs: number;
  readonly hashKey: Uint8Array;
}

const codes: Record<RateLimitAlgorithm, number> = {
  'token-bucket': Algorithm.TOKEN_BUCKET,
  'sliding-window': Algorithm.SLIDING_WINDOW,
  'fixed-window': Algorithm.FIXED_WINDOW,
  'leaky-bucket': Algorithm.LEAKY_BUCKET,
};

function invalid(message: string): EngineError {
  return new EngineError(EngineStatus.INVALID_ARGUMENT, `ratelimit: ${message}`);
}

function isIntegerIn(value: unknown, low: number, high: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= low && value <= high;
}

/** Validates table options (the same rules as gmcp_ratelimit_create) and derives the parameters. */
export function resolveTableOptions(options: RateLimitTableOptions): ResolvedTableOptions {
  const algorithm = options?.algorithm;
  const code = codes[algorithm];
  if (code === undefined) throw invalid(`unknown algorithm ${String(algorithm)}`);
  const bucket = options.algorithm === 'token-bucket' || options.algorithm === 'leaky-bucket';
  const limit = bucket ? options.capacity : options.limit;
  if (!isIntegerIn(limit, 1, MAX_COST)) throw invalid(`${bucket ? 'capacity' : 'limit'} must be an integer in [1, 2^32-1]`);
  if (!isIntegerIn(options.maxKeys, 1, MAX_KEYS)) throw invalid('maxKeys must be an integer in [1, 2^28]');
  const idle = options.idleTimeoutMs;
  if (idle !== undefined && !isIntegerIn(idle, 0, Number.MAX_SAFE_INTEGER)) throw invalid('idleTimeoutMs must be an integer >= 0');
  let hashKey = options.hashKey;
  if (hashKey === undefined) {
    hashKey = webcrypto.getRandomValues(new Uint8Array(8));
  } else if (!(hashKey instanceof Uint8Array) || hashKey.length !== 8) {
    throw invalid('hashKey must be 8 bytes');
  } else {
    hashKey = Uint8Array.from(hashKey);
  }
  let params: Params;
  let ratePerSecond = 0;
  if (options.algorithm === 'token-bucket' || options.algorithm === 'leaky-bucket') {
    ratePerSecond = options.algorithm === 'token-bucket' ? options.refillPerSecond : options.leakPerSecond;
    if (!(typeof ratePerSecond === 'number' && ratePerSecond >= MIN_RATE && ratePerSecond <= MAX_RATE)) {
      throw invalid(`${options.algorithm === 'token-bucket' ? 'refillPerSecond' : 'leakPerSecond'} must be in [1e-9, 1e12]`);
    }
    params = { algorithm: code, limit, limitMicro: limit * MICRO, perMs: ratePerSecond * 1000, windowMs: 0, limitWindow: 0 };
  } else {
    const windowMs = options.windowMs;
    if (!isIntegerIn(windowMs, 1, MAX_WINDOW_MS)) throw invalid('windowMs must be an integer in [1, 2^40]');
    if (!(limit * windowMs <= MAX_CLOCK)) throw invalid('limit * windowMs must be <= 2^52');
    params = { algorithm: code, limit, limitMicro: 0, perMs: 0, windowMs, limitWindow: limit * windowMs };
  }
  return {
    algorithm,
    params,
    ratePerSecond,
    maxKeys: options.maxKeys,
    requestedIdleTimeoutMs: idle ?? -1,
    idleTimeoutMs: idle ?? defaultIdleTimeout(params),
    hashKey,
  };
}

/** Validates a clock value (a number of ms in [0, 2^52]). */
export function checkNow(nowMs: number): void {
  if (!(typeof nowMs === 'number' && nowMs >= 0 && nowMs <= MAX_CLOCK)) throw invalid('now must be a number of ms in [0, 2^52]');
}

/** Validates a cost (an integer in [0, 2^32-1]). */
export function checkCost(cost: number): void {
  if (!isIntegerIn(cost, 0, MAX_COST)) throw invalid('cost must be an integer in [0, 2^32-1]');
}

/** The error of a call on a closed table. */
export function closedTableError(): EngineError {
  return new EngineError(EngineStatus.STATE, 'ratelimit: the table is closed');
}
