// Per-request cost of the observability filters (access_log, metrics, tracing) in a
// FilterManager.handle() loop against no filter, and the engine's histograms / counter sets against
// prom-client's own observe / inc (what decides the metrics filter's default recorder).
// Like chain.bench.ts, this imports the BUILT packages (dist): tsx compiles src with keepNames,
// which inflates hot paths. Build first: `cd packages/core && npx tsup`, `cd packages/observability && npx tsup`.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';

import { FilterManager, createJsEngine, loadEngine, systemClock, type Engine, type FilterLike, type JsonRpcMessage, type MessageView } from '@gopher-mcp/core';

import type * as OtelApi from '@opentelemetry/api';
import type * as ContextAsyncHooks from '@opentelemetry/context-async-hooks';
import type * as SdkTraceBase from '@opentelemetry/sdk-trace-base';
import type * as PromClient from 'prom-client';

import { accessLog, metrics, tracing } from '../../packages/observability/dist/index.js';
import { machineLine, markdownTable, measure, type BenchCase, type BenchResult } from './harness.js';

// prom-client and the OpenTelemetry SDK are dependencies of the observability package, not of bench.
const requireObservability = createRequire(new URL('../../packages/observability/package.json', import.meta.url));
const prom = requireObservability('prom-client') as typeof PromClient;
const otel = requireObservability('@opentelemetry/api') as typeof OtelApi;
const sdk = requireObservability('@opentelemetry/sdk-trace-base') as typeof SdkTraceBase;
const asyncHooks = requireObservability('@opentelemetry/context-async-hooks') as typeof ContextAsyncHooks;

const request: JsonRpcMessage = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } };
const response: JsonRpcMessage = { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'hi' }] } };
const init = { transport: 'http', session: { id: 'sess-1', protocolVersion: '2025-06-18' }, peer: { address: '127.0.0.1', port: 50000 } };

/** Discards lines (what a fast sink costs is not the filter's cost). */
const nullStream = { write: (_chunk: string) => true };

const BATCH = 1_000;

interface AsyncCase {
  readonly name: string;
  readonly manager: FilterManager;
}

function managerWith(filters: FilterLike[]): FilterManager {
  return new FilterManager({ engine: createJsEngine(), clock: systemClock, filters });
}

/** Async cases, interleaved sample by sample; per-exchange medians. */
async function measureAsync(cases: readonly AsyncCase[], samples = 25): Promise<BenchResult[]> {
  const upstream = (_m: MessageView) => response;
  const batch = async (manager: FilterManager): Promise<void> => {
    for (let i = 0; i < BATCH; i++) await manager.handle(request, upstream, init);
  };
  for (const c of cases) for (let w = 0; w < 3; w++) await batch(c.manager); // warm-up
  const perOp = cases.map(() => [] as number[]);
  for (let s = 0; s < samples; s++) {
    for (const [index, c] of cases.entries()) {
      const start = process.hrtime.bigint();
      await batch(c.manager);
      perOp[index]?.push(Number(process.hrtime.bigint() - start) / BATCH);
    }
  }
  return cases.map((c, index) => {
    const sorted = (perOp[index] as number[]).sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.round(p * (sorted.length - 1))] as number;
    return { name: c.name, medianNs: q(0.5), p10Ns: q(0.1), p90Ns: q(0.9), samples: sorted.length };
  });
}

/** The span exporter of the SDK case: accepts and drops (export cost is the SDK's, not the filter's). */
const dropExporter = {
  export: (_spans: unknown[], done: (result: { code: number }) => void) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};

/** What measuring sizes alone costs: object-backed views walk the object once (byte-backed ones know their length). */
const sizeReader: FilterLike = {
  type: 'custom',
  onRequest(exchange) {
    void exchange.message.size;
    return undefined;
  },
  onResponse(_exchange, answer) {
    void answer?.size;
    return answer;
  },
};

