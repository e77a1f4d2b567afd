/**
 * Conformance of the buffers family: every script of vectors/buffers*.json runs against both
 * engines. Each step's result, the buffers' contents and the pool statistics after every step, and
 * the watermark events, must equal the vector's expectations and, for the native engine, the JS
 * twin's transcript exactly. A seeded random differential run adds thousands of operation
 * sequences (including failing ones) compared between the engines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createJsEngine, EngineError, EngineStatus, type Engine } from '../../src/index.js';
import type { BufferPool, PooledBuffer } from '../../src/engine/buffers/types.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { inputBytes, type InputSpec } from '../helpers/vector-input.js';
import { seededRandom } from '../helpers/seeded-random.js';

/** One step of a buffer script. */
interface Step {
  readonly op: string;
  readonly buffer?: string;
  readonly into?: string;
  readonly bytes?: InputSpec;
  readonly needle?: InputSpec;
  readonly write?: InputSpec;
  readonly size?: number;
  readonly length?: number;
  readonly offset?: number;
  readonly start?: number;
  readonly low?: number;
  readonly high?: number;
  readonly slabSize?: number;
  readonly maxSlabs?: number;
  readonly options?: { lowWatermark?: number; highWatermark?: number };
  /** Expected result: a crossing, a number, bytes (InputSpec) or `{ "error": "STATUS" }`. */
  readonly expect?: unknown;
  /** Expected pool statistics after the step (a subset of the fields). */
  readonly stats?: Record<string, number>;
  /** Expected contents of buffers after the step (InputSpec; null for a closed buffer). */
  readonly contents?: Record<string, InputSpec | null>;
  /** Expected watermark events (buffer, crossing) reported to listeners during the step. */
  readonly events?: Array<[string, string]>;
}

interface BufferVector {
  readonly name: string;
  readonly pool: { slabSize: number; maxSlabs: number };
  readonly steps: readonly Step[];
}

interface StepRecord {
  readonly op: string;
  readonly result: unknown;
  readonly contents: Record<string, string | null>;
  readonly stats: unknown;
  readonly events: Array<[string, string]>;
}

const statusNames = new Map<number, string>(Object.entries(EngineStatus).map(([name, code]) => [code, name]));
const BYTE_OPS = new Set(['copyOut', 'peek', 'linearize']);

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A script step named a buffer that was never created (or whose slice failed). */
class MissingBuffer extends Error {}

function errorRecord(error: unknown): { error: string } {
  if (error instanceof EngineError) return { error: statusNames.get(error.status) ?? String(error.status) };
  if (error instanceof MissingBuffer) return { error: 'MISSING_BUFFER' };
  throw error;
}

/** Runs a script and returns what happened at every step. */
function runScript(engine: Engine, vector: BufferVector): StepRecord[] {
  const pool: BufferPool = engine.createBufferPool(vector.pool);
  const buffers = new Map<string, PooledBuffer>();
  const events: Array<[string, string]> = [];
  const records: StepRecord[] = [];
  const listenerFor = (name: string) => (crossing: string) => events.push([name, crossing]);
  const buf = (name = 'a'): PooledBuffer => {
    const found = buffers.get(name);
    if (found === undefined) throw new MissingBuffer(name);
    return found;
  };
  for (const step of vector.steps) {
    events.length = 0;
    let result: unknown;
    try {
      result = runStep(engine, step, pool, buffers, buf, listenerFor);
    } catch (error) {
      result = errorRecord(error);
    }
    const contents: Record<string, string | null> = {};
    for (const [name, buffer] of buffers) contents[name] = buffer.closed ? null : hex(buffer.peek());
    let stats: unknown;
    try {
      stats = pool.stats();
    } catch (error) {
      stats = errorRecord(error);
    }
    records.push({ op: step.op, result, contents, stats, events: [...events] });
  }
  for (const buffer of buffers.values()) buffer.close();
  pool.close();
  return records;
}

