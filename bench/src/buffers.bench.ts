/**
 * Buffer operations per call, native engine vs JS twin, and the cost of one trivial native call
 * passing a Buffer (`gmcp_buffer_noop`).
 */
import { loadavg } from 'node:os';

import { loadEngine, type Engine } from '../../packages/core/src/index.js';
import { bufferBindings } from '../../packages/core/src/engine/buffers/native-bindings.js';
import type { BufferPool, PooledBuffer } from '../../packages/core/src/engine/buffers/types.js';
import { NativeLibrary } from '../../packages/core/src/engine/native-library/library.js';
import { machineLine, markdownTable, type BenchCase, type BenchResult } from './harness.js';

const SLAB = 16 * 1024;
const BATCH = 256;

interface Fixture {
  readonly pool: BufferPool;
  readonly buffer: PooledBuffer;
}

function fixture(engine: Engine): Fixture {
  const pool = engine.createBufferPool({ slabSize: SLAB, maxSlabs: 4096 });
  return { pool, buffer: pool.createBuffer() };
}

/** The cases of one engine, named `<engine> <operation>`. */
function casesFor(engine: Engine): BenchCase[] {
  const name = (what: string) => `${engine.kind} ${what}`;
  const small = Buffer.alloc(64, 0x61);
  const kib = Buffer.alloc(1024, 0x62);
  const needle = Buffer.from('"id":42}');

  const adds = fixture(engine);
  const drains = fixture(engine);
  const fill = Buffer.alloc(BATCH * 64, 0x63);
  const reserves = fixture(engine);
  const searchable = fixture(engine);
  // 64 KiB over four 16 KiB slabs, the needle in its last 8 bytes (crossing no boundary).
  searchable.buffer.add(Buffer.alloc(64 * 1024 - needle.length, 0x78));
  searchable.buffer.add(needle);
  const near = fixture(engine);
  near.buffer.add(Buffer.concat([Buffer.alloc(100, 0x78), needle, Buffer.alloc(4000, 0x78)]));
  const sliced = fixture(engine);
  sliced.buffer.add(Buffer.alloc(64 * 1024, 0x79));
  const copies = fixture(engine);
  const target = Buffer.alloc(1024);
  copies.buffer.add(Buffer.alloc(64 * 1024, 0x7a));

  return [
    {
      name: name('add 64 B'),
      batch: BATCH,
      run: () => {
        const b = adds.buffer;
        for (let i = 0; i < BATCH; i++) b.add(small);
        b.drain(b.length);
      },
    },
    {
      name: name('drain 64 B'),
      batch: BATCH,
      run: () => {
        const b = drains.buffer;
        b.add(fill);
        for (let i = 0; i < BATCH; i++) b.drain(64);
      },
    },
    {
      name: name('add 1 KiB + drain 1 KiB'),
      run: () => {
        adds.buffer.add(kib);
        adds.buffer.drain(1024);
      },
    },
    {
      name: name('reserve 4 KiB + commit + drain'),
      run: () => {
        const b = reserves.buffer;
        b.reserve(4096)[0] = 1;
        b.commit(4096);
        b.drain(4096);
      },
    },
    { name: name('search 8 B needle, 100 B in'), run: () => near.buffer.search(needle) },
    { name: name('search 8 B needle across 64 KiB'), run: () => searchable.buffer.search(needle), bytes: 64 * 1024 },
    {
      name: name('slice 4 KiB + close'),
      run: () => {
        sliced.buffer.slice(10_000, 4096).close();
      },
    },
    { name: name('copyOut 1 KiB (allocates the result)'), run: () => copies.buffer.copyOut(16_000, 1024), bytes: 1024 },
    { name: name('copyInto 1 KiB (caller\'s target)'), run: () => copies.buffer.copyInto(target, 16_000), bytes: 1024 },
  ];
}

/**
 * Like the harness's `measure` (calibrated samples, cases interleaved sample by sample), but also
 * records process CPU time per sample: on a shared machine, time spent descheduled is not charged.
 */
function measureBoth(cases: readonly BenchCase[], samples: number): { wall: BenchResult[]; cpu: BenchResult[] } {
  const sampleNs = 20e6;
  const iterations = cases.map((c) => {
    let n = 1;
    for (;;) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) c.run();
      const elapsed = Number(process.hrtime.bigint() - start);
      if (elapsed > sampleNs / 4 || n > 1e9) return Math.max(1, Math.round((n * sampleNs) / Math.max(elapsed, 1)));
      n *= 4;
    }
  });
  const wall: number[][] = cases.map(() => []);
  const cpu: number[][] = cases.map(() => []);
  for (let s = 0; s < samples; s++) {
    cases.forEach((c, index) => {
      const n = iterations[index] as number;
      const perOp = n * (c.batch ?? 1);
      const cpuStart = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) c.run();
      const elapsed = Number(process.hrtime.bigint() - start);
      const used = process.cpuUsage(cpuStart);
      wall[index]?.push(elapsed / perOp);
      cpu[index]?.push(((used.user + used.system) * 1000) / perOp);
    });
  }
  const summarize = (values: number[][]) =>
    cases.map((c, index) => {
      const sorted = (values[index] as number[]).sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.round(q * (sorted.length - 1))] as number;
      return {
        name: c.name,
        medianNs: at(0.5),
        p10Ns: at(0.1),
        p90Ns: at(0.9),
        samples: sorted.length,
        ...(c.bytes === undefined ? {} : { bytes: c.bytes }),
      };
    });
  return { wall: summarize(wall), cpu: summarize(cpu) };
}

