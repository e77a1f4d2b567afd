/**
 * Per-request cost of the traffic filters: rate_limit on the in-process store (the engine's
 * tables, JS twin and native) and on the Redis store (a real redis-server on 127.0.0.1, one Lua
 * script per decision), circuit_breaker, retry and load_balancer. Each case runs one exchange
 * through a FilterChain holding only the filter under test; the empty chain is the baseline.
 * A second table measures the in-process decision alone (no chain).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import {
  createExchangeContext,
  FilterChain,
  loadEngine,
  ManualClock,
  ObjectMessageView,
  type Engine,
  type FilterLike,
  type MessageView,
  type Principal,
} from '@gopher-mcp/core';
import { MemoryRateLimitStore } from '@gopher-mcp/traffic';
import { circuitBreaker, loadBalancer, rateLimit, retry, seededRandom } from '@gopher-mcp/traffic';
import { machineLine, markdownTable, measure, measureAsync, type AsyncCase, type BenchResult } from './harness.js';


const principals: Principal[] = Array.from({ length: 1000 }, (_, i) => ({ subject: `user-${i}`, scopes: [], roles: [], claims: {}, method: 'api_key' }));
const toolMessage = new ObjectMessageView({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search', arguments: { q: 'x' } } });
const listMessage = new ObjectMessageView({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const answer = (m: MessageView) => Promise.resolve(new ObjectMessageView({ jsonrpc: '2.0', id: m.id as number, result: {} }));

/** One exchange through a chain holding `filters`; each call is a new user (1000 in rotation) and session. */
function chainCase(name: string, engine: Engine, filters: FilterLike[], message: MessageView = toolMessage): AsyncCase & { chain: FilterChain } {
  const clock = new ManualClock(0);
  const chain = new FilterChain({ engine, clock });
  for (const filter of filters) chain.add(filter);
  let i = 0;
  return {
    name,
    chain,
    run: () => {
      i = (i + 1) % principals.length;
      const context = createExchangeContext({ clock, principal: principals[i], session: { id: `s-${i}` } });
      return chain.run(message, context, answer);
    },
  };
}

