import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { EngineStatus, type Engine } from '../../src/index.js';
import { keyHashBigInt } from '../../src/engine/ratelimit/key-hash.js';
import type { RateLimitKey, RateLimitTable, RateLimitTableOptions } from '../../src/engine/ratelimit/types.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { inputBytes, type InputSpec } from '../helpers/vector-input.js';

/**
 * Rate-limit conformance: every vector of vectors/ratelimit-*.json runs against both engines,
 * which must produce exactly the expected decisions, sizes, statistics and errors.
 *
 * A key is a string, `{ "bytes": InputSpec }` (a Uint8Array) or `{ "text": string, "times": n }`
 * (a long string). A table's `hashKey` is hex. Steps:
 * - `{ "take" | "check": key, "now", "cost"?, "expect": [allowed, remaining, retryAfterMs] }`
 * - `{ "refund": key, "now", "cost"? }`, `{ "reset": key, "expect": boolean }`
 * - `{ "prune": now, "expect": evicted }`, `{ "clear": true }`, `{ "close": true }`
 * - `{ "size": n }`, `{ "stats": { keys, evictions, expired, allowed, denied } }`, `{ "idleTimeoutMs": n }`
 * - `{ "error": "take" | "check" | "refund" | "prune" | "reset" | "size", "key"?, "now"?, "cost"?, "status" }`
 */

type KeySpec = string | { readonly bytes: InputSpec } | { readonly text: string; readonly times: number };
type TableSpec = Omit<RateLimitTableOptions, 'hashKey'> & { readonly hashKey?: string };
type StatsSpec = { keys: number; evictions: number; expired: number; allowed: number; denied: number };

interface Step {
  readonly take?: KeySpec;
  readonly check?: KeySpec;
  readonly refund?: KeySpec;
  readonly reset?: KeySpec;
  readonly prune?: number;
  readonly clear?: true;
  readonly close?: true;
  readonly size?: number;
  readonly stats?: StatsSpec;
  readonly idleTimeoutMs?: number;
  readonly error?: 'take' | 'check' | 'refund' | 'prune' | 'reset' | 'size';
  readonly key?: KeySpec;
  readonly now?: number;
  readonly cost?: number;
  readonly status?: keyof typeof EngineStatus;
  readonly expect?: unknown;
}

interface TableVector {
  readonly name: string;
  readonly table: TableSpec;
  readonly steps: readonly Step[];
}

interface VectorFile {
  readonly description: string;
  readonly vectors?: readonly TableVector[];
  readonly createErrors?: ReadonlyArray<{ readonly name: string; readonly table: unknown; readonly status: keyof typeof EngineStatus }>;
  readonly hashes?: ReadonlyArray<{ readonly key: KeySpec; readonly hashKey: string; readonly hash: string }>;
}

const vectorDir = join(dirname(fileURLToPath(import.meta.url)), 'vectors');
const files = readdirSync(vectorDir)
  .filter((name) => name.startsWith('ratelimit') && name.endsWith('.json'))
  .sort()
  .map((name) => ({ name, data: JSON.parse(readFileSync(join(vectorDir, name), 'utf8')) as VectorFile }));

function keyOf(spec: KeySpec): RateLimitKey {
  // Anything else than a string or an object passes through, for the misuse vectors.
  if (typeof spec !== 'object' || spec === null) return spec;
  if ('bytes' in spec) return new Uint8Array(inputBytes(spec.bytes));
  return spec.text.repeat(spec.times);
}

function tableOptions(spec: TableSpec): RateLimitTableOptions {
  const { hashKey, ...rest } = spec;
  return { ...rest, hashKey: Uint8Array.from(Buffer.from(hashKey ?? '0001020304050607', 'hex')) } as RateLimitTableOptions;
}

function decision(table: RateLimitTable, op: 'take' | 'check', key: KeySpec, now: number, cost: number | undefined): unknown[] {
  const d = cost === undefined ? table[op](keyOf(key), now) : table[op](keyOf(key), now, cost);
  return [d.allowed, d.remaining, d.retryAfterMs];
}

function runStep(table: RateLimitTable, step: Step, where: string): void {
  if (step.take !== undefined) {
    expect(decision(table, 'take', step.take, step.now as number, step.cost), where).toEqual(step.expect);
  } else if (step.check !== undefined) {
    expect(decision(table, 'check', step.check, step.now as number, step.cost), where).toEqual(step.expect);
  } else if (step.refund !== undefined) {
    if (step.cost === undefined) table.refund(keyOf(step.refund), step.now as number);
    else table.refund(keyOf(step.refund), step.now as number, step.cost);
  } else if (step.reset !== undefined) {
    expect(table.reset(keyOf(step.reset)), where).toBe(step.expect);
  } else if (step.prune !== undefined) {
    expect(table.prune(step.prune), where).toBe(step.expect);
  } else if (step.clear) {
    table.clear();
  } else if (step.close) {
    table.close();
    expect(table.closed, where).toBe(true);
  } else if (step.size !== undefined) {
    expect(table.size, where).toBe(step.size);
  } else if (step.stats !== undefined) {
    const { memoryBytes, ...stats } = table.stats();
    expect(memoryBytes, where).toBeGreaterThan(0);
    expect(stats, where).toEqual(step.stats);
  } else if (step.idleTimeoutMs !== undefined) {
    expect(table.idleTimeoutMs, where).toBe(step.idleTimeoutMs);
  } else if (step.error !== undefined) {
    expect(() => callForError(table, step), where).toThrowError(
      expect.objectContaining({ name: 'EngineError', status: EngineStatus[step.status as keyof typeof EngineStatus] }),
    );
  } else {
    throw new Error(`${where}: unknown step ${JSON.stringify(step)}`);
  }
}