function table(results: BenchResult[], operation: string): string {
  return markdownTable(
    results.filter((r) => r.name.endsWith(operation)),
    `js ${operation}`,
  );
}

/** Runs the benchmark and returns its Markdown section. */
export async function run(): Promise<string> {
  const loadAverage = loadavg()[0]?.toFixed(2) ?? 'unknown';
  const native = loadEngine({ engine: 'native' }).engine;
  const js = loadEngine({ engine: 'js' }).engine;
  const nativeCases = casesFor(native);
  const jsCases = casesFor(js);
  const operations = nativeCases.map((c) => c.name.slice('native '.length));
  const measured = measureBoth(nativeCases.flatMap((c, i) => [c, jsCases[i] as BenchCase]), 25);
  const results = measured.cpu;

  const bindings = bufferBindings(NativeLibrary.open(native.source));
  const payload = Buffer.alloc(64);
  const ffiMeasured = measureBoth(
    [
      { name: 'native gmcp_buffer_noop(buf, len), raw koffi call', batch: 1000, run: () => { for (let i = 0; i < 1000; i++) bindings.noop(payload, 64); } },
      { name: 'native engine.bufferNoop(buf)', batch: 1000, run: () => { for (let i = 0; i < 1000; i++) native.bufferNoop(payload); } },
      { name: 'js engine.bufferNoop(buf)', batch: 1000, run: () => { for (let i = 0; i < 1000; i++) js.bufferNoop(payload); } },
    ],
    40,
  );
  const ffi = ffiMeasured.cpu;
  const noop = ffi[0] as BenchResult;
  const noopWall = ffiMeasured.wall[0] as BenchResult;

  const lines = operations.map((operation) => {
    const n = results.find((r) => r.name === `native ${operation}`) as BenchResult;
    const j = results.find((r) => r.name === `js ${operation}`) as BenchResult;
    return { operation, ratio: j.medianNs / n.medianNs };
  });
  const nativeWins = lines.filter((l) => l.ratio > 1).map((l) => `${l.operation} (${l.ratio.toFixed(2)}x)`);
  const jsWins = lines.filter((l) => l.ratio <= 1).map((l) => `${l.operation} (${(1 / l.ratio).toFixed(2)}x)`);
  const command =
    'cd bench && GOPHER_MCP_LIBRARY_PATH=<optimised libgopher_mcp_c.so> node --expose-gc --import tsx -e "import(\'./src/buffers.bench.ts\').then(async m => process.stdout.write(await m.run()))"';
  return [
    '## Buffers',
    '',
    machineLine(),
    '',
    `Load average when the run started: ${loadAverage} (a shared machine: compare ratios, not absolute times).`,
    '',
    `Command: \`${command}\``,
    '',
    `Pool of ${SLAB / 1024} KiB slabs. "add 64 B" is ${BATCH} adds then one drain of them all; "drain 64 B" is one add of ${BATCH} × 64 B then ${BATCH} drains (per-op figures include that share). Medians of 25 samples (40 for the FFI cases) of about 20 ms each, native and JS interleaved sample by sample.`,
    '',
    'Process CPU time per operation (time spent descheduled on this shared machine is not charged; wall-time medians follow at the end):',
    '',
    ...operations.flatMap((operation) => [`#### ${operation}`, '', table(results, operation), '']),
    '#### FFI overhead of one trivial call passing a 64 B Buffer (CPU time)',
    '',
    markdownTable(ffi),
    '',
    `One native call passing a Buffer costs ${noop.medianNs.toFixed(1)} ns of CPU time (${noopWall.medianNs.toFixed(1)} ns wall time); target under 100 ns: ${noop.medianNs < 100 ? 'met' : 'NOT met'}.`,
    '',
    `Native is faster for: ${nativeWins.length > 0 ? nativeWins.join(', ') : 'nothing'}. The JS twin is faster for: ${jsWins.length > 0 ? jsWins.join(', ') : 'nothing'}.`,
    '',
    '#### Wall time per operation, all cases',
    '',
    markdownTable([...measured.wall, ...ffiMeasured.wall]),
    '',
    'Conclusion: native does not beat the JS twin on small per-call buffer operations. Each native call pays the koffi call itself (the FFI line above) and each new native buffer (slice) a FinalizationRegistry registration, while those operations cost tens of nanoseconds in JS. Where one call does real work over many bytes (search across 64 KiB, copyOut / copyInto) both sides run memchr / memcpy and are close: their ranking changes from run to run on this shared machine.',
    '',
  ].join('\n');
}