function filterCases(): AsyncCase[] {
  const provider = new sdk.BasicTracerProvider({ spanProcessors: [new sdk.BatchSpanProcessor(dropExporter as never, { maxQueueSize: 65_536, maxExportBatchSize: 4_096 })] });
  return [
    { name: 'no filter', manager: managerWith([]) },
    { name: 'reference: a filter reading both message sizes', manager: managerWith([sizeReader]) },
    { name: 'access_log json', manager: managerWith([accessLog({ stream: nullStream })]) },
    { name: 'access_log combined', manager: managerWith([accessLog({ stream: nullStream, format: 'combined' })]) },
    { name: 'access_log json, 1% sampled', manager: managerWith([accessLog({ stream: nullStream, sampleRate: 0.01 })]) },
    { name: 'metrics (engine recorder)', manager: managerWith([metrics({ registry: new prom.Registry() })]) },
    { name: 'metrics (prom-client recorder)', manager: managerWith([metrics({ registry: new prom.Registry(), recorder: 'prom-client' })]) },
    { name: 'tracing, OTel SDK, every span', manager: managerWith([tracing({ tracerProvider: provider, sampler: { type: 'always' } })]) },
    { name: 'tracing, sampler never', manager: managerWith([tracing({ tracerProvider: provider, sampler: { type: 'never' } })]) },
    { name: 'tracing, no SDK (API no-op)', manager: managerWith([tracing({ sampler: { type: 'always' } })]) },
    {
      name: 'all three (json log, engine metrics, SDK spans)',
      manager: managerWith([tracing({ tracerProvider: provider, sampler: { type: 'always' } }), accessLog({ stream: nullStream }), metrics({ registry: new prom.Registry() })]),
    },
  ];
}

const BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
const values = Float64Array.from({ length: 1024 }, (_, i) => (i % 97) * 0.0013);

function primitiveCases(nativeEngine: Engine | undefined): BenchCase[] {
  const registry = new prom.Registry();
  const histogram = new prom.Histogram({ name: 'h_seconds', help: 'h', labelNames: ['mcp_method_name', 'gen_ai_tool_name', 'error_type'], buckets: BUCKETS, registers: [registry] });
  const labels = { mcp_method_name: 'tools/call', gen_ai_tool_name: 'echo', error_type: '' };
  const counter = new prom.Counter({ name: 'c_total', help: 'c', labelNames: ['direction', 'mcp_method_name', 'gen_ai_tool_name', 'outcome'], registers: [registry] });
  const counterLabels = { direction: 'inbound', mcp_method_name: 'tools/call', gen_ai_tool_name: 'echo', outcome: 'ok' };
  const histogramOptions = { bounds: BUCKETS, significantDigits: 1, lowest: 0.01, highest: 300 };
  const js = createJsEngine();
  const jsHistogram = js.createHistogram(histogramOptions);
  const jsCounters = js.createCounterSet(16);
  let k = 0;
  const cases: BenchCase[] = [
    { name: 'prom-client Histogram.observe(labels, v)', batch: BATCH, run: () => { for (let i = 0; i < BATCH; i++) histogram.observe(labels, values[k++ & 1023] as number); } },
    { name: 'engine (js) Histogram.record(v)', batch: BATCH, run: () => { for (let i = 0; i < BATCH; i++) jsHistogram.record(values[k++ & 1023] as number); } },
    { name: 'prom-client Counter.inc(labels)', batch: BATCH, run: () => { for (let i = 0; i < BATCH; i++) counter.inc(counterLabels); } },
    { name: 'engine (js) CounterSet.add(i)', batch: BATCH, run: () => { for (let i = 0; i < BATCH; i++) jsCounters.add(3); } },
  ];
  if (nativeEngine !== undefined) {
    const nativeHistogram = nativeEngine.createHistogram(histogramOptions);
    const nativeCounters = nativeEngine.createCounterSet(16);
    cases.push(
      { name: 'engine (native) Histogram.record(v)', batch: BATCH, run: () => { for (let i = 0; i < BATCH; i++) nativeHistogram.record(values[k++ & 1023] as number); } },
      { name: 'engine (native) CounterSet.add(i)', batch: BATCH, run: () => { for (let i = 0; i < BATCH; i++) nativeCounters.add(3); } },
    );
  }
  return cases;
}

