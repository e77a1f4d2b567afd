/**
 * Framing throughput: a 64 MiB stream of JSON-RPC-like messages pushed in 64 KiB chunks through
 * the native framer and its JS twin, for NDJSON and Content-Length framing, with mixed message
 * sizes and with small messages only. One operation = framing the whole stream (then end()).
 */
import { loadavg } from 'node:os';

import { loadEngine, type Engine } from '../../packages/core/src/index.js';
import type { FramingKind } from '../../packages/core/src/engine/framing/types.js';
import { machineLine, markdownTable, type BenchResult } from './harness.js';

const STREAM_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const ROUNDS = 25;

/** A deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type SizeMix = 'mixed' | 'small';

/** A message body of about `size` bytes (valid JSON, no newline, some multi-byte UTF-8). */
function message(id: number, size: number): string {
  const head = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"search","arguments":{"q":"`;
  const tail = '"}}}';
  const fill = Math.max(0, size - head.length - tail.length);
  return head + 'héllo wörld '.repeat(Math.ceil(fill / 14)).slice(0, fill) + tail;
}

/** The stream: `mixed` = 70% 100-400 B, 25% 1-8 KiB, 5% 16-64 KiB; `small` = 80-200 B. */
function makeStream(kind: FramingKind, mix: SizeMix): { chunks: Buffer[]; frames: number } {
  const next = random(kind === 'ndjson' ? 1 : 2);
  const parts: Buffer[] = [];
  let total = 0;
  let frames = 0;
  while (total < STREAM_BYTES) {
    const roll = next();
    const size =
      mix === 'small'
        ? 80 + Math.floor(next() * 120)
        : roll < 0.7
          ? 100 + Math.floor(next() * 300)
          : roll < 0.95
            ? 1024 + Math.floor(next() * 7 * 1024)
            : 16384 + Math.floor(next() * 48 * 1024);
    const body = Buffer.from(message(frames, size));
    const framed =
      kind === 'ndjson'
        ? Buffer.concat([body, Buffer.from('\n')])
        : Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
    parts.push(framed);
    total += framed.length;
    frames++;
  }
  const stream = Buffer.concat(parts).subarray(0, total);
  const chunks: Buffer[] = [];
  for (let at = 0; at < stream.length; at += CHUNK_BYTES) chunks.push(stream.subarray(at, at + CHUNK_BYTES));
  return { chunks, frames };
}

/** Frames the whole stream once; returns the number of frames (checked against the expected count). */
function frameAll(engine: Engine, kind: FramingKind, chunks: readonly Buffer[]): number {
  using framer = engine.createFramer({ kind, maxFrameSize: 1024 * 1024 });
  let frames = 0;
  for (const chunk of chunks) {
    for (const event of framer.push(chunk)) if (event.type === 'frame') frames++;
  }
  framer.end();
  return frames;
}

interface Samples {
  readonly wall: number[];
  readonly cpu: number[];
}

const median = (values: readonly number[]): number => quantile(values, 0.5);

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] as number;
}

/** One timed run after a forced GC (so garbage of the previous run is not charged to this one). */
function timeOnce(run: () => unknown, into: Samples): void {
  (globalThis as { gc?: () => void }).gc?.();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  run();
  const wall = Number(process.hrtime.bigint() - start);
  const cpu = process.cpuUsage(cpuStart);
  into.wall.push(wall);
  into.cpu.push((cpu.user + cpu.system) * 1000);
}

function result(name: string, values: readonly number[], bytes: number): BenchResult {
  return {
    name,
    medianNs: median(values),
    p10Ns: quantile(values, 0.1),
    p90Ns: quantile(values, 0.9),
    samples: values.length,
    bytes,
  };
}

/** Runs the benchmark and returns its Markdown section. */
export async function run(): Promise<string> {
  const loadAverage = loadavg()[0]?.toFixed(2) ?? 'unknown';
  const native = loadEngine({ engine: 'native' }).engine;
  const js = loadEngine({ engine: 'js' }).engine;
  const sections: string[] = [];
  const ratios: string[] = [];
  const verdicts: string[] = [];
  for (const kind of ['ndjson', 'content-length'] as const) {
    for (const mix of ['mixed', 'small'] as const) {
      const { chunks, frames } = makeStream(kind, mix);
      const bytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      for (const engine of [native, js]) {
        const got = frameAll(engine, kind, chunks);
        if (got !== frames) throw new Error(`${engine.kind} ${kind} framed ${got} frames, expected ${frames}`);
      }
      const n: Samples = { wall: [], cpu: [] };
      const j: Samples = { wall: [], cpu: [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Strictly alternating, the order swapped every round: a noisy neighbour hits both alike.
        const order = round % 2 === 0 ? [native, js] : [js, native];
        for (const engine of order) timeOnce(() => frameAll(engine, kind, chunks), engine === native ? n : j);
      }
      const pairedWall = median(n.wall.map((wall, i) => (j.wall[i] as number) / wall));
      const pairedCpu = median(n.cpu.map((cpu, i) => (j.cpu[i] as number) / cpu));
      const label = `${kind} (${mix})`;
      ratios.push(`${label}: ${pairedCpu.toFixed(2)}x by CPU time, ${pairedWall.toFixed(2)}x by wall time`);
      verdicts.push(
        `${label}: ${pairedCpu > 1.05 ? 'native is faster' : pairedCpu < 0.95 ? 'the JS twin is faster' : 'native and the JS twin are on par (within 5%)'}`,
      );
      sections.push(
        [
          `#### ${kind}, ${mix} sizes: ${frames} frames, average ${Math.round(bytes / frames)} B`,
          '',
          'Process CPU time per run:',
          '',
          markdownTable([result(`native ${label}`, n.cpu, bytes), result(`js ${label}`, j.cpu, bytes)], `js ${label}`),
          '',
          'Wall time per run:',
          '',
          markdownTable([result(`native ${label}`, n.wall, bytes), result(`js ${label}`, j.wall, bytes)], `js ${label}`),
        ].join('\n'),
      );
    }
  }
  const command =
    'cd bench && GOPHER_MCP_LIBRARY_PATH=<optimised libgopher_mcp_c.so> node --expose-gc --import tsx -e "import(\'./src/framing.bench.ts\').then(async m => process.stdout.write(await m.run()))"';
  return [
    '## Framing throughput',
    '',
    machineLine(),
    '',
    `Load average when the run started: ${loadAverage} (a shared machine: compare ratios, not absolute times).`,
    '',
    `Command: \`${command}\``,
    '',
    `A ${STREAM_BYTES / 2 ** 20} MiB stream pushed in ${CHUNK_BYTES / 1024} KiB chunks; one run frames the whole stream and ends it (maxFrameSize 1 MiB). Mixed sizes: 70% 100-400 B, 25% 1-8 KiB, 5% 16-64 KiB; small: 80-200 B. ${ROUNDS} rounds, native and JS strictly alternating (order swapped each round), a forced GC before each run; medians of process CPU time (robust on a shared machine) and of wall time. Native makes one FFI call per 64 KiB chunk (plus one copy call when a frame spans chunks); the JS twin calls Buffer.indexOf (memchr) per line.`,
    '',
    ...sections.flatMap((section) => [section, '']),
    `Native speed-up (median of paired JS/native ratios, above 1 means native is faster): ${ratios.join('; ')}.`,
    '',
    `Conclusion, by CPU time: ${verdicts.join('; ')}.`,
    '',
  ].join('\n');
}
