import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { EngineStatus, type Engine } from '../../src/index.js';
import type { CounterSet, Histogram, HistogramOptions } from '../../src/engine/metrics/types.js';
import { engineTitle, testEngines } from '../helpers/engines.js';

/**
 * Metrics conformance: every vector of vectors/metrics-*.json runs against both engines, which
 * must produce exactly the expected numbers (compared with Object.is: bit for bit, -0 apart from 0).
 * Numbers that JSON cannot hold are written as the strings "NaN", "Infinity", "-Infinity" and "-0".
 *
 * Histogram steps: `{ "record": v }`, `{ "recordMany": [v...], "count"? }`, `{ "reset": true }`,
 * `{ "merge": { "options"?, "values" } }` (a new histogram of the same engine, recorded then merged
 * in), `{ "mergeSelf": true }`, `{ "close": true }`, `{ "expect": { count?, sum?, min?, max?,
 * quantiles?: [[q, v]...], boundCounts?, buckets?: [[lower, upper, count]...] } }` and
 * `{ "error": "record" | "recordMany" | "quantile" | "merge" | "count" | "snapshot" | "reset", ..., "status" }`.
 * Counter steps: `{ "add": i, "amount"? }`, `{ "get": i, "expect": v }`, `{ "snapshot": [v...] }`,
 * `{ "reset": true }`, `{ "close": true }`, `{ "error": "add" | "get" | "snapshot" | "reset", "index"?, "amount"?, "status" }`.
 */

type Num = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';
type Status = keyof typeof EngineStatus;

interface HistogramStep {
  readonly record?: Num;
  readonly recordMany?: readonly Num[];
  readonly count?: number;
  readonly reset?: true;
  readonly merge?: { readonly options?: HistogramOptions; readonly values: readonly Num[] };
  readonly mergeSelf?: true;
  readonly close?: true;
  readonly expect?: {
    readonly count?: number;
    readonly sum?: Num;
    readonly min?: Num;
    readonly max?: Num;
    readonly quantiles?: ReadonlyArray<readonly [number, Num]>;
    readonly boundCounts?: readonly number[];
    readonly buckets?: ReadonlyArray<readonly [Num, Num, number]>;
  };
  readonly error?: 'record' | 'recordMany' | 'quantile' | 'merge' | 'count' | 'snapshot' | 'reset';
  readonly value?: unknown;
  readonly values?: readonly Num[];
  readonly q?: Num;
  readonly options?: HistogramOptions;
  readonly status?: Status;
}

interface CounterStep {
  readonly add?: number;
  readonly amount?: Num;
  readonly get?: number;
  readonly expect?: Num;
  readonly snapshot?: readonly Num[];
  readonly reset?: true;
  readonly close?: true;
  readonly error?: 'add' | 'get' | 'snapshot' | 'reset';
  readonly index?: unknown;
  readonly status?: Status;
}

interface VectorFile {
  readonly description: string;
  readonly histograms?: ReadonlyArray<{ readonly name: string; readonly options?: HistogramOptions; readonly steps: readonly HistogramStep[] }>;
  readonly createErrors?: ReadonlyArray<{ readonly name: string; readonly options: unknown; readonly status: Status }>;
  readonly counters?: ReadonlyArray<{ readonly name: string; readonly size: number; readonly steps: readonly CounterStep[] }>;
  readonly counterCreateErrors?: ReadonlyArray<{ readonly name: string; readonly size: unknown; readonly status: Status }>;
}

const vectorDir = join(dirname(fileURLToPath(import.meta.url)), 'vectors');
const files = readdirSync(vectorDir)
  .filter((name) => name.startsWith('metrics') && name.endsWith('.json'))
  .sort()
  .map((name) => ({ name, data: JSON.parse(readFileSync(join(vectorDir, name), 'utf8')) as VectorFile }));

function num(value: unknown): number {
  if (value === '-0') return -0;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return value as number;
}

/** Options with "NaN" / "Infinity" strings turned into numbers (for the create-error vectors). */
function optionsOf(options: unknown): HistogramOptions {
  if (typeof options !== 'object' || options === null) return options as HistogramOptions;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) out[key] = Array.isArray(value) ? value.map(num) : num(value);
  return out as HistogramOptions;
}

