import { Mode } from './algorithms.js';
import { encodeKeyInto, keyBytes } from './key-bytes.js';
import { IO_KEY_CAPACITY, IO_KEY_OFFSET, IO_SIZE, type RateLimitBindings } from './native-bindings.js';
import { checkCost, checkNow, closedTableError, type ResolvedTableOptions } from './options.js';
import type { RateLimitAlgorithm, RateLimitDecision, RateLimitKey, RateLimitStats, RateLimitTable } from './types.js';

/** String keys up to this many UTF-16 units that do not fit the mailbox are handed to koffi as strings. */
const MAX_STRING_ARGUMENT = 1024;

/**
 * A {@link RateLimitTable} owning a native `gmcp_ratelimit_table`. Every koffi argument costs, so
 * decisions go through the table's mailbox (`gmcp_ratelimit_io`, viewed from JS without copying):
 * mode, clock, cost and the key's UTF-8 bytes are written to it and `gmcp_ratelimit_decide_io`
 * takes the handle only (the cheapest path measured, see bench/results/ratelimit.md). Strings that
 * do not fit the mailbox go to koffi as strings (`gmcp_ratelimit_decide_io_string`); keys holding
 * U+0000 among those, longer strings and longer byte keys go through `gmcp_ratelimit_decide` with
 * their bytes passed by pointer.
 */
export class NativeRateLimitTable implements RateLimitTable {
  readonly algorithm: RateLimitAlgorithm;
  readonly maxKeys: number;
  readonly idleTimeoutMs: number;
  private handle: bigint | null;
  /** mode, now_ms, cost, key_length, allowed, remaining, retry_after_ms, reserved. */
  private readonly io: Float64Array;
  private readonly ioKey: Uint8Array;

  constructor(
    private readonly b: RateLimitBindings,
    options: ResolvedTableOptions,
  ) {
    this.algorithm = options.algorithm;
    this.maxKeys = options.maxKeys;
    const p = options.params;
    const limit = p.limit;
    b.library.check(
      b.create(p.algorithm, limit, options.ratePerSecond, p.windowMs, options.maxKeys, options.requestedIdleTimeoutMs, options.hashKey, b.pointerOut),
      'ratelimit create',
    );
    const handle = b.pointerOut[0] as bigint;
    this.handle = handle;
    b.registry.register(this, handle, this);
    const status = b.ioBlock(handle, b.pointerOut);
    if (status !== 0) {
      this.close();
      b.library.check(status, 'ratelimit io block');
    }
    const view = b.library.koffi.view(b.pointerOut[0] as bigint, IO_SIZE);
    this.idleTimeoutMs = this.readStats()[6] as number;
    this.io = new Float64Array(view, 0, 8);
    this.ioKey = new Uint8Array(view, IO_KEY_OFFSET, IO_KEY_CAPACITY);
  }

  get size(): number {
    return this.readStats()[0] as number;
  }

  get closed(): boolean {
    return this.handle === null;
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
    const handle = this.open();
    const bytes = keyBytes(key);
    const b = this.b;
    b.library.check(b.resetKey(handle, bytes, bytes.length, b.int32), 'ratelimit reset');
    return b.int32[0] === 1;
  }

  prune(nowMs: number): number {
    const handle = this.open();
    checkNow(nowMs);
    const b = this.b;
    b.library.check(b.prune(handle, nowMs, b.doubles), 'ratelimit prune');
    return b.doubles[0] as number;
  }

  clear(): void {
    const handle = this.open();
    this.b.library.check(this.b.clear(handle), 'ratelimit clear');
  }

  stats(): RateLimitStats {
    const s = this.readStats();
    return {
      keys: s[0] as number,
      evictions: s[1] as number,
      expired: s[2] as number,
      allowed: s[3] as number,
      denied: s[4] as number,
      memoryBytes: s[5] as number,
    };
  }

  close(): void {
    const handle = this.handle;
    if (handle === null) return;
    this.handle = null;
    this.b.registry.unregister(this);
    this.b.free(handle);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private open(): bigint {
    if (this.handle === null) throw closedTableError();
    return this.handle;
  }

  private readStats(): Float64Array {
    const handle = this.open();
    const b = this.b;
    b.library.check(b.stats(handle, b.doubles), 'ratelimit stats');
    return b.doubles;
  }

  private run(mode: number, key: RateLimitKey, nowMs: number, cost: number): RateLimitDecision {
    const handle = this.open();
    checkNow(nowMs);
    checkCost(cost);
    const io = this.io;
    const b = this.b;
    io[0] = mode;
    io[1] = nowMs;
    io[2] = cost;
    if (typeof key === 'string') {
      const length = key.length <= IO_KEY_CAPACITY ? encodeKeyInto(key, this.ioKey) : -1;
      if (length >= 0) {
        io[3] = length;
        const status = b.decideIo(handle);
        if (status !== 0) b.library.check(status, 'ratelimit decide');
        return { allowed: io[4] === 1, remaining: io[5] as number, retryAfterMs: io[6] as number };
      }
      if (key.length <= MAX_STRING_ARGUMENT) {
        io[3] = key.length;
        const status = b.decideIoString(handle, key);
        if (status !== 0) b.library.check(status, 'ratelimit decide');
        if (io[4] !== -1) return { allowed: io[4] === 1, remaining: io[5] as number, retryAfterMs: io[6] as number };
      }
    } else if (key instanceof Uint8Array && key.length <= IO_KEY_CAPACITY) {
      this.ioKey.set(key);
      io[3] = key.length;
      const status = b.decideIo(handle);
      if (status !== 0) b.library.check(status, 'ratelimit decide');
      return { allowed: io[4] === 1, remaining: io[5] as number, retryAfterMs: io[6] as number };
    }
    const bytes = keyBytes(key);
    const out = b.doubles;
    b.library.check(b.decide(handle, mode, bytes, bytes.length, nowMs, cost, out), 'ratelimit decide');
    return { allowed: out[0] === 1, remaining: out[1] as number, retryAfterMs: out[2] as number };
  }
}
