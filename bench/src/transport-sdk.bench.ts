// Per-message cost of the MCP SDK transport decorator (@gopher-mcp/transport-sdk): a request
// round trip over the SDK's own in-memory transport, bare vs wrapped in a GopherTransport with an
// empty chain and with three filters; then the same through a real SDK client and server (ping).
// Like chain.bench.ts, this imports the BUILT packages (dist): tsx's keepNames inflates hot paths.
// Build first: `cd packages/core && npx tsup` and `cd packages/transport-sdk && npx tsup`.
import { attributeKey, createJsEngine, FilterManager, type Filter } from '@gopher-mcp/core';

import { GopherTransport, type SdkJsonRpcMessage, type SdkTransport } from '../../packages/transport-sdk/dist/index.js';
import { machineLine, markdownTable, type BenchResult } from './harness.js';

const SDK = '../../packages/transport-sdk/node_modules/@modelcontextprotocol/sdk/dist/esm';

interface InMemoryPair {
  createLinkedPair(): [SdkTransport, SdkTransport];
}

interface SdkPeer {
  connect(transport: SdkTransport): Promise<void>;
  close(): Promise<void>;
}

const { InMemoryTransport } = (await import(`${SDK}/inMemory.js`)) as { InMemoryTransport: InMemoryPair };
const { Client } = (await import(`${SDK}/client/index.js`)) as { Client: new (info: object, options?: object) => SdkPeer & { ping(): Promise<unknown> } };
const { Server } = (await import(`${SDK}/server/index.js`)) as { Server: new (info: object, options?: object) => SdkPeer };

const BATCH = 2_000;
const SAMPLES = 31;
const engine = createJsEngine();

const toolKey = attributeKey<string>('bench.tool');

/** Three filters of the kinds a real chain has, without I/O: a counter, a method policy, a response check. */
function threeFilters(): Filter[] {
  const counts = { requests: 0, errors: 0, results: 0 };
  const allowed = new Set(['initialize', 'notifications/initialized', 'ping', 'tools/list', 'tools/call']);
  const count: Filter = {
    type: 'count',
    async handle(_exchange, next) {
      counts.requests++;
      const response = await next();
      if (response?.kind === 'error') counts.errors++;
      return response;
    },
  };
  const policy: Filter = {
    type: 'policy',
    handle: (exchange, next) => (allowed.has(exchange.message.method ?? '') ? next() : exchange.deny(403, 'method not allowed', { rule: 'methods' })),
  };
  const inspect: Filter = {
    type: 'inspect',
    async handle(exchange, next) {
      exchange.context.attributes.set(toolKey, exchange.message.toolName ?? exchange.message.method ?? '');
      const response = await next();
      if (response?.kind === 'result') counts.results++;
      return response;
    },
  };
  return [count, policy, inspect];
}

type Chain = 'bare' | 'empty' | 'three';

function serverSide(inner: SdkTransport, chain: Chain): { transport: SdkTransport; manager?: FilterManager } {
  if (chain === 'bare') return { transport: inner };
  const manager = new FilterManager({ engine, filters: chain === 'three' ? threeFilters() : [] });
  return { transport: new GopherTransport(inner, manager, { side: 'server', transportName: 'memory' }), manager };
}

/** Request round trips over the transport only: the "server" answers every request at once. */
async function transportCase(name: string, chain: Chain) {
  const [client, serverInner] = InMemoryTransport.createLinkedPair();
  const { transport: server } = serverSide(serverInner, chain);
  let waiting: (() => void) | undefined;
  client.onmessage = () => waiting?.();
  server.onmessage = (message: SdkJsonRpcMessage) => {
    if ('id' in message && message.id !== undefined && 'method' in message) void server.send({ jsonrpc: '2.0', id: message.id, result: {} });
  };
  await server.start();
  await client.start();
  let id = 0;
  return {
    name,
    runAsync: async () => {
      for (let i = 0; i < BATCH; i++) {
        const answered = new Promise<void>((resolve) => {
          waiting = resolve;
        });
        await client.send({ jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } });
        await answered;
      }
    },
  };
}

/** `client.ping()` through a real SDK client and server. */
async function sdkCase(name: string, chain: Chain) {
  const [clientInner, serverInner] = InMemoryTransport.createLinkedPair();
  const server = new Server({ name: 'bench', version: '1' }, { capabilities: {} });
  await server.connect(serverSide(serverInner, chain).transport);
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(clientInner);
  return {
    name,
    runAsync: async () => {
      for (let i = 0; i < BATCH; i++) await client.ping();
    },
  };
}

