import { describe, expect, it } from 'vitest';

import { LruMap } from '../../src/index.js';

describe('LruMap', () => {
  it('evicts the least recently used entry; get refreshes recency, peek does not', () => {
    const evicted: string[] = [];
    const lru = new LruMap<string, number>(3, (key, value) => evicted.push(`${key}=${value}`));
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    expect(lru.get('a')).toBe(1);
    expect(lru.peek('b')).toBe(2);
    lru.set('d', 4);
    expect(evicted).toEqual(['b=2']);
    expect([...lru.entries()]).toEqual([
      ['c', 3],
      ['a', 1],
      ['d', 4],
    ]);
    // Setting an existing key replaces its value and makes it the newest, evicting nothing.
    lru.set('c', 30);
    expect([...lru.values()]).toEqual([1, 4, 30]);
    lru.set('e', 5);
    expect(evicted).toEqual(['b=2', 'a=1']);
    expect(lru.size).toBe(3);
  });

  it('deletes and clears without calling onEvict, and keeps order consistent afterwards', () => {
    const evicted: string[] = [];
    const lru = new LruMap<string, number>(2, (key) => evicted.push(key));
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.delete('a')).toBe(true);
    expect(lru.delete('a')).toBe(false);
    expect(lru.get('a')).toBeUndefined();
    lru.set('c', 3);
    expect([...lru.entries()]).toEqual([
      ['b', 2],
      ['c', 3],
    ]);
    // The newest read again stays newest; the oldest read becomes newest.
    expect(lru.get('c')).toBe(3);
    expect(lru.get('b')).toBe(2);
    lru.set('d', 4);
    expect(evicted).toEqual(['c']);
    lru.clear();
    expect(lru.size).toBe(0);
    expect([...lru.values()]).toEqual([]);
    lru.set('x', 9);
    expect([...lru.entries()]).toEqual([['x', 9]]);
    expect(evicted).toEqual(['c']);
  });

  it('matches a Map kept in recency order over a long random sequence', () => {
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const lru = new LruMap<number, number>(5);
    const model = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const key = next(9);
      const op = next(4);
      if (op === 0) {
        model.delete(key);
        model.set(key, i);
        while (model.size > 5) model.delete(model.keys().next().value as number);
        lru.set(key, i);
      } else if (op === 1) {
        const value = model.get(key);
        if (value !== undefined) {
          model.delete(key);
          model.set(key, value);
        }
        expect(lru.get(key)).toBe(value);
      } else if (op === 2) {
        expect(lru.delete(key)).toBe(model.delete(key));
      } else {
        expect(lru.peek(key)).toBe(model.get(key));
      }
      expect([...lru.entries()]).toEqual([...model.entries()]);
    }
  });
});
