import { describe, expect, it } from 'vitest';

import { AttributeBag, attributeKey, type AttributeKey } from '../../src/index.js';

describe('AttributeBag', () => {
  it('keeps typed values per key object (two keys with one name are different keys)', () => {
    const bag = new AttributeBag();
    const a = attributeKey<number>('same');
    const b = attributeKey<number>('same');
    bag.set(a, 1);
    expect(bag.get(a)).toBe(1);
    expect(bag.get(b)).toBeUndefined();
    expect(bag.has(b)).toBe(false);
  });

  it('behaves as a Map over 3000 seeded random operations on five keys (inline slots and overflow)', () => {
    const keys: AttributeKey<unknown>[] = Array.from({ length: 5 }, (_, i) => attributeKey<unknown>(`k${i}`));
    const bag = new AttributeBag();
    const model = new Map<AttributeKey<unknown>, unknown>();
    let state = 7;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    for (let step = 0; step < 3000; step++) {
      const key = keys[next(keys.length)] as AttributeKey<unknown>;
      const op = next(4);
      if (op === 0 || op === 1) {
        bag.set(key, step);
        model.set(key, step);
      } else if (op === 2) {
        expect(bag.delete(key), `step ${step}`).toBe(model.delete(key));
      }
      for (const k of keys) {
        expect(bag.get(k), `step ${step} ${k.name}`).toBe(model.get(k));
        expect(bag.has(k)).toBe(model.has(k));
      }
    }
  });
});