function runStep(
  engine: Engine,
  step: Step,
  pool: BufferPool,
  buffers: Map<string, PooledBuffer>,
  buf: (name?: string) => PooledBuffer,
  listenerFor: (name: string) => (crossing: string) => void,
): unknown {
  const name = step.buffer ?? 'a';
  switch (step.op) {
    case 'create': {
      const created = pool.createBuffer({ ...step.options, onWatermark: listenerFor(name) });
      buffers.get(name)?.close();
      buffers.set(name, created);
      return null;
    }
    case 'add':
      return buf(name).add(inputBytes(step.bytes ?? ''));
    case 'reserve': {
      const view = buf(name).reserve(step.size as number);
      // Reserved bytes are unspecified until written: fill all of them (the given bytes, then dots).
      view.fill(0x2e);
      if (step.write !== undefined) view.set(inputBytes(step.write).subarray(0, view.length));
      return view.length;
    }
    case 'commit':
      return buf(name).commit(step.length as number);
    case 'drain':
      return buf(name).drain(step.length as number);
    case 'copyOut':
      return hex(buf(name).copyOut(step.offset as number, step.length as number));
    case 'copyInto': {
      const target = Buffer.alloc(step.length as number);
      const copied = buf(name).copyInto(target, step.offset);
      return `${copied}:${hex(target)}`;
    }
    case 'peek':
      return hex(step.length === undefined ? buf(name).peek() : buf(name).peek(step.length));
    case 'linearize':
      return hex(buf(name).linearize(step.length as number));
    case 'search':
      return buf(name).search(inputBytes(step.needle ?? ''), step.start);
    case 'slice': {
      const into = step.into as string;
      const options = { ...step.options, onWatermark: listenerFor(into) };
      const created = buf(name).slice(step.offset as number, step.length as number, options);
      buffers.get(into)?.close();
      buffers.set(into, created);
      return null;
    }
    case 'setWatermarks':
      return buf(name).setWatermarks(step.low as number, step.high as number);
    case 'watermarkState':
      return buf(name).getWatermarkState();
    case 'length':
      return buf(name).length;
    case 'close':
      buf(name).close();
      return null;
    case 'closePool':
      pool.close();
      return null;
    case 'newPool':
      engine.createBufferPool({ slabSize: step.slabSize as number, maxSlabs: step.maxSlabs as number }).close();
      return null;
    default:
      throw new Error(`unknown op ${step.op}`);
  }
}

/** The expected form of a step's result (bytes as hex). */
function expectedResult(step: Step): unknown {
  const expected = step.expect;
  if (expected !== null && typeof expected === 'object' && 'error' in expected) return expected;
  if (BYTE_OPS.has(step.op)) return hex(inputBytes(expected as InputSpec));
  return expected;
}

function checkExpectations(vector: BufferVector, records: StepRecord[]): void {
  vector.steps.forEach((step, index) => {
    const record = records[index] as StepRecord;
    const where = `${vector.name}, step ${index} (${step.op})`;
    if (step.expect !== undefined) expect(record.result, where).toEqual(expectedResult(step));
    if (step.stats !== undefined) expect(record.stats, where).toMatchObject(step.stats);
    if (step.contents !== undefined) {
      for (const [name, spec] of Object.entries(step.contents)) {
        expect(record.contents[name], `${where}, contents of ${name}`).toBe(spec === null ? null : hex(inputBytes(spec)));
      }
    }
    if (step.events !== undefined) expect(record.events, where).toEqual(step.events);
  });
}

const vectorDir = join(import.meta.dirname, 'vectors');
const vectors: BufferVector[] = readdirSync(vectorDir)
  .filter((file) => /^buffers.*\.json$/.test(file))
  .flatMap((file) => JSON.parse(readFileSync(join(vectorDir, file), 'utf8')) as BufferVector[]);