/**
 * Interleaved samples of each async case; medians per round trip, of the process's CPU time
 * (`process.cpuUsage`: on a shared, loaded machine wall time mostly measures the neighbours) and
 * of wall time.
 */
async function measureAsync(cases: Array<{ name: string; runAsync: () => Promise<void> }>, samples = SAMPLES): Promise<{ cpu: BenchResult[]; wall: BenchResult[] }> {
  const cpu = cases.map(() => [] as number[]);
  const wall = cases.map(() => [] as number[]);
  for (const c of cases) await c.runAsync(); // warm-up
  // No forced collection: a full GC per sample (or even one before measuring) threw the optimised
  // steady state away here and measured several times the steady cost.
  for (let s = 0; s < samples; s++) {
    for (const [index, c] of cases.entries()) {
      const usage = process.cpuUsage();
      const start = process.hrtime.bigint();
      await c.runAsync();
      const elapsed = Number(process.hrtime.bigint() - start);
      const used = process.cpuUsage(usage);
      wall[index]?.push(elapsed / BATCH);
      cpu[index]?.push(((used.user + used.system) * 1000) / BATCH);
    }
  }
  const summarise = (perOp: number[][]): BenchResult[] =>
    cases.map((c, index) => {
      const sorted = (perOp[index] as number[]).sort((a, b) => a - b);
      const q = (p: number) => sorted[Math.round(p * (sorted.length - 1))] as number;
      return { name: c.name, medianNs: q(0.5), p10Ns: q(0.1), p90Ns: q(0.9), samples: sorted.length };
    });
  return { cpu: summarise(cpu), wall: summarise(wall) };
}

const us = (ns: number): string => `${(ns / 1000).toFixed(1)} µs`;

export async function run(): Promise<string> {
  const transport = await measureAsync([
    await transportCase('bare in-memory transport', 'bare'),
    await transportCase('GopherTransport, empty chain', 'empty'),
    await transportCase('GopherTransport, 3 filters', 'three'),
  ]);
  const sdk = await measureAsync([
    await sdkCase('SDK ping, bare in-memory', 'bare'),
    await sdkCase('SDK ping, GopherTransport, empty chain', 'empty'),
    await sdkCase('SDK ping, GopherTransport, 3 filters', 'three'),
  ]);
  const [bare, empty, three] = transport.cpu.map((r) => r.medianNs) as [number, number, number];
  const [sdkBare, sdkEmpty, sdkThree] = sdk.cpu.map((r) => r.medianNs) as [number, number, number];
  return [
    '## MCP SDK transport decorator (@gopher-mcp/transport-sdk): per-message overhead',
    '',
    machineLine(),
    '',
    '```',
    'cd packages/core && npx tsup && cd ../transport-sdk && npx tsup && cd ../../bench',
    'node --expose-gc --import tsx -e "import(\'./src/transport-sdk.bench.ts\').then(async m => process.stdout.write(await m.run()))"',
    '```',
    '',
    `One operation = one request round trip (request in, response out: two messages through the decorator), ${BATCH} sequential round trips per sample, medians of ${SAMPLES} interleaved samples. ` +
      'SDK 1.x in-memory transport, the server side wrapped; built packages (dist). The 3 filters: a counter (both phases), a method allow-list, a response inspector. ' +
      'Times are CPU time of the process per operation (the machine is shared and loaded: wall time mostly measures the neighbours); wall-time medians follow for reference.',
    '',
    '### Transport only (a responder answers at once), CPU time',
    '',
    markdownTable(transport.cpu, 'bare in-memory transport'),
    '',
    '### Through a real SDK client and server (`client.ping()`), CPU time',
    '',
    markdownTable(sdk.cpu, 'SDK ping, bare in-memory'),
    '',
    '### Wall time, same runs',
    '',
    markdownTable([...transport.wall, ...sdk.wall]),
    '',
    `The decorator costs ${us(empty - bare)} of CPU per round trip with an empty chain and ${us(three - bare)} with three filters ` +
      `(${us((empty - bare) / 2)} and ${us((three - bare) / 2)} per message); ` +
      `behind a real SDK client and server, where a ping costs ${us(sdkBare)} bare, the medians are ${(((sdkEmpty - sdkBare) / sdkBare) * 100).toFixed(0)}% ` +
      `and ${(((sdkThree - sdkBare) / sdkBare) * 100).toFixed(0)}% higher, but the SDK's own spread (p10 – p90) is wider than that difference on this shared machine.`,
    '',
  ].join('\n');
}