function same(actual: number, expected: Num | undefined, where: string): void {
  expect(Object.is(actual, num(expected)), `${where}: got ${actual}, expected ${String(expected)}`).toBe(true);
}

function checkHistogram(h: Histogram, e: NonNullable<HistogramStep['expect']>, where: string): void {
  if (e.count !== undefined) same(h.count, e.count, `${where} count`);
  if (e.sum !== undefined) same(h.sum, e.sum, `${where} sum`);
  if (e.min !== undefined) same(h.min, e.min, `${where} min`);
  if (e.max !== undefined) same(h.max, e.max, `${where} max`);
  for (const [q, value] of e.quantiles ?? []) same(h.quantile(q), value, `${where} quantile(${q})`);
  if (e.boundCounts !== undefined) expect(h.boundCounts(), `${where} boundCounts`).toEqual(e.boundCounts);
  const snapshot = h.snapshot();
  if (e.buckets !== undefined) {
    expect(snapshot.buckets.map((b) => [b.lower, b.upper, b.count]), `${where} buckets`).toEqual(
      e.buckets.map(([lower, upper, count]) => [num(lower), num(upper), count]),
    );
  }
  same(snapshot.count, h.count, `${where} snapshot count`);
  same(snapshot.sum, h.sum, `${where} snapshot sum`);
  same(snapshot.min, h.min, `${where} snapshot min`);
  same(snapshot.max, h.max, `${where} snapshot max`);
  expect(snapshot.boundCounts, `${where} snapshot boundCounts`).toEqual(h.boundCounts());
  expect(snapshot.bounds, `${where} snapshot bounds`).toEqual(h.bounds);
  expect(snapshot.buckets.reduce((total, b) => total + b.count, 0), `${where} bucket total`).toBe(h.count);
}

function histogramError(engine: Engine, h: Histogram, step: HistogramStep): unknown {
  switch (step.error) {
    case 'record':
      return h.record(num(step.value) as number);
    case 'recordMany':
      return h.recordMany(Float64Array.from((step.values ?? []).map(num)), step.count);
    case 'quantile':
      return h.quantile(num(step.q));
    case 'merge':
      return h.merge(engine.createHistogram(step.options));
    case 'count':
      return h.count;
    case 'snapshot':
      return h.snapshot();
    default:
      return h.reset();
  }
}

function runHistogramStep(engine: Engine, h: Histogram, step: HistogramStep, where: string): void {
  if (step.record !== undefined) h.record(num(step.record));
  else if (step.recordMany !== undefined) h.recordMany(Float64Array.from(step.recordMany.map(num)), step.count);
  else if (step.reset) h.reset();
  else if (step.mergeSelf) h.merge(h);
  else if (step.close) h.close();
  else if (step.merge !== undefined) {
    const other = engine.createHistogram(step.merge.options ?? { ...optionsFromHistogram(h) });
    other.recordMany(Float64Array.from(step.merge.values.map(num)));
    h.merge(other);
    other.close();
  } else if (step.expect !== undefined) checkHistogram(h, step.expect, where);
  else if (step.error !== undefined) {
    expect(() => histogramError(engine, h, step), where).toThrowError(
      expect.objectContaining({ name: 'EngineError', status: EngineStatus[step.status as Status] }),
    );
  } else throw new Error(`${where}: unknown step ${JSON.stringify(step)}`);
}

function optionsFromHistogram(h: Histogram): HistogramOptions {
  return { significantDigits: h.significantDigits, lowest: h.lowest, highest: h.highest, bounds: h.bounds };
}

function counterError(set: CounterSet, step: CounterStep): unknown {
  switch (step.error) {
    case 'add':
      return set.add(step.index as number, step.amount === undefined ? undefined : num(step.amount));
    case 'get':
      return set.get(step.index as number);
    case 'snapshot':
      return set.snapshot();
    default:
      return set.reset();
  }
}