function callForError(table: RateLimitTable, step: Step): unknown {
  const key = step.key === undefined ? 'k' : keyOf(step.key);
  const now = step.now as number;
  switch (step.error) {
    case 'take':
      return step.cost === undefined ? table.take(key, now) : table.take(key, now, step.cost);
    case 'check':
      return step.cost === undefined ? table.check(key, now) : table.check(key, now, step.cost);
    case 'refund':
      return table.refund(key, now, step.cost);
    case 'prune':
      return table.prune(now);
    case 'reset':
      return table.reset(key);
    default:
      return table.size;
  }
}

/** A small deterministic generator (xorshift32) for the differential runs. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/** A long random workload; returns every output, so two engines can be compared exactly. */
function workload(engine: Engine, options: RateLimitTableOptions, seed: number, steps: number): unknown[] {
  const table = engine.createRateLimitTable(options);
  const next = random(seed);
  const out: unknown[] = [];
  let now = 0;
  for (let i = 0; i < steps; i++) {
    now = Math.max(0, now + Math.floor(next() * 400) - 60) + (next() < 0.1 ? next() : 0);
    const key = next() < 0.1 ? Uint8Array.of(1, Math.floor(next() * 8)) : `key:${Math.floor(next() * 120)}`;
    const cost = Math.floor(next() * 6);
    const op = next();
    if (op < 0.55) out.push(table.take(key, now, cost));
    else if (op < 0.8) out.push(table.check(key, now, cost));
    else if (op < 0.9) table.refund(key, now, cost);
    else if (op < 0.97) out.push(table.reset(key));
    else out.push(table.prune(now));
    if (i % 1000 === 0) {
      const { memoryBytes: _memory, ...stats } = table.stats();
      out.push(stats);
    }
  }
  table.close();
  return out;
}

const engines = testEngines();

describe('ratelimit key hash', () => {
  it('is HalfSipHash: with 2-4 rounds it gives the reference vectors (vectors_hsip64)', () => {
    const key = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const reference: Record<number, string> = {
      0: '218d1f59b9b83cc8',
      1: 'be552412f8387315',
      2: '064f39ef7c50eb57',
      3: 'ce0f1a45f7060679',
      9: '5b51cccc13888307',
    };
    for (const [length, hex] of Object.entries(reference)) {
      const input = Uint8Array.from({ length: Number(length) }, (_, i) => i);
      const out = Buffer.alloc(8);
      out.writeBigUInt64LE(keyHashBigInt(key, input, 2, 4));
      expect(out.toString('hex')).toBe(hex);
    }
  });
});

for (const engine of engines) {
  describe(engineTitle(engine), () => {
    for (const file of files) {
      describe(file.name, () => {
        for (const vector of file.data.vectors ?? []) {
          it(vector.name, () => {
            const table = engine.createRateLimitTable(tableOptions(vector.table));
            try {
              vector.steps.forEach((step, i) => runStep(table, step, `${vector.name} step ${i}`));
            } finally {
              table.close();
            }
          });
        }
        for (const vector of file.data.createErrors ?? []) {
          it(`create fails: ${vector.name}`, () => {
            expect(() => engine.createRateLimitTable(vector.table as RateLimitTableOptions)).toThrowError(
              expect.objectContaining({ name: 'EngineError', status: EngineStatus[vector.status] }),
            );
          });
        }
        if (file.data.hashes !== undefined) {
          it('hashes keys to the expected identities', () => {
            for (const vector of file.data.hashes ?? []) {
              const hashKey = Uint8Array.from(Buffer.from(vector.hashKey, 'hex'));
              expect(engine.hashRateLimitKey(keyOf(vector.key), hashKey).toString(), JSON.stringify(vector.key)).toBe(vector.hash);
            }
          });
        }
      });
    }
  });
}

describe('ratelimit engines agree on long random workloads', () => {
  const [js, native] = engines;
  const shapes: RateLimitTableOptions[] = [
    { algorithm: 'token-bucket', capacity: 9, refillPerSecond: 2.7, maxKeys: 40 },
    { algorithm: 'token-bucket', capacity: 3, refillPerSecond: 1 / 3, maxKeys: 100, idleTimeoutMs: 700 },
    { algorithm: 'leaky-bucket', capacity: 7, leakPerSecond: 0.9, maxKeys: 64 },
    { algorithm: 'fixed-window', limit: 11, windowMs: 1000, maxKeys: 50 },
    { algorithm: 'sliding-window', limit: 13, windowMs: 750, maxKeys: 30 },
    { algorithm: 'sliding-window', limit: 5, windowMs: 333, maxKeys: 200, idleTimeoutMs: 0 },
  ];
  shapes.forEach((shape, index) => {
    it.skipIf(native === undefined)(`${shape.algorithm} #${index}`, () => {
      const options = { ...shape, hashKey: Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2]) };
      const expected = workload(js as Engine, options, 1000 + index, 20_000);
      const actual = workload(native as Engine, options, 1000 + index, 20_000);
      expect(actual).toEqual(expected);
    });
  });
});
