/**
 * Metrics: histogram observations per value (native engine vs JS twin; one koffi call per value,
 * the staged `record` of the API, and batches), counter adds, and reads at scrape time.
 * prom-client's Histogram is not compared here (it is not a dependency of this workspace).
 */
import { loadEngine, type Engine } from '../../packages/core/src/index.js';
import { metricsBindings } from '../../packages/core/src/engine/metrics/native-bindings.js';
import type { CounterSet, Histogram, HistogramOptions } from '../../packages/core/src/engine/metrics/types.js';
import { NativeLibrary } from '../../packages/core/src/engine/native-library/library.js';
import { machineLine, markdownTable, measure, type BenchCase, type BenchResult } from './harness.js';

const BATCH = 1024;
const PROMETHEUS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Latency-like values in seconds: log-normal around 50 ms (a fixed series). */
function latencies(count: number): Float64Array {
  const values = new Float64Array(count);
  let state = 987654321;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  for (let i = 0; i < count; i++) {
    const gaussian = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
    values[i] = 0.05 * Math.exp(gaussian);
  }
  return values;
}

const VALUES = latencies(1 << 16);

interface Shape {
  readonly label: string;
  readonly options: HistogramOptions;
}

const SHAPES: readonly Shape[] = [
  {
    label: 'prometheus',
    options: { significantDigits: 1, lowest: 0.005, highest: 10, bounds: PROMETHEUS_BUCKETS },
  },
  { label: 'default', options: {} },
];

function observeCases(native: Engine, js: Engine, library: NativeLibrary, shape: Shape): { cases: BenchCase[]; close: () => void } {
  const b = metricsBindings(library);
  const histograms: Histogram[] = [];
  const make = (engine: Engine) => {
    const h = engine.createHistogram(shape.options);
    histograms.push(h);
    return h;
  };
  const singles = (name: string, h: Histogram): BenchCase => {
    let at = 0;
    return {
      name,
      batch: BATCH,
      run: () => {
        for (let i = 0; i < BATCH; i++) h.record(VALUES[(at + i) & 0xffff] as number);
        at += BATCH;
      },
    };
  };
  const batches = (name: string, h: Histogram): BenchCase => {
    let at = 0;
    return {
      name,
      batch: BATCH,
      run: () => {
        h.recordMany(VALUES.subarray(at, at + BATCH));
        at = (at + BATCH) & 0xffff;
      },
    };
  };
  // One koffi call per observation, straight through the binding.
  const bounds = Float64Array.from(shape.options.bounds ?? []);
  const o = shape.options;
  library.check(
    b.histogramCreate(o.significantDigits ?? 2, o.lowest ?? 1e-6, o.highest ?? 1e6, bounds, bounds.length, b.pointerOut),
    'histogram create',
  );
  const raw = b.pointerOut[0] as bigint;
  let rawAt = 0;
  const cases: BenchCase[] = [
    singles(`js record() [${shape.label}]`, make(js)),
    singles(`native record(), staged 512 per call [API] [${shape.label}]`, make(native)),
    {
      name: `native gmcp_histogram_record: one koffi call per value [${shape.label}]`,
      batch: BATCH,
      run: () => {
        for (let i = 0; i < BATCH; i++) b.histogramRecord(raw, VALUES[(rawAt + i) & 0xffff] as number);
        rawAt += BATCH;
      },
    },
    batches(`js recordMany(1024 values) [${shape.label}]`, make(js)),
    batches(`native recordMany(1024 values), one call [${shape.label}]`, make(native)),
  ];
  return {
    cases,
    close: () => {
      for (const h of histograms) h.close();
      b.histogramFree(raw);
    },
  };
}