function nativeOrWhy(): { engine?: Engine; why?: string } {
  try {
    return { engine: loadEngine({ engine: 'native' }).engine };
  } catch (error) {
    return { why: error instanceof Error ? error.message : String(error) };
  }
}

const ratio = (results: readonly BenchResult[], a: string, b: string): string => {
  const x = results.find((r) => r.name === a)?.medianNs ?? NaN;
  const y = results.find((r) => r.name === b)?.medianNs ?? NaN;
  return (x / y).toFixed(1);
};

const cost = (results: readonly BenchResult[], name: string): string => {
  const base = results.find((r) => r.name === 'no filter')?.medianNs ?? NaN;
  const value = results.find((r) => r.name === name)?.medianNs ?? NaN;
  return `${((value - base) / 1000).toFixed(2)} µs`;
};

export async function run(): Promise<string> {
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  const contextManager = new asyncHooks.AsyncLocalStorageContextManager().enable();
  otel.context.setGlobalContextManager(contextManager);
  const filters = await measureAsync(filterCases());
  otel.context.disable();
  const native = nativeOrWhy();
  const primitives = measure(primitiveCases(native.engine), { samples: 25 });
  return [
    '## Observability filters: per-request cost',
    '',
    `${machineLine()}; load average ${load} when the run started (a shared machine: compare medians and ratios within one run)`,
    '',
    'Command: `cd bench && node --expose-gc --import tsx -e "import(\'./src/observability.bench.ts\').then(async m => process.stdout.write(await m.run()))"` (after `npx tsup` in packages/core and packages/observability)',
    '',
    'One `tools/call` request/response exchange through `FilterManager.handle()` (parsed objects, JS engine, system clock, in-process upstream), one filter at a time; the access log writes to a stream that discards, the SDK spans go to the batch span processor with an exporter that drops them, with the AsyncLocalStorage context manager.',
    '',
    markdownTable(filters, 'no filter'),
    '',
    `Added per exchange over no filter: reading the two message sizes alone ${cost(filters, 'reference: a filter reading both message sizes')} (object-backed messages are walked once for their size, never serialised; byte-backed ones from the envelope scanner know it; the access log and metrics share it), access_log json ${cost(filters, 'access_log json')}, combined ${cost(filters, 'access_log combined')}, 1% sampled ${cost(filters, 'access_log json, 1% sampled')}; metrics ${cost(filters, 'metrics (engine recorder)')} with the engine recorder vs ${cost(filters, 'metrics (prom-client recorder)')} with prom-client's; tracing ${cost(filters, 'tracing, OTel SDK, every span')} per SDK span, ${cost(filters, 'tracing, sampler never')} when not sampled, ${cost(filters, 'tracing, no SDK (API no-op)')} without an SDK; all three ${cost(filters, 'all three (json log, engine metrics, SDK spans)')}.`,
    '',
    '### Engine histograms and counters vs prom-client',
    '',
    'One observation of a duration (14 OpenTelemetry MCP buckets, 3 labels, label object reused) or one counter increment (4 labels).',
    native.engine === undefined ? `The native engine did not load on this run, so only the TypeScript twin is measured (${native.why ?? ''}).` : `Native engine: ${native.engine.source}.`,
    '',
    markdownTable(primitives, 'prom-client Histogram.observe(labels, v)'),
    '',
    `The engine's TypeScript twin records a histogram observation ${ratio(primitives, 'prom-client Histogram.observe(labels, v)', 'engine (js) Histogram.record(v)')}x faster than prom-client's observe (which hashes the label set on every call) and counts ${ratio(primitives, 'prom-client Counter.inc(labels)', 'engine (js) CounterSet.add(i)')}x faster, so the metrics filter counts its per-exchange metrics in the engine's primitives by default (\`recorder: 'engine'\`, exposed to the Registry through collectors); it uses the TypeScript twin's primitives whatever the chain's engine${native.engine === undefined ? ', the native ones being unmeasured here' : ''}.`,
    '',
  ].join('\n');
}
