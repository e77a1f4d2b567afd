import { describe, expect, it } from 'vitest';

import {
  ConfigError,
  FilterManager,
  FilterRegistry,
  type Engine,
  type ExchangeContextInit,
  type JsonRpcMessage,
  type Principal,
} from '@gopher-mcp/core';

import { engineTitle, testEngines } from '../../core/test/helpers/engines.js';
import * as traffic from '../src/index.js';
import { RATE_LIMIT_RESULT, rateLimit, type RateLimitFilter, type RateLimitOptions } from '../src/index.js';
import { notification, ok, outcome, request, setup, toolCall } from './helpers.js';

function principal(subject: string): Principal {
  return { subject, scopes: [], roles: [], claims: {}, method: 'api_key' };
}

function limiter(engine: Engine, options: RateLimitOptions) {
  const harness = setup(engine, [[rateLimit(options), { name: 'limiter' }]]);
  let upstreamCalls = 0;
  const send = async (message: JsonRpcMessage, init: ExchangeContextInit = {}): Promise<JsonRpcMessage | undefined> =>
    harness.manager.handle(
      message,
      (m) => {
        upstreamCalls++;
        return m.kind === 'request' ? ok(m) : undefined;
      },
      init,
    );
  const shortly = async (message: JsonRpcMessage, init: ExchangeContextInit = {}): Promise<string> => {
    const response = await send(message, init);
    if (response !== undefined && 'error' in response) {
      const data = response.error.data as { retryAfterMs?: number } | undefined;
      return data?.retryAfterMs === undefined ? String(response.error.code) : `${response.error.code}(${data.retryAfterMs})`;
    }
    return outcome(response);
  };
  const filter = () => harness.manager.chain.get('limiter') as RateLimitFilter;
  return { ...harness, send, shortly, filter, calls: () => upstreamCalls };
}

let nextId = 1;
const ping = () => request(nextId++, 'tools/list');

