import { describe, expect, it } from 'vitest';

import { ManualClock, type Engine } from '@gopher-mcp/core';

import { engineTitle, testEngines } from '../../core/test/helpers/engines.js';
import { seededRandom } from '../src/index.js';
import { MemoryRateLimitStore, tableOptions } from '../src/rate-limit/memory-store.js';
import { combineDecisions, type Charge, type StoreDecision, type StoreLimit } from '../src/rate-limit/store.js';

const LIMITS: readonly StoreLimit[] = [
  { name: 'bucket', algorithm: 'token_bucket', limit: 5, windowMs: 1000, capacity: 7 },
  { name: 'sliding', algorithm: 'sliding_window', limit: 9, windowMs: 700, capacity: 9 },
  { name: 'fixed', algorithm: 'fixed_window', limit: 6, windowMs: 500, capacity: 6 },
  { name: 'leaky', algorithm: 'leaky_bucket', limit: 4, windowMs: 300, capacity: 5 },
];

/** The store's contract done the plain way: check every table, take from all only when every check allowed. */
function referenceStore(engine: Engine, limits: readonly StoreLimit[]) {
  const tables = limits.map((limit) => engine.createRateLimitTable(tableOptions(limit, 1000, undefined)));
  const made = { checks: 0 };
  return {
    tables,
    made,
    decide(charges: readonly Charge[], cost: number, now: number): StoreDecision {
      if (charges.length === 1) {
        const d = (tables[charges[0]!.index] as (typeof tables)[number]).take(charges[0]!.key, now, cost);
        return { allowed: d.allowed, binding: 0, remaining: d.remaining, retryAfterMs: d.retryAfterMs };
      }
      made.checks += charges.length;
      const checks = charges.map((c) => tables[c.index]!.check(c.key, now, cost));
      if (checks.some((d) => !d.allowed)) return combineDecisions(checks);
      return combineDecisions(charges.map((c) => tables[c.index]!.take(c.key, now, cost)));
    },
  };
}

for (const engine of testEngines()) {
  describe(`MemoryRateLimitStore — ${engineTitle(engine)}`, () => {
    it('decides exactly as check-all-then-take-all, while skipping the checks it knows allow', () => {
      const random = seededRandom(20260125);
      const clock = new ManualClock(0);
      const store = new MemoryRateLimitStore(engine, LIMITS, { maxKeys: 1000, pruneIntervalMs: 0 }, clock);
      const reference = referenceStore(engine, LIMITS);
      const keys = ['alice', 'bob', 'carol'];
      let checksMade = 0;
      const tables = store.engineTables;
      const counted = tables.map((table) => {
        const check = table.check.bind(table);
        return Object.assign(table, {
          check: (...args: Parameters<typeof check>) => {
            checksMade++;
            return check(...args);
          },
        });
      });
      expect(counted).toHaveLength(4);
      const decisions: string[] = [];
      for (let step = 0; step < 4000; step++) {
        // Mostly the same key again (the case the store remembers), sometimes another; several limits at once.
        const key = random() < 0.7 ? (keys[0] as string) : (keys[Math.floor(random() * keys.length)] as string);
        const first = Math.floor(random() * LIMITS.length);
        const count = 1 + Math.floor(random() * (LIMITS.length - first));
        const charges: Charge[] = [];
        for (let i = first; i < first + count; i++) charges.push({ index: i, key: `${i % 2 === 0 ? key : `${key}|echo`}` });
        const cost = random() < 0.1 ? 0 : random() < 0.8 ? 1 : 1 + Math.floor(random() * 8);
        if (random() < 0.3) clock.advance(Math.floor(random() * 120));
        const got = store.decide(charges, cost, clock.now());
        const expected = reference.decide(charges, cost, clock.now());
        expect(got).toEqual(expected);
        decisions.push(got.allowed ? 'allowed' : 'denied');
      }
      // Both outcomes occurred and the tables hold the same counts (how many checks are skipped: next test).
      expect(decisions).toContain('allowed');
      expect(decisions).toContain('denied');
      expect(store.engineTables.map((t) => ({ ...t.stats(), memoryBytes: 0 }))).toEqual(reference.tables.map((t) => ({ ...t.stats(), memoryBytes: 0 })));
      expect(checksMade).toBeGreaterThan(0);
      expect(reference.made.checks).toBeGreaterThan(0);
      store.close();
      for (const table of reference.tables) table.close();
    });

    it('takes from every limit without a check when the same key has room left over, and checks again at the edge', () => {
      const clock = new ManualClock(0);
      const limits: StoreLimit[] = [
        { name: 'a', algorithm: 'fixed_window', limit: 3, windowMs: 1000, capacity: 3 },
        { name: 'b', algorithm: 'fixed_window', limit: 10, windowMs: 1000, capacity: 10 },
      ];
      const store = new MemoryRateLimitStore(engine, limits, { maxKeys: 10, pruneIntervalMs: 0 }, clock);
      const checked: string[] = [];
      for (const [i, table] of store.engineTables.entries()) {
        const check = table.check.bind(table);
        Object.assign(table, { check: (key: string, now: number, cost?: number) => (checked.push(`${i}:${key}`), check(key, now, cost)) });
      }
      const charges: Charge[] = [
        { index: 0, key: 'k' },
        { index: 1, key: 'k' },
      ];
      const outcomes = [1, 2, 3, 4].map(() => {
        checked.length = 0;
        const d = store.decide(charges, 1, clock.now());
        return `${d.allowed ? 'allowed' : 'denied'} ${d.remaining} checks=${checked.join(',')}`;
      });
      expect(outcomes).toEqual([
        // Nothing remembered yet: both checked.
        'allowed 2 checks=0:k,1:k',
        // 2 left in a and 9 in b (both >= cost + 1): no check.
        'allowed 1 checks=',
        // 1 left in a: checked (the margin), 8 in b: not.
        'allowed 0 checks=0:k',
        // 0 left in a: checked, denied; b then checked for the combined decision.
        'denied 0 checks=0:k,0:k,1:k',
      ]);
      store.close();
    });
  });
}