/** A random script: every operation, valid and invalid arguments, several buffers sharing slabs. */
function randomScript(seed: number): BufferVector {
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  const slabSize = 1 + int(16);
  const steps: Step[] = [{ op: 'create', buffer: 'a' }];
  const names = ['a', 'b', 'c', 'd'];
  const text = (n: number) => Array.from({ length: n }, () => 'abcxyz\n'[int(7)]).join('');
  const created = new Set(['a']);
  const closed = new Set<string>();
  const open = (name: string) => {
    created.add(name);
    closed.delete(name);
  };
  for (let i = 0; i < 150; i++) {
    const buffer = names[int(names.length)] as string;
    if (!created.has(buffer) || (closed.has(buffer) && next() < 0.8)) {
      open(buffer);
      steps.push({ op: 'create', buffer, options: next() < 0.3 ? { lowWatermark: int(8), highWatermark: 8 + int(24) } : {} });
      continue;
    }
    const roll = int(14);
    if (roll <= 3) steps.push({ op: 'add', buffer, bytes: text(int(3 * slabSize + 2)) });
    else if (roll === 4 || roll === 13) steps.push({ op: 'drain', buffer, length: int(3 * slabSize + 3) });
    else if (roll === 5 || roll === 6) {
      steps.push({ op: 'reserve', buffer, size: int(slabSize + 2), write: text(int(slabSize)) });
      if (next() < 0.75) steps.push({ op: 'commit', buffer, length: int(slabSize + 1) });
    } else if (roll === 7) steps.push({ op: 'linearize', buffer, length: int(slabSize + 3) });
    else if (roll === 8) steps.push({ op: 'search', buffer, needle: text(1 + int(4)), start: int(6) });
    else if (roll === 9) {
      const into = names[int(names.length)] as string;
      steps.push({ op: 'slice', buffer, into, offset: int(4), length: int(8) });
      if (into !== buffer) open(into);
    } else if (roll === 10) steps.push({ op: next() < 0.5 ? 'copyOut' : 'copyInto', buffer, offset: int(5), length: int(10) });
    else if (roll === 11) steps.push({ op: 'setWatermarks', buffer, low: int(12), high: int(30) });
    else if (roll === 12 && next() < 0.5) {
      steps.push({ op: 'close', buffer });
      closed.add(buffer);
    } else steps.push({ op: 'peek', buffer });
  }
  return { name: `random script ${seed}`, pool: { slabSize, maxSlabs: 1 + int(16) }, steps };
}

for (const engine of testEngines()) {
  describe(engineTitle(engine), () => {
    it('has buffer vectors to run', () => {
      expect(vectors.length).toBeGreaterThan(5);
    });

    for (const vector of vectors) {
      it(vector.name, () => {
        const records = runScript(engine, vector);
        checkExpectations(vector, records);
        if (engine.kind === 'native') expect(records).toEqual(runScript(createJsEngine(), vector));
      });
    }

    it('agrees with the JS twin on 200 random operation scripts', { timeout: 180_000 }, () => {
      const js = engine.kind === 'native' ? createJsEngine() : undefined;
      for (let seed = 1; seed <= 200; seed++) {
        const script = randomScript(seed);
        const records = runScript(engine, script);
        if (js !== undefined) expect(records, script.name).toEqual(runScript(js, script));
      }
    });

    it('throws STATE after close and accepts close twice', () => {
      const pool = engine.createBufferPool({ slabSize: 16, maxSlabs: 2 });
      const buffer = pool.createBuffer();
      buffer.add(Buffer.from('x'));
      buffer.close();
      buffer.close();
      expect(() => buffer.add(Buffer.from('y'))).toThrow(EngineError);
      expect(() => buffer.length === 0 && buffer.peek()).toThrow(/STATE/);
      pool.close();
      pool.close();
      expect(() => pool.createBuffer()).toThrow(/STATE/);
    });

    it('gives reserve views that write straight into the buffer (zero copy)', () => {
      using pool = engine.createBufferPool({ slabSize: 64, maxSlabs: 2 });
      using buffer = pool.createBuffer();
      const view = buffer.reserve(5);
      view.set(Buffer.from('hello'));
      buffer.commit(5);
      const linear = buffer.linearize(5);
      expect(Buffer.from(linear).toString()).toBe('hello');
      // The linearized view is the slab memory itself: the reserve view and it share bytes.
      view[0] = 0x4a;
      expect(Buffer.from(buffer.peek()).toString()).toBe('Jello');
      expect(pool.stats().acquires).toBe(1);
    });
  });
}
