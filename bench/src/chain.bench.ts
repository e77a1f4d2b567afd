// Per-message cost of the filter chain: FilterManager.handle() with no filter vs ten no-op
// filters of each shape (around-style returning next(), async around-style, phased), without and
// with Node's promise hooks on (an AsyncLocalStorage in use, as OpenTelemetry's context manager does).
// Benchmarks import the BUILT packages (dist), never src through tsx: tsx compiles with keepNames,
// which wraps every closure in a defineProperty call and inflates hot paths several times over.
import { AsyncLocalStorage } from 'node:async_hooks';

import { FilterManager, createJsEngine, type Filter, type FilterLike, type JsonRpcMessage, type MessageView, type PhasedFilter } from '@gopher-mcp/core';
import { machineLine, markdownTable, measureAsync, type BenchResult } from './harness.js';

const request: JsonRpcMessage = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } };
const response: JsonRpcMessage = { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'hi' }] } };
/** The upstream is asynchronous, as every real transport is. */
const upstream = (_m: MessageView): Promise<JsonRpcMessage> => Promise.resolve(response);

const shapes: Record<string, () => FilterLike> = {
  'around-style, returning next()': (): Filter => ({ type: 'noop', handle: (_exchange, next) => next() }),
  'around-style, async/await': (): Filter => ({
    type: 'noop',
    async handle(_exchange, next) {
      return await next();
    },
  }),
  phased: (): PhasedFilter => ({ type: 'noop', onRequest: () => undefined, onResponse: (_exchange, r) => r }),
};

function managerWith(filters: number, shape: () => FilterLike, latency: boolean): FilterManager {
  return new FilterManager({ engine: createJsEngine(), latency, filters: Array.from({ length: filters }, shape) });
}

async function group(suffix: string): Promise<BenchResult[]> {
  const cases = [{ name: `no filters${suffix}`, manager: managerWith(0, shapes.phased as () => FilterLike, true) }];
  for (const [shape, make] of Object.entries(shapes)) {
    cases.push({ name: `10 no-op filters, ${shape}${suffix}`, manager: managerWith(10, make, true) });
  }
  cases.push({ name: `10 no-op filters, phased, no latency histograms${suffix}`, manager: managerWith(10, shapes.phased as () => FilterLike, false) });
  const results = await measureAsync(cases.map((c) => ({ name: c.name, run: () => c.manager.handle(request, upstream) })));
  await Promise.all(cases.map((c) => c.manager.close()));
  return results;
}

export async function run(): Promise<string> {
  const plain = await group('');
  const storage = new AsyncLocalStorage<number>();
  const hooked = await storage.run(1, () => group(', promise hooks on'));
  storage.disable();
  const results = [...plain, ...hooked];
  const median = (name: string) => results.find((r) => r.name === name)?.medianNs ?? Number.NaN;
  const perFilter = (shape: string, suffix: string) => ((median(`10 no-op filters, ${shape}${suffix}`) - median(`no filters${suffix}`)) / 10).toFixed(0);
  const line = (suffix: string, label: string) =>
    `${label}: ${perFilter('phased', suffix)} ns per phased filter, ${perFilter('around-style, returning next()', suffix)} ns per around-style filter returning \`next()\`, ${perFilter('around-style, async/await', suffix)} ns per \`async\` one (each with its latency histogram).`;
  return [
    '## Filter chain: per-message cost',
    '',
    machineLine(),
    '',
    'Command: `cd bench && node --expose-gc --import tsx -e "import(\'./src/chain.bench.ts\').then(async m => process.stdout.write(await m.run()))"` (after `npx -y pnpm@12.4.2 build`)',
    '',
    'One request/response exchange through `FilterManager.handle()` with an asynchronous in-process upstream (parsed objects, JS engine), with ten no-op filters of each shape. The second half runs inside an `AsyncLocalStorage`, which turns on Node 20\'s promise hooks for every promise, as OpenTelemetry\'s context manager does. Medians of 25 interleaved samples.',
    '',
    markdownTable(results, 'no filters'),
    '',
    line('', 'Without promise hooks'),
    '',
    line(', promise hooks on', 'With promise hooks on'),
    '',
  ].join('\n');
}
