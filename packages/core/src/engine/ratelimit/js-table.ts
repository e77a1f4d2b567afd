import type { DecisionOut } from './algorithms.js';
import { Mode } from './algorithms.js';
import { encodeKeyInto, keyBytes } from './key-bytes.js';
import { hashKeyWord, keyHash, keyHashWords } from './key-hash.js';
import { checkCost, checkNow, closedTableError, type ResolvedTableOptions } from './options.js';
import { KeyTable } from './table.js';
import type { RateLimitAlgorithm, RateLimitDecision, RateLimitKey, RateLimitStats, RateLimitTable } from './types.js';

/** A {@link RateLimitTable} of the TypeScript twin. */
export class JsRateLimitTable implements RateLimitTable {
  readonly algorithm: RateLimitAlgorithm;
  readonly maxKeys: number;
  readonly idleTimeoutMs: number;
  private table: KeyTable | null;
  private readonly k0: number;
  private readonly k1: number;
  private scratch = new Uint8Array(256);
  private readonly out: DecisionOut = { allowed: 0, remaining: 0, retryAfterMs: 0 };

  constructor(options: ResolvedTableOptions) {
    this.algorithm = options.algorithm;
    this.maxKeys = options.maxKeys;
    this.idleTimeoutMs = options.idleTimeoutMs;
    this.k0 = hashKeyWord(options.hashKey, 0);
    this.k1 = hashKeyWord(options.hashKey, 4);
    this.table = new KeyTable(options.params, options.maxKeys, options.idleTimeoutMs);
  }

  get size(): number {
    return this.open().count;
  }

  get closed(): boolean {
    return this.table === null;
  }

  take(key: RateLimitKey, nowMs: number, cost = 1): RateLimitDecision {
    return this.run(Mode.TAKE, key, nowMs, cost);
  }

  check(key: RateLimitKey, nowMs: number, cost = 1): RateLimitDecision {
    return this.run(Mode.CHECK, key, nowMs, cost);
  }

  refund(key: RateLimitKey, nowMs: number, cost = 1): void {
    this.run(Mode.REFUND, key, nowMs, cost);
  }

  reset(key: RateLimitKey): boolean {
    const table = this.open();
    this.hash(key);
    return table.removeKey(keyHashWords[0] as number, keyHashWords[1] as number);
  }

  prune(nowMs: number): number {
    const table = this.open();
    checkNow(nowMs);
    return table.prune(nowMs);
  }

  clear(): void {
    this.open().clear();
  }

  stats(): RateLimitStats {
    const t = this.open();
    return {
      keys: t.count,
      evictions: t.evictions,
      expired: t.expired,
      allowed: t.allowed,
      denied: t.denied,
      memoryBytes: t.memoryBytes() + this.scratch.byteLength,
    };
  }

  close(): void {
    this.table = null;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private open(): KeyTable {
    if (this.table === null) throw closedTableError();
    return this.table;
  }

  private run(mode: number, key: RateLimitKey, nowMs: number, cost: number): RateLimitDecision {
    const table = this.open();
    checkNow(nowMs);
    checkCost(cost);
    this.hash(key);
    const out = this.out;
    table.decide(mode, keyHashWords[0] as number, keyHashWords[1] as number, nowMs, cost, out);
    return { allowed: out.allowed === 1, remaining: out.remaining, retryAfterMs: out.retryAfterMs };
  }

  /** Hashes a key into keyHashWords. */
  private hash(key: RateLimitKey): void {
    if (typeof key === 'string') {
      let length = encodeKeyInto(key, this.scratch);
      if (length < 0) {
        const bytes = keyBytes(key);
        if (bytes.length > this.scratch.length) this.scratch = new Uint8Array(bytes.length);
        this.scratch.set(bytes);
        length = bytes.length;
      }
      keyHash(this.k0, this.k1, this.scratch, length);
    } else {
      const bytes = keyBytes(key);
      keyHash(this.k0, this.k1, bytes, bytes.length);
    }
  }
}