function counterCases(native: Engine, js: Engine, library: NativeLibrary): { cases: BenchCase[]; close: () => void } {
  const b = metricsBindings(library);
  const sets: CounterSet[] = [js.createCounterSet(256), native.createCounterSet(256)];
  library.check(b.countersCreate(256, b.pointerOut), 'counters create');
  const raw = b.pointerOut[0] as bigint;
  const adds = (name: string, add: (index: number) => void): BenchCase => ({
    name,
    batch: BATCH,
    run: () => {
      for (let i = 0; i < BATCH; i++) add(i & 255);
    },
  });
  return {
    cases: [
      adds('js counters add()', (i) => (sets[0] as CounterSet).add(i)),
      adds('native counters add(): through the view [API]', (i) => (sets[1] as CounterSet).add(i)),
      adds('native gmcp_counters_add: one koffi call per add', (i) => b.countersAdd(raw, i, 1)),
    ],
    close: () => {
      for (const s of sets) s.close();
      b.countersFree(raw);
    },
  };
}

function readCases(native: Engine, js: Engine): { cases: BenchCase[]; close: () => void } {
  const histograms: Histogram[] = [];
  const cases: BenchCase[] = [];
  for (const engine of [native, js]) {
    for (const shape of SHAPES) {
      const h = engine.createHistogram(shape.options);
      for (let i = 0; i < 16; i++) h.recordMany(VALUES);
      histograms.push(h);
      cases.push({ name: `${engine.kind} quantile(0.99), 1M values [${shape.label}]`, run: () => h.quantile(0.99) });
      if (shape.options.bounds !== undefined) {
        cases.push({ name: `${engine.kind} boundCounts() + count + sum [${shape.label}]`, run: () => [h.boundCounts(), h.count, h.sum] });
      }
    }
  }
  return { cases, close: () => histograms.forEach((h) => h.close()) };
}

function find(results: readonly BenchResult[], prefix: string): BenchResult | undefined {
  return results.find((r) => r.name.startsWith(prefix));
}

function times(a: BenchResult | undefined, b: BenchResult | undefined): string {
  return a && b ? (b.medianNs / a.medianNs).toFixed(2) : '?';
}

export async function run(): Promise<string> {
  const native = loadEngine({ engine: 'native' }).engine;
  const js = loadEngine({ engine: 'js' }).engine;
  const library = NativeLibrary.open(native.source);

  const sections: string[] = [];
  const verdicts: string[] = [];
  for (const shape of SHAPES) {
    const { cases, close } = observeCases(native, js, library, shape);
    const results = measure(cases);
    close();
    const jsSingle = find(results, 'js record()');
    sections.push(`### Observations, ${shape.label} histogram (${JSON.stringify(shape.options)})`, '', markdownTable(results, jsSingle?.name), '');
    verdicts.push(
      `${shape.label}: one koffi call per value is ${times(find(results, 'native gmcp_histogram_record'), jsSingle)}x the JS twin's speed, ` +
        `the staged native record() ${times(find(results, 'native record()'), jsSingle)}x, ` +
        `native recordMany ${times(find(results, 'native recordMany'), find(results, 'js recordMany'))}x JS recordMany (>1: native faster)`,
    );
  }
  const counters = counterCases(native, js, library);
  const counterResults = measure(counters.cases);
  counters.close();
  const reads = readCases(native, js);
  const readResults = measure(reads.cases, { samples: 20 });
  reads.close();

  const lines = [
    '## Metrics: histograms and counters (metrics)',
    '',
    machineLine(),
    '',
    'Command: `cd bench && GOPHER_MCP_LIBRARY_PATH=<optimised libgopher_mcp_c.so> node --expose-gc --import tsx -e "import(\'./src/metrics.bench.ts\').then(async m => process.stdout.write(await m.run()))"`',
    '',
    'Latency-like values (log-normal around 50 ms, in seconds), per observation; medians of 30 interleaved samples.',
    "prom-client's Histogram is not in this workspace and is not compared here.",
    '',
    ...sections,
    '### Counter adds',
    '',
    markdownTable(counterResults, 'js counters add()'),
    '',
    '### Reads at scrape time',
    '',
    markdownTable(readResults),
    '',
    `**Conclusion:** ${verdicts.join('; ')}. ` +
      'A koffi call per observation cannot beat the JS twin; the native histogram therefore stages values in JS and records ' +
      'them in batches, and native counters are written through a view of library memory (no call per add).',
    '',
  ];
  return lines.join('\n');
}