for (const engine of testEngines()) {
  describe(`rate_limit — ${engineTitle(engine)}`, () => {
    describe('algorithms (exact allow / deny sequences on a driven clock)', () => {
      it('token bucket: 3 per second refills one token every 333.3 ms', async () => {
        const { clock, shortly, manager } = limiter(engine, { limits: [{ name: 'tb', limit: 3, windowMs: 1000, key: 'global' }] });
        const seq: string[] = [];
        for (let i = 0; i < 4; i++) seq.push(await shortly(ping()));
        clock.set(333);
        seq.push(await shortly(ping()));
        clock.set(334);
        seq.push(await shortly(ping()), await shortly(ping()));
        expect(seq).toEqual(['ok', 'ok', 'ok', '429(334)', '429(1)', 'ok', '429(333)']);
        await manager.close();
      });

      it('token bucket with a burst: capacity 5, refill 1 per second', async () => {
        const { clock, shortly, manager } = limiter(engine, { limits: [{ name: 'tb', limit: 1, windowMs: 1000, burst: 5, key: 'global' }] });
        const seq: string[] = [];
        for (let i = 0; i < 6; i++) seq.push(await shortly(ping()));
        clock.set(1000);
        seq.push(await shortly(ping()), await shortly(ping()));
        expect(seq).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', '429(1000)', 'ok', '429(1000)']);
        await manager.close();
      });

      it('sliding window: 4 per second, the previous window weighted by its remaining share', async () => {
        const { clock, shortly, manager } = limiter(engine, {
          limits: [{ name: 'sw', algorithm: 'sliding_window', limit: 4, windowMs: 1000, key: 'global' }],
        });
        const seq: string[] = [];
        for (let i = 0; i < 5; i++) seq.push(await shortly(ping()));
        clock.set(1000);
        seq.push(await shortly(ping()));
        clock.set(1250);
        seq.push(await shortly(ping()), await shortly(ping()));
        clock.set(1500);
        seq.push(await shortly(ping()));
        expect(seq).toEqual(['ok', 'ok', 'ok', 'ok', '429(1250)', '429(250)', 'ok', '429(250)', 'ok']);
        await manager.close();
      });

      it('fixed window: 2 per aligned second', async () => {
        const { clock, shortly, manager } = limiter(engine, {
          limits: [{ name: 'fw', algorithm: 'fixed_window', limit: 2, windowMs: 1000, key: 'global' }],
        });
        const seq: string[] = [];
        for (let i = 0; i < 3; i++) seq.push(await shortly(ping()));
        clock.set(999);
        seq.push(await shortly(ping()));
        clock.set(1000);
        for (let i = 0; i < 3; i++) seq.push(await shortly(ping()));
        expect(seq).toEqual(['ok', 'ok', '429(1000)', '429(1)', 'ok', 'ok', '429(1000)']);
        await manager.close();
      });

      it('leaky bucket: a meter of capacity 2 draining 2 per second', async () => {
        const { clock, shortly, manager } = limiter(engine, {
          limits: [{ name: 'lb', algorithm: 'leaky_bucket', limit: 2, windowMs: 1000, key: 'global' }],
        });
        const seq: string[] = [];
        for (let i = 0; i < 3; i++) seq.push(await shortly(ping()));
        clock.set(499);
        seq.push(await shortly(ping()));
        clock.set(500);
        seq.push(await shortly(ping()), await shortly(ping()));
        expect(seq).toEqual(['ok', 'ok', '429(500)', '429(1)', 'ok', '429(500)']);
        await manager.close();
      });
    });

    describe('keys', () => {
      const perMinute = (key: RateLimitOptions['limits'][number]['key'], extra: Partial<RateLimitOptions['limits'][number]> = {}) => ({
        name: 'k',
        algorithm: 'fixed_window' as const,
        limit: 1,
        windowMs: 60_000,
        key,
        ...extra,
      });

      it('client address', async () => {
        const { shortly, manager } = limiter(engine, { limits: [perMinute('client_address')] });
        const a = { peer: { address: '10.0.0.1' } };
        const b = { peer: { address: '10.0.0.2' } };
        expect([await shortly(ping(), a), await shortly(ping(), a), await shortly(ping(), b)]).toEqual(['ok', '429(60000)', 'ok']);
        await manager.close();
      });

      it('authenticated subject (the default key)', async () => {
        const { shortly, manager } = limiter(engine, { limits: [{ name: 'k', algorithm: 'fixed_window', limit: 1, windowMs: 60_000 }] });
        const alice = { principal: principal('alice') };
        const bob = { principal: principal('bob') };
        expect([await shortly(ping(), alice), await shortly(ping(), alice), await shortly(ping(), bob)]).toEqual(['ok', '429(60000)', 'ok']);
        await manager.close();
      });

      it('session', async () => {
        const { shortly, manager } = limiter(engine, { limits: [perMinute('session')] });
        const s1 = { session: { id: 's1' } };
        const s2 = { session: { id: 's2' } };
        expect([await shortly(ping(), s1), await shortly(ping(), s1), await shortly(ping(), s2)]).toEqual(['ok', '429(60000)', 'ok']);
        await manager.close();
      });

      it('MCP method', async () => {
        const { shortly, manager } = limiter(engine, { limits: [perMinute('method')] });
        expect([
          await shortly(request(1, 'tools/list')),
          await shortly(request(2, 'tools/list')),
          await shortly(request(3, 'prompts/list')),
        ]).toEqual(['ok', '429(60000)', 'ok']);
        await manager.close();
      });

      it('tool name (applies to tools/call only)', async () => {
        const { shortly, manager } = limiter(engine, { limits: [perMinute('tool')] });
        expect([
          await shortly(toolCall(1, 'search')),
          await shortly(toolCall(2, 'search')),
          await shortly(toolCall(3, 'fetch')),
          await shortly(request(4, 'tools/list')),
          await shortly(request(5, 'tools/list')),
        ]).toEqual(['ok', '429(60000)', 'ok', 'ok', 'ok']);
        await manager.close();
      });

      it('a header (case-insensitive name)', async () => {
        const { shortly, manager } = limiter(engine, { limits: [perMinute({ header: 'X-Client-Id' })] });
        const c1 = { peer: { headers: { 'x-client-id': 'c1' } } };
        const c2 = { peer: { headers: { 'x-client-id': ['c2', 'ignored'] } } };
        expect([await shortly(ping(), c1), await shortly(ping(), c1), await shortly(ping(), c2), await shortly(ping(), c2)]).toEqual([
          'ok',
          '429(60000)',
          'ok',
          '429(60000)',
        ]);
        await manager.close();
      });

      it('a custom function', async () => {
        const { shortly, manager } = limiter(engine, {
          limits: [perMinute({ custom: 'tenant' })],
          keyFunctions: { tenant: (e) => (e.context.principal?.claims.tenant as string | undefined) ?? undefined },
        });
        const t1 = { principal: { ...principal('alice'), claims: { tenant: 'acme' } } };
        const t1b = { principal: { ...principal('bob'), claims: { tenant: 'acme' } } };
        const t2 = { principal: { ...principal('carol'), claims: { tenant: 'globex' } } };
        expect([await shortly(ping(), t1), await shortly(ping(), t1b), await shortly(ping(), t2)]).toEqual(['ok', '429(60000)', 'ok']);
        await manager.close();
      });

      it('global: one bucket for everyone', async () => {
        const { shortly, manager } = limiter(engine, { limits: [perMinute('global')] });
        expect([await shortly(ping(), { principal: principal('a') }), await shortly(ping(), { principal: principal('b') })]).toEqual([
          'ok',
          '429(60000)',
        ]);
        await manager.close();
      });

      it('compound key: per subject x tool', async () => {
        const { shortly, manager } = limiter(engine, { limits: [perMinute(['subject', 'tool'])] });
        const alice = { principal: principal('alice') };
        const bob = { principal: principal('bob') };
        expect([
          await shortly(toolCall(1, 'a'), alice),
          await shortly(toolCall(2, 'a'), alice),
          await shortly(toolCall(3, 'b'), alice),
          await shortly(toolCall(4, 'a'), bob),
        ]).toEqual(['ok', '429(60000)', 'ok', 'ok']);
        await manager.close();
      });

      it('values never collide across compound parts', async () => {
        const { shortly, manager } = limiter(engine, { limits: [perMinute([{ header: 'x-a' }, { header: 'x-b' }])] });
        const first = { peer: { headers: { 'x-a': 'p|1:q', 'x-b': 'r' } } };
        const second = { peer: { headers: { 'x-a': 'p', 'x-b': 'q|1:r' } } };
        expect([await shortly(ping(), first), await shortly(ping(), second)]).toEqual(['ok', 'ok']);
        await manager.close();
      });

      it('a missing key shares one bucket by default, or skips the limit', async () => {
        const shared = limiter(engine, { limits: [perMinute('subject')] });
        expect([await shared.shortly(ping()), await shared.shortly(ping()), await shared.shortly(ping(), { principal: principal('x') })]).toEqual([
          'ok',
          '429(60000)',
          'ok',
        ]);
        await shared.manager.close();
        const skipped = limiter(engine, { limits: [perMinute('subject', { missingKey: 'skip' })] });
        expect([await skipped.shortly(ping()), await skipped.shortly(ping())]).toEqual(['ok', 'ok']);
        await skipped.manager.close();
      });
    });

    describe('several limits, costs, exemptions', () => {
      it('charges every limit together or none (per user, and per user x tool)', async () => {
        const { clock, shortly, manager, filter } = limiter(engine, {
          limits: [
            { name: 'per-user', algorithm: 'fixed_window', limit: 3, windowMs: 60_000, key: 'subject' },
            { name: 'per-user-tool', algorithm: 'fixed_window', limit: 1, windowMs: 600_000, key: ['subject', 'tool'] },
          ],
        });
        const alice = { principal: principal('alice') };
        const seq = [
          await shortly(toolCall(1, 'a'), alice), // user 1, a 1
          await shortly(toolCall(2, 'a'), alice), // denied by per-user-tool: per-user not charged
          await shortly(toolCall(3, 'b'), alice), // user 2, b 1
          await shortly(request(4, 'tools/list'), alice), // user 3 (per-user-tool does not apply)
          await shortly(toolCall(5, 'c'), alice), // denied by per-user: c not charged
        ];
        clock.set(60_000); // a new per-user window; per-user-tool windows last 10 minutes
        seq.push(await shortly(toolCall(6, 'c'), alice), await shortly(toolCall(7, 'c'), alice), await shortly(toolCall(8, 'a'), alice));
        expect(seq).toEqual(['ok', '429(600000)', 'ok', 'ok', '429(60000)', 'ok', '429(540000)', '429(540000)']);
        expect(filter().stats()).toMatchObject({ allowed: 4, denied: 4, deniedByLimit: { 'per-user': 1, 'per-user-tool': 3 } });
        await manager.close();
      });

      it('names the limit that decided a denial: the longest wait', async () => {
        const { send, manager } = limiter(engine, {
          limits: [
            { name: 'short', algorithm: 'fixed_window', limit: 1, windowMs: 1000, key: 'global' },
            { name: 'long', algorithm: 'fixed_window', limit: 1, windowMs: 60_000, key: 'global' },
          ],
        });
        await send(ping());
        expect(await send(request(99, 'tools/list'))).toEqual({
          jsonrpc: '2.0',
          id: 99,
          error: { code: 429, message: 'rate limit "long" exceeded', data: { limit: 'long', retryAfterMs: 60_000 } },
        });
        await manager.close();
      });

      it('costs heavier tools more (toolCosts globs, a cost function), and refuses a cost no bucket can hold', async () => {
        const { shortly, manager, calls } = limiter(engine, {
          limits: [{ name: 'budget', algorithm: 'fixed_window', limit: 5, windowMs: 60_000, key: 'global' }],
          toolCosts: { 'heavy_*': 3, huge: 10, free: 0 },
          cost: (e) => (e.message.toolName === 'custom' ? 2 : undefined),
        });
        expect([
          await shortly(toolCall(1, 'heavy_report')), // 3
          await shortly(toolCall(2, 'heavy_report')), // needs 3, 2 left
          await shortly(toolCall(3, 'custom')), // 2: full
          await shortly(toolCall(4, 'free')), // costs nothing
          await shortly(toolCall(5, 'light')),
          await shortly(toolCall(6, 'huge')),
        ]).toEqual(['ok', '429(60000)', 'ok', 'ok', '429(60000)', '429']);
        expect(calls()).toBe(3);
        await manager.close();
      });

      it('answers a cost above the limit without a retry time', async () => {
        const { send, manager } = limiter(engine, {
          limits: [{ name: 'budget', limit: 5, key: 'global' }],
          toolCosts: { huge: 10 },
        });
        expect(await send(toolCall(7, 'huge'))).toEqual({
          jsonrpc: '2.0',
          id: 7,
          error: { code: 429, message: 'request cost exceeds rate limit "budget"', data: { limit: 'budget', reason: 'cost_exceeds_limit' } },
        });
        await manager.close();
      });

      it('never limits exempt methods (globs) and applies a limit only to its methods', async () => {
        const { shortly, manager } = limiter(engine, {
          limits: [
            { name: 'all', algorithm: 'fixed_window', limit: 1, windowMs: 60_000, key: 'global' },
            { name: 'prompts', algorithm: 'fixed_window', limit: 1, windowMs: 60_000, key: 'global', methods: ['prompts/*'] },
          ],
          exemptMethods: ['ping', 'resources/*'],
        });
        expect([
          await shortly(request(1, 'ping')),
          await shortly(request(2, 'ping')),
          await shortly(request(3, 'resources/read', { uri: 'x' })),
          await shortly(request(4, 'resources/list')),
          await shortly(request(5, 'prompts/list')), // all 1, prompts 1
          await shortly(request(6, 'tools/list')), // all full
        ]).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', '429(60000)']);
        await manager.close();
      });

      it('drops a refused notification and the chain counts it', async () => {
        const { send, manager, calls } = limiter(engine, {
          limits: [{ name: 'n', algorithm: 'fixed_window', limit: 1, windowMs: 60_000, key: 'global' }],
        });
        expect(await send(notification('notifications/message', { level: 'info' }))).toBeUndefined();
        expect(await send(notification('notifications/message', { level: 'info' }))).toBeUndefined();
        expect(await send(notification('notifications/cancelled', { requestId: 1 }))).toBeUndefined();
        expect(calls()).toBe(2);
        expect(manager.getStats()).toMatchObject({ droppedNotifications: 1, denied: 1 });
        await manager.close();
      });

      it('tells the filters inside how much is left', async () => {
        const seen: unknown[] = [];
        const harness = setup(engine, [
          rateLimit({ limits: [{ name: 'a', limit: 10, key: 'global' }, { name: 'b', limit: 3, key: 'global' }] }),
          {
            type: 'probe',
            handle(exchange, next) {
              seen.push(exchange.context.attributes.get(RATE_LIMIT_RESULT));
              return next();
            },
          },
        ]);
        await harness.manager.handle(ping(), (m) => ok(m));
        expect(seen).toEqual([{ limit: 'b', remaining: 2 }]);
        await harness.manager.close();
      });
    });

    describe('bounded memory', () => {
      it('holds at most maxKeys keys per limit and evicts idle keys', async () => {
        const { clock, shortly, manager, filter } = limiter(engine, {
          limits: [{ name: 'k', algorithm: 'fixed_window', limit: 1, windowMs: 1000, key: 'session' }],
          store: { type: 'memory', maxKeys: 2, pruneIntervalMs: 5000 },
        });
        for (const id of ['a', 'b', 'c']) await shortly(ping(), { session: { id } });
        expect(filter().stats().keys).toEqual({ k: 2 });
        // "a" was the least recently used: evicted, so it starts afresh.
        expect(await shortly(ping(), { session: { id: 'a' } })).toBe('ok');
        expect(await shortly(ping(), { session: { id: 'c' } })).toBe('429(1000)');
        clock.advance(5000); // the prune sweep: every key idle for more than one window is gone
        expect(filter().stats().keys).toEqual({ k: 0 });
        await manager.close();
      });
    });

    describe('configuration', () => {
      it('validates options, naming the path', () => {
        expect(() => rateLimit({ limits: [{ name: 'x', limit: 0 }] })).toThrow(ConfigError);
        expect(() => rateLimit({ limits: [{ name: 'x', limit: 0 }] })).toThrow(/limits\.0\.limit/);
        expect(() => rateLimit({ limits: [{ name: 'x', limit: 1 }, { name: 'x', limit: 2 }] })).toThrow(/limits\.1\.name: duplicate limit name "x"/);
        expect(() => rateLimit({ limits: [{ name: 'x', limit: 1, key: { custom: 'nope' } }] })).toThrow(/no key function named "nope"/);
        expect(() => rateLimit({ limits: [{ name: 'x', limit: 1 }], store: { type: 'redis' } })).toThrow(/store\.url/);
      });

      it('is built by FilterManager.fromConfig from the family export', async () => {
        const manager = await FilterManager.fromConfig(
          {
            engine: engine.kind,
            trafficManagement: {
              rateLimit: { enabled: true, limits: [{ name: 'global', algorithm: 'fixed_window', limit: 1, windowMs: 60_000, key: 'global' }] },
            },
          },
          { registry: new FilterRegistry(), importer: async () => traffic, engine },
        );
        expect(manager.chain.names()).toEqual(['rate_limit']);
        expect(await manager.handle(request(1, 'tools/list'), (m) => ok(m))).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
        expect(await manager.handle(request(2, 'tools/list'), (m) => ok(m))).toMatchObject({ id: 2, error: { code: 429, data: { limit: 'global' } } });
        await manager.close();
      });
    });
  });
}
