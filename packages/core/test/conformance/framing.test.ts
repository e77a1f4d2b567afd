/**
 * Conformance of the framing family: every vector of vectors/framing*.json is framed by both
 * engines with its stream pushed whole, split in two at EVERY offset, one byte at a time, split in
 * three at every pair of offsets (short streams) and in random chunks; the events (frames as bytes,
 * oversize and malformed reports, end-of-stream reports) must equal the vector's expectations every
 * time. A seeded random differential run then frames random valid, broken and garbage streams with
 * random chunking on both engines and requires identical events.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { createJsEngine, EngineError, type Engine } from '../../src/index.js';
import type { FrameEvent, FramingKind } from '../../src/engine/framing/types.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { inputBytes, type InputSpec } from '../helpers/vector-input.js';
import { seededRandom } from '../helpers/seeded-random.js';

type SingleEvent = { frame: InputSpec } | { oversize: number } | { malformed: string };
/** An expected event, or one repeated `times` times. */
type ExpectedEvent = SingleEvent | { repeat: SingleEvent; times: number };

interface FramingVector {
  readonly name: string;
  readonly kind: FramingKind;
  readonly maxFrameSize: number;
  readonly stream: InputSpec;
  readonly expect: readonly ExpectedEvent[];
  /** `all` (default): every split strategy; `some`: whole, 2-way at 64 offsets, 1 byte, random (long streams). */
  readonly splits?: 'all' | 'some';
}

/** An event in comparable form. */
type Normalized = { frame: string } | { oversize: number; limit: number } | { malformed: string };

function normalize(events: readonly FrameEvent[]): Normalized[] {
  return events.map((event) => {
    if (event.type === 'frame') return { frame: Buffer.from(event.data).toString('hex') };
    if (event.type === 'oversize') return { oversize: event.size, limit: event.limit };
    return { malformed: event.reason };
  });
}

function expected(vector: FramingVector): Normalized[] {
  const one = (event: SingleEvent): Normalized => {
    if ('frame' in event) return { frame: inputBytes(event.frame).toString('hex') };
    if ('oversize' in event) return { oversize: event.oversize, limit: vector.maxFrameSize };
    return { malformed: event.malformed };
  };
  return vector.expect.flatMap((event) =>
    'repeat' in event ? Array.from({ length: event.times }, () => one(event.repeat)) : [one(event)],
  );
}

/** Frames `chunks` as one stream (then end) with a fresh framer. */
function frame(engine: Engine, vector: Pick<FramingVector, 'kind' | 'maxFrameSize'>, chunks: Iterable<Uint8Array>): Normalized[] {
  using framer = engine.createFramer({ kind: vector.kind, maxFrameSize: vector.maxFrameSize });
  const events: FrameEvent[] = [];
  for (const chunk of chunks) events.push(...framer.push(chunk));
  events.push(...framer.end());
  return normalize(events);
}

function* splitAt(stream: Buffer, cuts: readonly number[]): Generator<Uint8Array> {
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    yield stream.subarray(from, cut);
    from = cut;
  }
}

function* bytesOneByOne(stream: Buffer): Generator<Uint8Array> {
  // Plain Uint8Arrays (not Buffers) on this path, to cover both chunk types, and empty chunks between them.
  for (let i = 0; i < stream.length; i++) {
    yield Uint8Array.of(stream[i] as number);
    yield new Uint8Array(0);
  }
}


function randomCuts(length: number, next: () => number): number[] {
  const cuts: number[] = [];
  for (let at = Math.floor(next() * 40); at < length; at += 1 + Math.floor(next() * 300)) cuts.push(at);
  return cuts;
}

const vectorDir = join(import.meta.dirname, 'vectors');
const vectors: FramingVector[] = readdirSync(vectorDir)
  .filter((file) => /^framing.*\.json$/.test(file))
  .flatMap((file) => JSON.parse(readFileSync(join(vectorDir, file), 'utf8')) as FramingVector[]);

