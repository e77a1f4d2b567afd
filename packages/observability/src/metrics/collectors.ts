import type { Engine } from '@gopher-mcp/core';

import { registerCollected, type CollectedSample } from './custom-metric.js';
import type { AnyRegistry } from './registry-type.js';

/** The statistics of a core buffer pool (`BufferPool.stats()`). */
export type BufferPoolStats = ReturnType<ReturnType<Engine['createBufferPool']>['stats']>;

/** Anything that reports buffer pool statistics (a core `BufferPool`). */
export interface BufferPoolStatsSource {
  stats(): BufferPoolStats;
}

/** Buffer pools to report, by the name their series carry; or a function giving them at scrape time. */
export type BufferPoolsOption = Readonly<Record<string, BufferPoolStatsSource>> | (() => Readonly<Record<string, BufferPoolStatsSource>>);

/** Where the collectors find the engine of the chain the metrics filter was created in. */
export interface EngineHolder {
  engine: Engine | undefined;
}

/**
 * Registers the scrape-time metrics of the engine (`{ns}_engine_info{kind, source}`) and, when
 * given, of buffer pools (`{ns}_buffer_pool_*{pool}`): slabs in use and free, the maximum, the
 * high-water mark, the slab size, and acquire / release / failed-acquire counters. Pools that are
 * closed are skipped.
 */
export function registerEngineCollectors(
  registry: AnyRegistry,
  namespace: string,
  constLabels: Readonly<Record<string, string>>,
  holder: EngineHolder,
  pools: BufferPoolsOption | undefined,
): void {
  const ns = namespace;
  const withConst = (labels: Record<string, string>): Record<string, string> => ({ ...labels, ...constLabels });
  registerCollected(registry, {
    name: `${ns}_engine_info`,
    help: 'The engine the chain runs on (native library or TypeScript twin): always 1.',
    type: 'gauge',
    collect: () => (holder.engine === undefined ? [] : [{ labels: withConst({ kind: holder.engine.kind, source: holder.engine.source }), value: 1 }]),
  });
  if (pools === undefined) return;
  const snapshot = (): Array<[string, BufferPoolStats]> => {
    const current = typeof pools === 'function' ? pools() : pools;
    const out: Array<[string, BufferPoolStats]> = [];
    for (const [name, pool] of Object.entries(current)) {
      try {
        out.push([name, pool.stats()]);
      } catch {
        // A closed pool refuses stats(): it has nothing more to report.
      }
    }
    return out;
  };
  const perPool = (read: (stats: BufferPoolStats) => number) => (): CollectedSample[] =>
    snapshot().map(([pool, stats]) => ({ labels: withConst({ pool }), value: read(stats) }));
  registerCollected(registry, {
    name: `${ns}_buffer_pool_slabs`,
    help: 'Slabs of a buffer pool by state: in_use (held by a buffer) or free (allocated and cached).',
    type: 'gauge',
    collect: () =>
      snapshot().flatMap(([pool, stats]) => [
        { labels: withConst({ pool, state: 'in_use' }), value: stats.slabsInUse },
        { labels: withConst({ pool, state: 'free' }), value: stats.slabsFree },
      ]),
  });
  registerCollected(registry, { name: `${ns}_buffer_pool_slabs_max`, help: 'The most slabs a buffer pool may allocate.', type: 'gauge', collect: perPool((s) => s.slabsMax) });
  registerCollected(registry, { name: `${ns}_buffer_pool_slabs_high_water`, help: 'The most slabs a buffer pool ever had in use.', type: 'gauge', collect: perPool((s) => s.highWater) });
  registerCollected(registry, { name: `${ns}_buffer_pool_slab_size_bytes`, help: 'Bytes per slab of a buffer pool.', type: 'gauge', collect: perPool((s) => s.slabSize) });
  registerCollected(registry, { name: `${ns}_buffer_pool_acquires_total`, help: 'Slab acquisitions of a buffer pool.', type: 'counter', collect: perPool((s) => s.acquires) });
  registerCollected(registry, { name: `${ns}_buffer_pool_releases_total`, help: 'Slabs returned to a buffer pool.', type: 'counter', collect: perPool((s) => s.releases) });
  registerCollected(registry, {
    name: `${ns}_buffer_pool_failed_acquires_total`,
    help: 'Operations a buffer pool refused because it was exhausted.',
    type: 'counter',
    collect: perPool((s) => s.failedAcquires),
  });
}
