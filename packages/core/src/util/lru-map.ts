/** One entry, linked into the recency list. */
interface Node<K, V> {
  readonly key: K;
  value: V;
  newer: Node<K, V> | undefined;
  older: Node<K, V> | undefined;
}

/**
 * A Map bounded to `capacity` entries that forgets the least recently used one first: the one LRU
 * the families share (circuits, sticky sessions, verified tokens). `get`
 * refreshes an entry's recency; `peek` does not. Recency is an intrusive doubly linked list, so a
 * hit moves two pointers (and nothing when the entry already is the newest) instead of deleting
 * and re-inserting its key in the Map. Iteration goes from the least to the most recently used.
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, Node<K, V>>();
  private newest: Node<K, V> | undefined;
  private oldest: Node<K, V> | undefined;

  constructor(
    readonly capacity: number,
    /** Called with each entry pushed out by the bound (not by `delete`). */
    private readonly onEvict?: (key: K, value: V) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const node = this.map.get(key);
    if (node === undefined) return undefined;
    if (node !== this.newest) {
      this.unlink(node);
      this.pushNewest(node);
    }
    return node.value;
  }

  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    const existing = this.map.get(key);
    if (existing !== undefined) {
      existing.value = value;
      if (existing !== this.newest) {
        this.unlink(existing);
        this.pushNewest(existing);
      }
      return;
    }
    const node: Node<K, V> = { key, value, newer: undefined, older: undefined };
    this.map.set(key, node);
    this.pushNewest(node);
    while (this.map.size > this.capacity) {
      const oldest = this.oldest;
      if (oldest === undefined) break;
      this.map.delete(oldest.key);
      this.unlink(oldest);
      this.onEvict?.(oldest.key, oldest.value);
    }
  }

  delete(key: K): boolean {
    const node = this.map.get(key);
    if (node === undefined) return false;
    this.map.delete(key);
    this.unlink(node);
    return true;
  }

  *values(): IterableIterator<V> {
    for (let node = this.oldest; node !== undefined; node = node.newer) yield node.value;
  }

  *entries(): IterableIterator<[K, V]> {
    for (let node = this.oldest; node !== undefined; node = node.newer) yield [node.key, node.value];
  }

  clear(): void {
    this.map.clear();
    this.newest = undefined;
    this.oldest = undefined;
  }

  private unlink(node: Node<K, V>): void {
    if (node.newer === undefined) this.newest = node.older;
    else node.newer.older = node.older;
    if (node.older === undefined) this.oldest = node.newer;
    else node.older.newer = node.newer;
    node.newer = undefined;
    node.older = undefined;
  }

  private pushNewest(node: Node<K, V>): void {
    node.older = this.newest;
    node.newer = undefined;
    if (this.newest === undefined) this.oldest = node;
    else this.newest.newer = node;
    this.newest = node;
  }
}