/** Pieces random streams are made of, per kind: valid, broken and garbage. */
function randomStream(kind: FramingKind, next: () => number): Buffer {
  const int = (n: number) => Math.floor(next() * n);
  const text = (n: number) => Array.from({ length: n }, () => 'ab€é{}":\r\n 0'[int(13)]).join('');
  const parts: Buffer[] = [];
  for (let i = 0, count = 1 + int(12); i < count; i++) {
    const roll = int(10);
    if (kind === 'ndjson') {
      if (roll < 5) parts.push(Buffer.from(`${text(int(40)).replace(/\n/g, '')}${next() < 0.5 ? '\r\n' : '\n'}`));
      else if (roll < 7) parts.push(Buffer.from(text(int(80))));
      else if (roll < 8) parts.push(Buffer.from('\r\n\n\r'));
      else parts.push(Buffer.from(Array.from({ length: int(30) }, () => int(256))));
    } else {
      const body = Buffer.from(text(int(60)));
      if (roll < 4) parts.push(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
      else if (roll < 5) parts.push(Buffer.from(`content-type: x\r\nCONTENT-length:${int(90)}\r\n\r\n`));
      else if (roll < 6) parts.push(Buffer.from(['Content-Length: 5x\r\n', 'Content-Length: 1\r\nContent-Length: 1\r\n', 'X: y\r\n\r\n', 'nocolon\r\n', 'Content-Length: 3\n', '\r\n'][int(6)] as string));
      else if (roll < 8) parts.push(body);
      else if (roll < 9) parts.push(Buffer.from('Content-Le'));
      else parts.push(Buffer.from(Array.from({ length: int(30) }, () => int(256))));
    }
  }
  return Buffer.concat(parts);
}

for (const engine of testEngines()) {
  describe(engineTitle(engine), () => {
    it('has framing vectors to run', () => {
      expect(vectors.length).toBeGreaterThan(20);
    });

    for (const vector of vectors) {
      it(vector.name, { timeout: 180_000 }, () => {
        const stream = inputBytes(vector.stream);
        const want = expected(vector);
        const check = (chunks: Iterable<Uint8Array>, how: string) =>
          expect(frame(engine, vector, chunks), `${vector.name}: ${how}`).toEqual(want);
        check([stream], 'whole');
        const all = vector.splits !== 'some';
        const step = all ? 1 : Math.max(1, Math.floor(stream.length / 64));
        for (let cut = 1; cut < stream.length; cut += step) check(splitAt(stream, [cut]), `split at ${cut}`);
        check(bytesOneByOne(stream), 'one byte at a time, with empty chunks between');
        if (all && stream.length <= 96) {
          for (let i = 1; i < stream.length; i++) {
            for (let j = i; j < stream.length; j++) check(splitAt(stream, [i, j]), `split at ${i} and ${j}`);
          }
        }
        const next = seededRandom(stream.length);
        for (let round = 0; round < 10; round++) check(splitAt(stream, randomCuts(stream.length, next)), 'random chunks');
      });
    }

    it('agrees with the JS twin on 400 random valid, broken and garbage streams', { timeout: 180_000 }, () => {
      const js = createJsEngine();
      const next = seededRandom(20240611);
      for (let round = 0; round < 400; round++) {
        const kind: FramingKind = round % 2 === 0 ? 'ndjson' : 'content-length';
        const options = { kind, maxFrameSize: 1 + Math.floor(next() * 64) };
        const stream = randomStream(kind, next);
        const cuts = randomCuts(stream.length, next).map((cut) => Math.floor(cut / 10));
        const unique = [...new Set(cuts)].sort((a, b) => a - b).filter((cut) => cut > 0 && cut < stream.length);
        const mine = frame(engine, options, splitAt(stream, unique));
        expect(mine, `round ${round}`).toEqual(frame(js, options, splitAt(stream, unique)));
        expect(mine, `round ${round}, whole`).toEqual(frame(engine, options, [stream]));
      }
    });

    it('frames in-chunk frames as views of the chunk and spanning frames as copies', () => {
      using framer = engine.createFramer({ kind: 'ndjson', maxFrameSize: 100 });
      const chunk = Buffer.from('{"a":1}\n{"b"');
      const [first] = framer.push(chunk);
      expect(first?.type === 'frame' && first.data.buffer === chunk.buffer).toBe(true);
      const [second] = framer.push(Buffer.from(':2}\n'));
      expect(second?.type === 'frame' && Buffer.from(second.data).toString()).toBe('{"b":2}');
    });

    it('is reusable after end() and refuses calls after close()', () => {
      const framer = engine.createFramer({ kind: 'content-length' });
      expect(framer.maxFrameSize).toBe(4 * 1024 * 1024);
      expect(normalize(framer.push(Buffer.from('Content-Length: 2\r\n\r\n{')))).toEqual([]);
      expect(normalize(framer.end())).toEqual([{ malformed: 'truncated' }]);
      expect(normalize(framer.push(Buffer.from('Content-Length: 2\r\n\r\n{}')))).toEqual([{ frame: '7b7d' }]);
      framer.close();
      framer.close();
      expect(framer.closed).toBe(true);
      expect(() => framer.push(Buffer.from('x'))).toThrow(/STATE/);
      expect(() => framer.end()).toThrow(EngineError);
    });

    it('rejects bad options with INVALID_ARGUMENT', () => {
      const bad = [
        { kind: 'ndjson', maxFrameSize: 0 },
        { kind: 'ndjson', maxFrameSize: 2 ** 30 + 1 },
        { kind: 'ndjson', maxFrameSize: 1.5 },
        { kind: 'lines', maxFrameSize: 10 },
      ] as const;
      for (const options of bad) {
        expect(() => engine.createFramer(options as never), JSON.stringify(options)).toThrow(/INVALID_ARGUMENT/);
      }
      using framer = engine.createFramer({ kind: 'ndjson' });
      expect(() => framer.push('text' as never)).toThrow(/INVALID_ARGUMENT/);
    });
  });
}
