import { describe, expect, it } from 'vitest';

import { seededRandom } from '../src/index.js';
import { RollingWindow } from '../src/circuit-breaker/rolling-window.js';

/** Every call kept with its slice: what the window must count at any time. */
function reference(windowMs: number, buckets: number) {
  const slice = Math.max(1, windowMs / buckets);
  let calls: Array<{ epoch: number; slot: number; failure: boolean; slow: boolean }> = [];
  return {
    record(now: number, failure: boolean, slow: boolean) {
      const epoch = Math.floor(now / slice);
      const slot = ((epoch % buckets) + buckets) % buckets;
      // A slot reused for another slice forgets what it held; slices older than the window fall out.
      calls = calls.filter((c) => c.epoch >= epoch - buckets + 1 && !(c.slot === slot && c.epoch !== epoch));
      calls.push({ epoch, slot, failure, slow });
    },
    counts(now: number) {
      const oldest = Math.floor(now / slice) - buckets + 1;
      calls = calls.filter((c) => c.epoch >= oldest);
      return { total: calls.length, failures: calls.filter((c) => c.failure).length, slow: calls.filter((c) => c.slow).length };
    },
  };
}

describe('RollingWindow', () => {
  it('counts the calls of the last windowMs, one slice falling out at a time', () => {
    const window = new RollingWindow(1000, 4);
    window.record(0, true, false);
    window.record(100, false, true);
    window.record(260, true, true);
    expect(window.counts(260)).toEqual({ total: 3, failures: 2, slow: 2 });
    expect([window.total, window.failureCount, window.slowCount]).toEqual([3, 2, 2]);
    // At 1000 the slice [0, 250) has fallen out; at 1250 the slice [250, 500) too.
    expect(window.counts(999)).toEqual({ total: 3, failures: 2, slow: 2 });
    expect(window.counts(1000)).toEqual({ total: 1, failures: 1, slow: 1 });
    expect(window.counts(1250)).toEqual({ total: 0, failures: 0, slow: 0 });
    window.record(1250, false, false);
    window.reset();
    expect(window.counts(1250)).toEqual({ total: 0, failures: 0, slow: 0 });
    window.record(1251, true, false);
    expect(window.counts(1251)).toEqual({ total: 1, failures: 1, slow: 0 });
  });

  it('agrees with a list of every call, clock going back included', () => {
    const random = seededRandom(99);
    const window = new RollingWindow(600, 6);
    const model = reference(600, 6);
    let now = 5000;
    for (let i = 0; i < 3000; i++) {
      const r = random();
      if (r < 0.05) now -= Math.floor(random() * 900);
      else if (r < 0.5) now += Math.floor(random() * 150);
      if (random() < 0.7) {
        const failure = random() < 0.4;
        const slow = random() < 0.3;
        window.record(now, failure, slow);
        model.record(now, failure, slow);
        expect([window.total, window.failureCount, window.slowCount]).toEqual(Object.values(model.counts(now)));
      } else {
        expect(window.counts(now)).toEqual(model.counts(now));
      }
    }
  });
});
