import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createJsEngine, FilterManager, ManualClock, type ChainEvent, type JsonRpcMessage, type Principal } from '@gopher-mcp/core';

import { engineTitle, testEngines } from '../../core/test/helpers/engines.js';
import { MemoryRateLimitStore } from '../src/rate-limit/memory-store.js';
import { RedisRateLimitStore } from '../src/rate-limit/redis-store.js';
import type { StoreDecision, StoreLimit } from '../src/rate-limit/store.js';
import { RATE_LIMIT_SCRIPT_SHA, rateLimit, type RateLimitFilter, type RateLimitOptions, type RedisClientLike } from '../src/index.js';
import { ok, request, settle, toolCall } from './helpers.js';
import { RedisServer, redisRequired, redisServerBin, freePort } from './redis-server.js';

const bin = redisServerBin();
const sharedUrl = process.env.GOPHER_MCP_REDIS_URL;

function principal(subject: string): Principal {
  return { subject, scopes: [], roles: [], claims: {}, method: 'api_key' };
}

let prefixSeq = 0;
const uniquePrefix = () => `gmcp-test:${process.pid}:${Date.now()}:${prefixSeq++}:`;

/** Waits (real time, polling) until `condition` holds: for a real server's reconnection, never for a rate window. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function summary(response: JsonRpcMessage | undefined): string {
  if (response === undefined) return 'dropped';
  if ('error' in response) {
    const data = response.error.data as { retryAfterMs?: number; insurance?: boolean } | undefined;
    return `${response.error.code}${data?.retryAfterMs === undefined ? '' : `(${data.retryAfterMs})`}${data?.insurance ? '*' : ''}`;
  }
  return 'ok';
}

if (bin === undefined && redisRequired) {
  describe('rate_limit Redis store', () => {
    it('needs redis-server (GOPHER_MCP_REQUIRE_REDIS=1)', () => {
      throw new Error('redis-server not found: set GOPHER_MCP_REDIS_SERVER_BIN or put redis-server on PATH');
    });
  });
} else if (bin === undefined) {
  describe.skip('rate_limit Redis store (skipped: no redis-server on PATH and GOPHER_MCP_REDIS_SERVER_BIN unset)', () => {
    it('runs against a real redis-server', () => undefined);
  });
} else {
  const serverBin = bin;
  describe('rate_limit Redis store (real redis-server)', () => {
    let own: RedisServer | undefined;
    let url: string;
    let admin: Redis;

    beforeAll(async () => {
      if (sharedUrl === undefined) {
        own = await RedisServer.start(serverBin);
        url = own.url;
      } else {
        url = sharedUrl;
      }
      admin = new Redis(url, { lazyConnect: true });
      await admin.connect();
    });

    afterAll(async () => {
      admin?.disconnect();
      await own?.close();
    });

    describe('the Lua script decides as the engine tables do', () => {
      const limits: StoreLimit[] = [
        { name: 'tb', algorithm: 'token_bucket', limit: 4, windowMs: 1000, capacity: 6 },
        { name: 'lb', algorithm: 'leaky_bucket', limit: 5, windowMs: 1000, capacity: 5 },
        { name: 'fw', algorithm: 'fixed_window', limit: 7, windowMs: 1000, capacity: 7 },
        { name: 'sw', algorithm: 'sliding_window', limit: 7, windowMs: 1000, capacity: 7 },
      ];

      for (const engine of testEngines()) {
        it(`for every algorithm, alone and together, over a scripted run — ${engineTitle(engine)}`, async () => {
          const clock = new ManualClock(1_700_000_000_000);
          const redis = new RedisRateLimitStore(limits, {
            url,
            keyPrefix: uniquePrefix(),
            hashKeys: true,
            timeoutMs: 2000,
            recheckMs: 1000,
            clockForTesting: clock,
          });
          const memory = new MemoryRateLimitStore(engine, limits, { maxKeys: 1000, pruneIntervalMs: 0 }, clock);
          const groups = [[0], [1], [2], [3], [0, 2], [1, 3], [0, 1, 2, 3]];
          let seed = 12345;
          const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
          const fromRedis: StoreDecision[] = [];
          const fromMemory: StoreDecision[] = [];
          for (let step = 0; step < 400; step++) {
            clock.advance(Math.floor(next() * 120));
            const group = groups[Math.floor(next() * groups.length)] as number[];
            const charges = group.map((index) => ({ index, key: `user-${Math.floor(next() * 3)}` }));
            const cost = next() < 0.1 ? 8 : 1 + Math.floor(next() * 2);
            fromRedis.push((await redis.decide(charges, cost, clock.now())) as StoreDecision);
            fromMemory.push(memory.decide(charges, cost, clock.now()));
          }
          expect(fromRedis).toEqual(fromMemory);
          const allowed = fromRedis.filter((d) => d.allowed).length;
          expect(allowed).toBeGreaterThan(50);
          expect(allowed).toBeLessThan(380);
          expect(fromRedis.some((d) => d.retryAfterMs === -1)).toBe(true);
          memory.close();
          await redis.close();
        });
      }
    });

    it('charges several limits all together or none (per user, per user x tool), at a driven time', async () => {
      const clock = new ManualClock(1_700_000_000_000);
      const manager = new FilterManager({
        engine: createJsEngine(),
        clock,
        filters: [
          rateLimit({
            limits: [
              { name: 'per-user', algorithm: 'fixed_window', limit: 3, windowMs: 60_000, key: 'subject' },
              { name: 'per-user-tool', algorithm: 'fixed_window', limit: 1, windowMs: 600_000, key: ['subject', 'tool'] },
            ],
            store: { type: 'redis', url, keyPrefix: uniquePrefix() },
            redisClockForTesting: clock,
          }),
        ],
      });
      const alice = { principal: principal('alice') };
      const send = async (message: JsonRpcMessage) => summary(await manager.handle(message, (m) => ok(m), alice));
      const seq = [await send(toolCall(1, 'a')), await send(toolCall(2, 'a')), await send(toolCall(3, 'b')), await send(request(4, 'tools/list')), await send(toolCall(5, 'c'))];
      clock.set(1_700_000_040_000); // the next per-user minute (windows are aligned to the epoch)
      seq.push(await send(toolCall(6, 'c')), await send(toolCall(7, 'c')));
      expect(seq).toEqual(['ok', '429(400000)', 'ok', 'ok', '429(40000)', 'ok', '429(360000)']);
      await manager.close();
    });

    it('shares one quota between two FilterManagers, at the server time', async () => {
      const keyPrefix = uniquePrefix();
      const options: RateLimitOptions = {
        limits: [{ name: 'shared', limit: 5, windowMs: 60_000, key: 'subject' }],
        store: { type: 'redis', url, keyPrefix },
      };
      const first = new FilterManager({ engine: createJsEngine(), filters: [rateLimit(options)] });
      const second = new FilterManager({ engine: createJsEngine(), filters: [rateLimit(options)] });
      const bob = { principal: principal('bob') };
      const outcomes: string[] = [];
      for (const manager of [first, second, first, second, first, second, first]) {
        outcomes.push(summary(await manager.handle(request(outcomes.length, 'tools/list'), (m) => ok(m), bob)));
      }
      expect(outcomes.slice(0, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
      for (const denied of outcomes.slice(5)) expect(denied).toMatch(/^429\((11\d{3}|12000)\)$/); // one token per 12 s
      // Identities never reach Redis: keys are SHA-256 of the rate-limit key.
      const keys = await admin.keys(`${keyPrefix}*`);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(new RegExp(`^${keyPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}shared:1:[A-Za-z0-9_-]{43}$`));
      expect(keys[0]).not.toContain('bob');
      expect(await admin.pttl(keys[0] as string)).toBeGreaterThan(0);
      await first.close();
      await second.close();
    });

    it('loads the script again after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
      const client = new Redis(url);
      const manager = new FilterManager({
        engine: createJsEngine(),
        filters: [rateLimit({ limits: [{ name: 'g', limit: 2, windowMs: 60_000, key: 'global' }], store: { type: 'redis', keyPrefix: uniquePrefix(), hashKeys: false }, redis: client })],
      });
      await admin.script('FLUSH');
      expect(await admin.script('EXISTS', RATE_LIMIT_SCRIPT_SHA)).toEqual([0]);
      const seq = [];
      for (let i = 0; i < 3; i++) seq.push(summary(await manager.handle(request(i, 'tools/list'), (m) => ok(m))));
      expect(seq.slice(0, 2)).toEqual(['ok', 'ok']);
      expect(seq[2]).toMatch(/^429\(\d+\)$/);
      expect(await admin.script('EXISTS', RATE_LIMIT_SCRIPT_SHA)).toEqual([1]);
      await manager.close();
      expect(client.status).toBe('ready'); // the application's client stays open
      client.disconnect();
    });

    describe('Redis stopped mid-run', () => {
      let server: RedisServer;

      beforeAll(async () => {
        server = await RedisServer.start(serverBin);
      });

      afterAll(async () => {
        await server.close();
      });

      it('fails open within the local insurance limit while Redis is down, and goes back to Redis when it returns', async () => {
        const events: ChainEvent[] = [];
        const manager = new FilterManager({
          engine: createJsEngine(),
          events: (e) => events.push(e),
          filters: [
            [
              rateLimit({
                limits: [{ name: 'global', algorithm: 'fixed_window', limit: 6, windowMs: 3_600_000, key: 'global' }],
                store: { type: 'redis', url: server.url, keyPrefix: uniquePrefix(), timeoutMs: 300, recheckMs: 0, failMode: 'open', insurance: { divisor: 2 } },
              }),
              { name: 'limiter' },
            ],
          ],
        });
        const send = async () => summary(await manager.handle(request(1, 'tools/list'), (m) => ok(m)));
        const seq = [await send(), await send()];
        await server.stop();
        for (let i = 0; i < 4; i++) seq.push(await send());
        expect(seq).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', expect.stringMatching(/^429\(\d+\)\*$/)]);
        const limiter = manager.chain.get('limiter') as RateLimitFilter;
        expect(limiter.stats()).toMatchObject({ allowed: 5, denied: 1, storeUnavailable: 4, failedOpen: 3, failedClosed: 1 });
        await server.launch();
        await until(async () => (await send()) === 'ok' && events.some((e) => e.type === 'rate_limit_store' && e.payload.available === true));
        expect(events.filter((e) => e.type === 'rate_limit_store').map((e) => e.payload.available)).toEqual([false, true]);
        await manager.close();
      });

      it('fails closed with 503 when Redis stops answering (command timeout), and recovers', async () => {
        const client = new Redis(server.url);
        await until(() => client.status === 'ready');
        let scripts = 0;
        const counted: RedisClientLike = {
          evalsha: (...args) => {
            scripts++;
            return client.evalsha(...args);
          },
          eval: (...args) => client.eval(...args),
          get status() {
            return client.status;
          },
          once: (event, listener) => client.once(event, listener),
          removeListener: (event, listener) => client.removeListener(event, listener),
        };
        const manager = new FilterManager({
          engine: createJsEngine(),
          filters: [
            rateLimit({
              limits: [{ name: 'global', limit: 100, windowMs: 60_000, key: 'global' }],
              store: { type: 'redis', keyPrefix: uniquePrefix(), timeoutMs: 200, recheckMs: 2000, failMode: 'closed' },
              redis: counted,
            }),
          ],
        });
        const send = (id: number) => manager.handle(request(id, 'tools/list'), (m) => ok(m));
        expect(summary(await send(1))).toBe('ok');
        expect(scripts).toBe(1);
        server.pause();
        const started = performance.now();
        expect(await send(2)).toEqual({
          jsonrpc: '2.0',
          id: 2,
          error: { code: 503, message: 'rate limit store unavailable', data: { retryAfterMs: 2000, reason: 'store_unavailable' } },
        });
        expect(performance.now() - started).toBeGreaterThanOrEqual(190); // it waited for the command timeout
        expect(scripts).toBe(2);
        // Within recheckMs, Redis is not asked again: the refusal is immediate.
        expect(summary(await send(3))).toBe('503(2000)');
        expect(scripts).toBe(2);
        server.resume();
        await until(async () => summary(await send(4)) === 'ok');
        await manager.close();
        client.disconnect();
        await settle();
      });
    });

    it('rejects a store without a client or URL, and reports an unreachable URL as down', async () => {
      const port = await freePort();
      const events: ChainEvent[] = [];
      const manager = new FilterManager({
        engine: createJsEngine(),
        events: (e) => events.push(e),
        filters: [
          rateLimit({
            limits: [{ name: 'g', limit: 1, key: 'global' }],
            store: { type: 'redis', url: `redis://127.0.0.1:${port}`, timeoutMs: 100, failMode: 'closed' },
          }),
        ],
      });
      expect(summary(await manager.handle(request(1, 'tools/list'), (m) => ok(m)))).toBe('503(1000)');
      expect(events.filter((e) => e.type === 'rate_limit_store').map((e) => e.payload.available)).toEqual([false]);
      await manager.close();
    });
  });
}
