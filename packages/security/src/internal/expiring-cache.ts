/** One cached value, linked into the recency list (newest first). */
interface Entry<V> {
  readonly key: string;
  value: V;
  expiresAt: number;
  newer: Entry<V> | undefined;
  older: Entry<V> | undefined;
}

/**
 * A bounded map whose entries expire at a given time: least recently used entries are evicted
 * first when full. Time is passed in by the caller (the injected clock), never read here.
 * Recency is an intrusive doubly linked list, so a hit moves two pointers instead of deleting
 * and re-inserting its key in the Map (which leaves a hole V8 has to compact).
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private newest: Entry<V> | undefined;
  private oldest: Entry<V> | undefined;

  constructor(private readonly maxEntries: number) {}

  /** The value of `key` if present and not expired at `now`. */
  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.remove(entry);
      return undefined;
    }
    if (entry !== this.newest) {
      this.unlink(entry);
      this.pushNewest(entry);
    }
    return entry.value;
  }

  /** Stores `value` until `expiresAt` (ignored when the cache holds nothing or it already expired). */
  set(key: string, value: V, expiresAt: number, now: number): void {
    if (this.maxEntries === 0 || expiresAt <= now) return;
    const existing = this.entries.get(key);
    if (existing !== undefined) this.remove(existing);
    const entry: Entry<V> = { key, value, expiresAt, newer: undefined, older: undefined };
    this.entries.set(key, entry);
    this.pushNewest(entry);
    while (this.entries.size > this.maxEntries && this.oldest !== undefined) this.remove(this.oldest);
  }

  clear(): void {
    this.entries.clear();
    this.newest = undefined;
    this.oldest = undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The keys from the least to the most recently used (tests, diagnostics). */
  keysByRecency(): string[] {
    const keys: string[] = [];
    for (let entry = this.oldest; entry !== undefined; entry = entry.newer) keys.push(entry.key);
    return keys;
  }

  private remove(entry: Entry<V>): void {
    this.entries.delete(entry.key);
    this.unlink(entry);
  }

  private unlink(entry: Entry<V>): void {
    if (entry.newer === undefined) this.newest = entry.older;
    else entry.newer.older = entry.older;
    if (entry.older === undefined) this.oldest = entry.newer;
    else entry.older.newer = entry.newer;
    entry.newer = undefined;
    entry.older = undefined;
  }

  private pushNewest(entry: Entry<V>): void {
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest === undefined) this.oldest = entry;
    else this.newest.newer = entry;
    this.newest = entry;
  }
}
