import { matchAnyGlob } from '@gopher-mcp/core';
import { describe, expect, it } from 'vitest';

import { ExpiringCache } from '../src/internal/expiring-cache.js';
import { compileGlobs } from '../src/internal/glob-matcher.js';

describe('ExpiringCache', () => {
  it('evicts the least recently used entry when full; a hit makes an entry the most recent', () => {
    const cache = new ExpiringCache<string>(3);
    cache.set('a', 'A', 100, 0);
    cache.set('b', 'B', 100, 0);
    cache.set('c', 'C', 100, 0);
    expect(cache.get('a', 1)).toBe('A');
    cache.set('d', 'D', 100, 1);
    expect(cache.keysByRecency()).toEqual(['c', 'a', 'd']);
    expect(cache.get('b', 1)).toBeUndefined();
    // Storing a key again replaces it and makes it the most recent.
    cache.set('c', 'C2', 100, 1);
    expect(cache.keysByRecency()).toEqual(['a', 'd', 'c']);
    expect(cache.get('c', 1)).toBe('C2');
    expect(cache.size).toBe(3);
  });

  it('expires an entry at its time exactly, and never stores an expired one or into a zero-size cache', () => {
    const cache = new ExpiringCache<string>(2);
    cache.set('a', 'A', 50, 0);
    cache.set('late', 'L', 10, 10);
    expect(cache.size).toBe(1);
    expect(cache.get('a', 49)).toBe('A');
    expect(cache.get('a', 50)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.keysByRecency()).toEqual([]);
    const none = new ExpiringCache<string>(0);
    none.set('a', 'A', 50, 0);
    expect(none.size).toBe(0);
    cache.set('b', 'B', 100, 0);
    cache.clear();
    expect(cache.keysByRecency()).toEqual([]);
    cache.set('c', 'C', 100, 0);
    expect(cache.keysByRecency()).toEqual(['c']);
  });

  it('matches a recency-ordered Map model over a long random sequence', () => {
    let seed = 11;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const cache = new ExpiringCache<number>(4);
    const model = new Map<string, { value: number; expiresAt: number }>();
    let now = 0;
    for (let i = 0; i < 5000; i++) {
      const key = `k${next(7)}`;
      now += next(3);
      if (next(3) === 0) {
        const expiresAt = now + next(40);
        cache.set(key, i, expiresAt, now);
        if (expiresAt > now) {
          model.delete(key);
          model.set(key, { value: i, expiresAt });
          while (model.size > 4) model.delete(model.keys().next().value as string);
        }
      } else {
        const entry = model.get(key);
        let expected: number | undefined;
        if (entry !== undefined) {
          model.delete(key);
          if (entry.expiresAt > now) {
            model.set(key, entry);
            expected = entry.value;
          }
        }
        expect(cache.get(key, now)).toBe(expected);
      }
      expect(cache.keysByRecency()).toEqual([...model.keys()]);
    }
  });
});

describe('compiled glob lists', () => {
  it('decide every value as matchAnyGlob does', () => {
    const lists = [[], ['*'], ['**'], ['echo'], ['echo', 'slow'], ['notifications/*'], ['tools/*', 'ping'], ['file:///**', 'a?c'], ['a.b', 'x+y', '(z)']];
    const values = ['', 'echo', 'slow', 'echo2', 'notifications/initialized', 'notifications/a/b', 'tools/call', 'ping', 'file:///tmp/x/y', 'abc', 'a/c', 'a.b', 'axb', 'x+y', '(z)', 'z'];
    for (const globs of lists) {
      const matcher = compileGlobs(globs);
      for (const value of values) expect([globs, value, matcher(value)]).toEqual([globs, value, matchAnyGlob(globs, value)]);
    }
  });
});
