import { describe, expect, it } from 'vitest';

import { createBufferPool, EngineError, EngineStatus } from '../src/index.js';
import { engineTitle, testEngines } from './helpers/engines.js';

for (const engine of [undefined, ...testEngines()]) {
  describe(`buffer API for users — ${engine === undefined ? 'default (js twin)' : engineTitle(engine)}`, () => {
    it('acquires and releases slabs, writes in place, fires watermarks and reports statistics', () => {
      const pool = createBufferPool({ slabSize: 8, maxSlabs: 3, ...(engine === undefined ? {} : { engine }) });
      const crossings: string[] = [];
      const buffer = pool.createBuffer({ lowWatermark: 4, highWatermark: 10, onWatermark: (side) => crossings.push(side) });
      expect(buffer.add(Buffer.from('{"a":1}\n'))).toBeNull();
      const space = buffer.reserve(8);
      space.set(Buffer.from('{"b":22}'));
      expect(buffer.commit(8)).toBe('high');
      expect(buffer.length).toBe(16);
      expect(buffer.search(Buffer.from('\n'))).toBe(7);
      expect(Buffer.from(buffer.linearize(8)).toString()).toBe('{"a":1}\n');
      expect(Buffer.from(buffer.peek()).toString()).toBe('{"a":1}\n{"b":22}');
      expect(pool.stats()).toMatchObject({ slabSize: 8, slabsMax: 3, slabsInUse: 2, highWater: 2 });
      expect(() => buffer.add(Buffer.alloc(9))).toThrow(EngineError);
      try {
        buffer.add(Buffer.alloc(9));
      } catch (error) {
        expect((error as EngineError).status).toBe(EngineStatus.OUT_OF_MEMORY);
      }
      expect(buffer.length).toBe(16);
      expect(buffer.drain(12)).toBe('low');
      expect(crossings).toEqual(['high', 'low']);
      buffer.close();
      const stats = pool.stats();
      expect(stats.slabsInUse).toBe(0);
      expect(stats.failedAcquires).toBeGreaterThanOrEqual(2);
      pool.close();
    });
  });
}
