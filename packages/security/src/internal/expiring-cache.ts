import { LruMap } from '@gopher-mcp/core';

/** A cached value and when it stops being valid. */
interface Expiring<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/**
 * A bounded map whose entries expire at a given time: least recently used entries are evicted
 * first when full (core's {@link LruMap}). Time is passed in by the caller (the injected clock),
 * never read here.
 */
export class ExpiringCache<V> {
  private readonly entries: LruMap<string, Expiring<V>>;

  constructor(private readonly maxEntries: number) {
    this.entries = new LruMap(maxEntries);
  }

  /** The value of `key` if present and not expired at `now` (a hit makes it the most recently used). */
  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Stores `value` until `expiresAt` (ignored when the cache holds nothing or it already expired). */
  set(key: string, value: V, expiresAt: number, now: number): void {
    if (this.maxEntries === 0 || expiresAt <= now) return;
    this.entries.set(key, { value, expiresAt });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The keys from the least to the most recently used (tests, diagnostics). */
  keysByRecency(): string[] {
    return Array.from(this.entries.entries(), ([key]) => key);
  }
}