function binaryOnPath(name: string, fromEnv: string | undefined): string | undefined {
  if (fromEnv) return fromEnv;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A private redis-server for the benchmark, or undefined when none is installed. */
async function startRedis(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  const bin = binaryOnPath('redis-server', process.env.GOPHER_MCP_REDIS_SERVER_BIN);
  if (bin === undefined) return undefined;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'gopher-bench-redis-'));
  const child: ChildProcess = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', () => reject(new Error(`redis-server exited: ${output.slice(-300)}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function run(): Promise<string> {
  const engines: Engine[] = [loadEngine({ engine: 'js' }).engine];
  let nativeNote = '';
  try {
    engines.push(loadEngine({ engine: 'native' }).engine);
  } catch (error) {
    nativeNote = ` (native engine not loaded: ${error instanceof Error ? error.message : String(error)})`;
  }
  const js = engines[0] as Engine;
  const perUser = { name: 'per-user', limit: 1_000_000, windowMs: 1000, key: 'subject' as const };
  const perUserTool = { name: 'per-user-tool', limit: 1_000_000, windowMs: 1000, key: ['subject', 'tool'] as ['subject', 'tool'] };
  const targets = [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }];

  const passThrough: FilterLike = { type: 'pass', handle: (_exchange, next) => next() };
  const cases: AsyncCase[] = [chainCase('empty chain (baseline)', js, []), chainCase('a pass-through filter (reference)', js, [passThrough])];
  for (const engine of engines) {
    cases.push(chainCase(`rate_limit, memory store, 1 limit (${engine.kind})`, engine, [rateLimit({ limits: [perUser] })]));
    cases.push(chainCase(`rate_limit, memory store, 2 limits all-or-nothing (${engine.kind})`, engine, [rateLimit({ limits: [perUser, perUserTool] })]));
  }
  cases.push(chainCase('circuit_breaker (closed, per tool)', js, [circuitBreaker({ key: 'tool' })]));
  cases.push(chainCase('retry (safe method, first attempt succeeds)', js, [retry({ random: seededRandom(1) })], listMessage));
  cases.push(chainCase('load_balancer round_robin (4 targets)', js, [loadBalancer({ targets, stickySessions: false })]));
  cases.push(chainCase('load_balancer p2c_ewma (4 targets)', js, [loadBalancer({ strategy: 'p2c_ewma', targets, stickySessions: false, random: seededRandom(1) })]));
  cases.push(chainCase('load_balancer consistent_hash on session (4 targets)', js, [loadBalancer({ strategy: 'consistent_hash', targets, stickySessions: false })]));
  cases.push(chainCase('load_balancer round_robin + sticky sessions', js, [loadBalancer({ targets })]));

  const redis = await startRedis();
  const redisCases: Array<AsyncCase & { chain: FilterChain }> = [];
  if (redis !== undefined) {
    redisCases.push(chainCase('rate_limit, Redis store, 1 limit', js, [rateLimit({ limits: [perUser], store: { type: 'redis', url: redis.url, timeoutMs: 1000 } })]));
    redisCases.push(
      chainCase('rate_limit, Redis store, 2 limits all-or-nothing', js, [rateLimit({ limits: [perUser, perUserTool], store: { type: 'redis', url: redis.url, timeoutMs: 1000 } })]),
    );
    for (const c of redisCases) await c.run(); // connect
  }
  // In-process cases and Redis cases are measured apart (each set interleaved within itself): a
  // Redis case right after the in-process ones pays for the server having been idle meanwhile.
  const asyncResults = [...(await measureAsync(cases, 31, 60)), ...(redisCases.length === 0 ? [] : await measureAsync(redisCases, 31, 60))];
  for (const c of [...cases, ...redisCases]) await (c as { chain?: FilterChain }).chain?.close();
  await redis?.stop();

  // The in-process decision alone: charge one key of 1000 (two limits: check both, then take both).
  const decisionCases = engines.flatMap((engine) => {
    const clock = new ManualClock(0);
    const one = new MemoryRateLimitStore(engine, [{ name: 'a', algorithm: 'token_bucket', limit: 1_000_000, windowMs: 1000, capacity: 1_000_000 }], { maxKeys: 10_000, pruneIntervalMs: 0 }, clock);
    const two = new MemoryRateLimitStore(
      engine,
      [
        { name: 'a', algorithm: 'token_bucket', limit: 1_000_000, windowMs: 1000, capacity: 1_000_000 },
        { name: 'b', algorithm: 'sliding_window', limit: 1_000_000, windowMs: 1000, capacity: 1_000_000 },
      ],
      { maxKeys: 10_000, pruneIntervalMs: 0 },
      clock,
    );
    const keys = Array.from({ length: 1000 }, (_, i) => `4:user-${i}`);
    let i = 0;
    return [
      {
        name: `memory store decide, 1 limit (${engine.kind})`,
        run: () => {
          i = (i + 1) % 1000;
          return one.decide([{ index: 0, key: keys[i] as string }], 1, i);
        },
      },
      {
        name: `memory store decide, 2 limits (${engine.kind})`,
        run: () => {
          i = (i + 1) % 1000;
          const key = keys[i] as string;
          return two.decide([{ index: 0, key }, { index: 1, key }], 1, i);
        },
      },
    ];
  });
  const decisionResults = measure(decisionCases);

  const baseline = asyncResults[0] as BenchResult;
  const overhead = (name: string) => {
    const r = asyncResults.find((x) => x.name === name);
    return r === undefined ? 'n/a' : `${((r.medianNs - baseline.medianNs) / 1000).toFixed(2)} µs`;
  };
  const decision = (name: string) => {
    const r = decisionResults.find((x) => x.name === name);
    return r === undefined ? 'n/a' : `${r.medianNs.toFixed(0)} ns`;
  };
  const redisLine =
    redis === undefined
      ? 'Redis store: not measured (no redis-server on PATH).'
      : `The Redis store costs a network round trip and one Lua script per request (${overhead('rate_limit, Redis store, 1 limit')} over the empty chain with one limit, ${overhead('rate_limit, Redis store, 2 limits all-or-nothing')} with two), against ${overhead(`rate_limit, memory store, 1 limit (${js.kind})`)} for the in-process store (the Redis rows vary most from run to run: the server competes with Node for the 2 shared cores; one or two limits cost the same round trip). Share a quota through Redis only when processes must share it.`;
  return [
    '## Traffic filters (@gopher-mcp/traffic)',
    '',
    machineLine() + nativeNote,
    '',
    'Command: `cd bench && node --expose-gc --import tsx -e "import(\'./src/traffic.bench.ts\').then(async m => process.stdout.write(await m.run()))"`',
    '',
    'One exchange (a `tools/call`, or `tools/list` for retry) through a FilterChain holding only the filter under test, 1000 users in rotation, upstream answering at once; the empty chain is the baseline (ratio < 1 = slower than the empty chain). The Redis rows use a private redis-server on 127.0.0.1.',
    '',
    markdownTable(asyncResults, 'empty chain (baseline)'),
    '',
    'The in-process decision alone (the store, no chain):',
    '',
    markdownTable(decisionResults, `memory store decide, 1 limit (${js.kind})`),
    '',
    `Per request over the empty chain: a pass-through filter ${overhead('a pass-through filter (reference)')} (the chain's own async frame, which every filter pays); rate_limit (memory, 1 limit, JS) ${overhead(`rate_limit, memory store, 1 limit (${js.kind})`)}${engines.length > 1 ? `, (native) ${overhead('rate_limit, memory store, 1 limit (native)')}` : ''}; circuit_breaker ${overhead('circuit_breaker (closed, per tool)')}; retry ${overhead('retry (safe method, first attempt succeeds)')}; load_balancer round robin ${overhead('load_balancer round_robin (4 targets)')}, p2c ${overhead('load_balancer p2c_ewma (4 targets)')}, consistent hash ${overhead('load_balancer consistent_hash on session (4 targets)')}. The in-process decision itself is ${decision(`memory store decide, 1 limit (${js.kind})`)} for one limit on the JS twin${engines.length > 1 ? ` and ${decision('memory store decide, 1 limit (native)')} on the native engine` : ''}: neither engine dominates a request, the chain's frame does. ${redisLine}`,
    '',
  ].join('\n');
}
