// Per-message cost of the filter chain: FilterManager.handle() with no filter vs ten no-op
// around-style filters.
// Benchmarks import the BUILT packages (dist), never src through tsx: tsx compiles with keepNames,
// which wraps every closure in a defineProperty call and inflates hot paths several times over.
import { FilterManager, createJsEngine, type Filter, type JsonRpcMessage, type MessageView } from '@gopher-mcp/core';
import { machineLine, markdownTable, measure, type BenchCase } from './harness.js';

const request: JsonRpcMessage = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } };
const response: JsonRpcMessage = { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'hi' }] } };

const noop = (): Filter => ({ type: 'noop', handle: (_exchange, next) => next() });

function managerWith(filters: number, latency = false): FilterManager {
  return new FilterManager({ engine: createJsEngine(), latency, filters: Array.from({ length: filters }, noop) });
}

const BATCH = 1_000;

function caseFor(name: string, manager: FilterManager): BenchCase & { runAsync: () => Promise<void> } {
  const upstream = (_m: MessageView) => response;
  return {
    name,
    batch: BATCH,
    run: () => undefined,
    runAsync: async () => {
      for (let i = 0; i < BATCH; i++) await manager.handle(request, upstream);
    },
  };
}

/** Async cases: measured by awaiting a batch, several samples, medians per message. */
async function measureAsync(cases: Array<ReturnType<typeof caseFor>>, samples = 25) {
  const perOp = cases.map(() => [] as number[]);
  for (const c of cases) await c.runAsync(); // warm-up
  for (let s = 0; s < samples; s++) {
    for (const [index, c] of cases.entries()) {
      const start = process.hrtime.bigint();
      await c.runAsync();
      perOp[index]?.push(Number(process.hrtime.bigint() - start) / BATCH);
    }
  }
  return cases.map((c, index) => {
    const sorted = (perOp[index] as number[]).sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.round(p * (sorted.length - 1))] as number;
    return { name: c.name, medianNs: q(0.5), p10Ns: q(0.1), p90Ns: q(0.9), samples: sorted.length };
  });
}

export async function run(): Promise<string> {
  const cases = [
    caseFor('no filters', managerWith(0)),
    caseFor('10 no-op filters', managerWith(10)),
    caseFor('10 no-op filters, per-filter latency histograms (the default)', managerWith(10, true)),
  ];
  const results = await measureAsync(cases);
  void measure;
  const base = results[0]?.medianNs ?? 0;
  const ten = results[1]?.medianNs ?? 0;
  const timed = results[2]?.medianNs ?? 0;
  return [
    '## Filter chain: per-message cost',
    '',
    machineLine(),
    '',
    'Command: `cd bench && node --expose-gc --import tsx -e "import(\'./src/chain.bench.ts\').then(async m => process.stdout.write(await m.run()))"`',
    '',
    'One request/response exchange through `FilterManager.handle()` with an in-process upstream (parsed objects, JS engine).',
    '',
    markdownTable(results, 'no filters'),
    '',
    `Ten no-op filters add ${((ten - base) / 1000).toFixed(2)} µs per exchange over the bare manager, ${((ten - base) / 10).toFixed(0)} ns per filter; measuring each filter's latency (two clock reads and a batched histogram record per filter) brings that to ${((timed - base) / 10).toFixed(0)} ns per filter. Pass \`latency: false\` to a FilterManager to skip it.`,
    '',
  ].join('\n');
}