function runCounterStep(set: CounterSet, step: CounterStep, where: string): void {
  if (step.add !== undefined) {
    if (step.amount === undefined) set.add(step.add);
    else set.add(step.add, num(step.amount));
  } else if (step.get !== undefined) same(set.get(step.get), step.expect, where);
  else if (step.snapshot !== undefined) {
    const values = set.snapshot();
    expect(values.length, where).toBe(step.snapshot.length);
    values.forEach((value, i) => same(value, step.snapshot?.[i], `${where}[${i}]`));
  } else if (step.reset) set.reset();
  else if (step.close) set.close();
  else if (step.error !== undefined) {
    expect(() => counterError(set, step), where).toThrowError(
      expect.objectContaining({ name: 'EngineError', status: EngineStatus[step.status as Status] }),
    );
  } else throw new Error(`${where}: unknown step ${JSON.stringify(step)}`);
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

/** Records a long random series (single records, batches, merges) and returns every read. */
function workload(engine: Engine, options: HistogramOptions, seed: number): unknown[] {
  const next = random(seed);
  const h = engine.createHistogram(options);
  const other = engine.createHistogram(options);
  const out: unknown[] = [];
  for (let round = 0; round < 12; round++) {
    for (let i = 0; i < 2000; i++) {
      const value = next() < 0.02 ? 0 : Math.exp((next() - 0.5) * 40) * (next() < 0.5 ? 1 : 1e-3);
      h.record(value);
      if (i % 7 === 0) other.record(value * 3);
    }
    h.recordMany(Float64Array.from({ length: 300 }, () => next() * 100), 250);
    if (round % 4 === 3) h.merge(other);
    out.push(h.snapshot(), [0, 0.001, 0.25, 0.5, 0.9, 0.99, 0.999, 1].map((q) => h.quantile(q)));
    if (round === 6) h.reset();
  }
  h.close();
  other.close();
  return out;
}

const engines = testEngines();

for (const engine of engines) {
  describe(engineTitle(engine), () => {
    for (const file of files) {
      describe(file.name, () => {
        for (const vector of file.data.histograms ?? []) {
          it(`histogram: ${vector.name}`, () => {
            const h = engine.createHistogram(vector.options === undefined ? undefined : optionsOf(vector.options));
            try {
              vector.steps.forEach((step, i) => runHistogramStep(engine, h, step, `${vector.name} step ${i}`));
            } finally {
              h.close();
            }
          });
        }
        for (const vector of file.data.createErrors ?? []) {
          it(`histogram create fails: ${vector.name}`, () => {
            expect(() => engine.createHistogram(optionsOf(vector.options))).toThrowError(
              expect.objectContaining({ name: 'EngineError', status: EngineStatus[vector.status] }),
            );
          });
        }
        for (const vector of file.data.counters ?? []) {
          it(`counters: ${vector.name}`, () => {
            const set = engine.createCounterSet(vector.size);
            try {
              vector.steps.forEach((step, i) => runCounterStep(set, step, `${vector.name} step ${i}`));
            } finally {
              set.close();
            }
          });
        }
        for (const vector of file.data.counterCreateErrors ?? []) {
          it(`counters create fails: ${vector.name}`, () => {
            expect(() => engine.createCounterSet(vector.size as number)).toThrowError(
              expect.objectContaining({ name: 'EngineError', status: EngineStatus[vector.status] }),
            );
          });
        }
      });
    }

    it('refuses to merge a histogram of the other engine', () => {
      const other = engines.find((e) => e !== engine);
      if (other === undefined) return;
      const mine = engine.createHistogram();
      const theirs = other.createHistogram();
      expect(() => mine.merge(theirs)).toThrowError(expect.objectContaining({ status: EngineStatus.INVALID_ARGUMENT }));
      mine.close();
      theirs.close();
    });
  });
}

describe('metrics engines agree on long random workloads', () => {
  const [js, native] = engines;
  const shapes: HistogramOptions[] = [
    {},
    { significantDigits: 1, lowest: 1e-3, highest: 1e3, bounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    { significantDigits: 3, lowest: 1, highest: 1e9, bounds: [0, 1, 10, 100] },
    { significantDigits: 5, lowest: 0.5, highest: 2 },
  ];
  shapes.forEach((shape, index) => {
    it.skipIf(native === undefined)(`histogram #${index}`, () => {
      expect(workload(native as Engine, shape, 77 + index)).toEqual(workload(js as Engine, shape, 77 + index));
    });
  });
});
