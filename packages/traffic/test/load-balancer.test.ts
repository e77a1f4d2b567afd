import { describe, expect, it } from 'vitest';

import { ConfigError, type Engine, type JsonRpcMessage, type MessageView, type Upstream } from '@gopher-mcp/core';

import { engineTitle, testEngines } from '../../core/test/helpers/engines.js';
import {
  loadBalancer,
  seededRandom,
  UPSTREAM_TARGET,
  upstreamDispatcher,
  upstreamPinger,
  type LoadBalancerFilter,
  type LoadBalancerOptions,
  type PingFunction,
} from '../src/index.js';
import { fail, notification, ok, outcome, request, settle, setup } from './helpers.js';

type Behaviour = 'ok' | number | 'hold' | { latencyMs: number };

/** A balancer over targets whose upstreams record each hit and behave as told. */
function balancer(engine: Engine, options: LoadBalancerOptions, behaviour: Record<string, Behaviour> = {}) {
  const harness = setup(engine, [[loadBalancer(options), { name: 'lb' }]]);
  const hits: string[] = [];
  const held: Array<{ target: string; message: MessageView; resolve: (r: JsonRpcMessage) => void }> = [];
  const upstreams: Record<string, Upstream> = {};
  for (const target of options.targets) {
    upstreams[target.id] = (m, context) => {
      expect(context.attributes.get(UPSTREAM_TARGET)).toBe(target.id);
      hits.push(target.id);
      const b = behaviour[target.id] ?? 'ok';
      if (m.kind !== 'request') return undefined;
      if (b === 'ok') return ok(m);
      if (b === 'hold') return new Promise<JsonRpcMessage>((resolve) => held.push({ target: target.id, message: m, resolve }));
      if (typeof b === 'number') return fail(m, b);
      harness.clock.advance(b.latencyMs);
      return ok(m);
    };
  }
  const upstream = upstreamDispatcher(upstreams);
  let id = 1;
  const send = (init: Parameters<typeof harness.manager.handle>[2] = {}, message: JsonRpcMessage = request(id++, 'tools/list')) =>
    harness.manager.handle(message, upstream, init);
  const filter = () => harness.manager.chain.get('lb') as LoadBalancerFilter;
  const eventLog = (type: string) =>
    harness.events.filter((e) => e.type === type).map((e) => `${String(e.payload.target)}${e.payload.healthy === undefined ? '' : `:${String(e.payload.healthy)}`}${e.payload.durationMs === undefined ? '' : `:${String(e.payload.durationMs)}`}@${e.time}`);
  return { ...harness, hits, held, send, filter, behaviour, eventLog, upstream };
}

const three = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];

for (const engine of testEngines()) {
  describe(`load_balancer — ${engineTitle(engine)}`, () => {
    describe('strategies', () => {
      it('round robin', async () => {
        const { send, hits, manager } = balancer(engine, { targets: three });
        for (let i = 0; i < 7; i++) await send();
        expect(hits).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a']);
        await manager.close();
      });

      it('smooth weighted round robin (5, 1, 1 -> a a b a c a a)', async () => {
        const { send, hits, manager } = balancer(engine, {
          strategy: 'weighted_round_robin',
          targets: [{ id: 'a', weight: 5 }, { id: 'b' }, { id: 'c' }],
        });
        for (let i = 0; i < 14; i++) await send();
        expect(hits.join('')).toBe('aabacaaaabacaa');
        await manager.close();
      });

      it('least outstanding requests, ties in turn', async () => {
        const { send, hits, held, manager } = balancer(engine, { strategy: 'least_outstanding', targets: [{ id: 'a' }, { id: 'b' }] }, { a: 'hold', b: 'hold' });
        const pending = [send(), send(), send()];
        await settle();
        expect(hits).toEqual(['a', 'b', 'a']); // 0/0 -> a, 1/0 -> b, 1/1 -> a (a's turn)
        const firstOnA = held.shift() as (typeof held)[number];
        firstOnA.resolve(ok(firstOnA.message));
        await pending[0];
        pending.push(send(), send());
        await settle();
        expect(hits).toEqual(['a', 'b', 'a', 'b', 'a']); // 1/1 -> b (its turn), then 1/2 -> a
        for (const h of held.splice(0)) h.resolve(ok(h.message));
        expect((await Promise.all(pending)).map(outcome)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
        expect((manager.chain.get('lb') as LoadBalancerFilter).snapshot().map((t) => t.outstanding)).toEqual([0, 0]);
        await manager.close();
      });

      it('power of two choices on latency x outstanding (peak EWMA)', async () => {
        const draws = [0.1, 0.9];
        let n = 0;
        const random = () => draws[n++ % 2] as number; // always draws a first, then b
        const harness = balancer(engine, { strategy: 'p2c_ewma', targets: [{ id: 'a' }, { id: 'b' }], random }, { a: { latencyMs: 100 }, b: { latencyMs: 10 } });
        for (let i = 0; i < 4; i++) await harness.send();
        expect(harness.hits).toEqual(['a', 'b', 'b', 'b']); // a is tried first (never measured: cost 0), then b is faster
        const [a, b] = harness.filter().snapshot();
        expect(a?.latencyMs).toBe(100);
        expect(b?.latencyMs).toBeCloseTo(10, 9);
        harness.behaviour.b = 'hold';
        const pending = [];
        for (let i = 0; i < 10; i++) {
          pending.push(harness.send());
          await settle();
        }
        // b costs 10 x (outstanding + 1): cheaper than a's 100 while it holds at most 8.
        expect(harness.hits.slice(4).join('')).toBe('bbbbbbbbba');
        for (const h of harness.held.splice(0)) h.resolve(ok(h.message));
        await Promise.all(pending);
        await harness.manager.close();
      });

      it('power of two choices draws two different targets among three', async () => {
        const { send, hits, manager } = balancer(engine, { strategy: 'p2c_ewma', targets: three, random: seededRandom(7) });
        for (let i = 0; i < 300; i++) await send();
        const counts = Object.fromEntries(['a', 'b', 'c'].map((t) => [t, hits.filter((h) => h === t).length]));
        for (const count of Object.values(counts)) expect(count).toBeGreaterThan(50);
        await manager.close();
      });

      it('consistent hash on the session: same session, same target; an ejected target moves only its own keys', async () => {
        const { send, hits, manager, behaviour } = balancer(engine, {
          strategy: 'consistent_hash',
          stickySessions: false,
          targets: three,
          outlierDetection: { consecutiveFailures: 1, ejectionMs: 60_000, maxEjectionPercent: 50 },
        });
        const sessions = Array.from({ length: 600 }, (_, i) => `session-${i}`);
        const before = new Map<string, string>();
        for (const s of sessions) {
          await send({ session: { id: s } });
          before.set(s, hits.at(-1) as string);
        }
        for (const s of sessions.slice(0, 50)) {
          await send({ session: { id: s } });
          expect(hits.at(-1)).toBe(before.get(s));
        }
        const counts = ['a', 'b', 'c'].map((t) => [...before.values()].filter((v) => v === t).length);
        for (const count of counts) expect(count).toBeGreaterThan(120); // 600 keys over 3 targets, each near 200
        const onB = sessions.find((s) => before.get(s) === 'b') as string;
        behaviour.b = 503;
        expect(outcome(await send({ session: { id: onB } }))).toBe('503'); // ejects b
        behaviour.b = 'ok';
        let moved = 0;
        for (const s of sessions) {
          await send({ session: { id: s } });
          const now = hits.at(-1) as string;
          if (before.get(s) === 'b') {
            expect(now).not.toBe('b');
            moved++;
          } else {
            expect(now).toBe(before.get(s));
          }
        }
        expect(moved).toBe(counts[1]);
        await manager.close();
      });

      it('consistent hash on a header, and round robin for requests without the key', async () => {
        const { send, hits, manager } = balancer(engine, { strategy: 'consistent_hash', hashKey: { header: 'x-user' }, targets: three });
        const alice = { peer: { headers: { 'x-user': 'alice' } } };
        for (let i = 0; i < 3; i++) await send(alice);
        expect(new Set(hits).size).toBe(1);
        hits.length = 0;
        for (let i = 0; i < 3; i++) await send();
        expect(hits).toEqual(['a', 'b', 'c']);
        await manager.close();
      });
    });

    describe('sessions', () => {
      it('keeps a session on its target, and moves it when the target goes away', async () => {
        const { send, hits, manager, behaviour } = balancer(engine, {
          targets: three,
          outlierDetection: { consecutiveFailures: 1, ejectionMs: 10_000 },
        });
        for (const s of ['s1', 's2', 's1', 's3', 's2', 's1']) await send({ session: { id: s } });
        expect(hits).toEqual(['a', 'b', 'a', 'c', 'b', 'a']);
        behaviour.a = 503;
        await send({ session: { id: 's1' } }); // a fails and is ejected
        behaviour.a = 'ok';
        await send({ session: { id: 's1' } });
        await send({ session: { id: 's1' } });
        expect(hits.slice(6)).toEqual(['a', 'b', 'b']);
        await manager.close();
      });

      it('sends notifications/cancelled to the target of the request it cancels, other notifications with the session', async () => {
        const { send, hits, held, manager } = balancer(engine, { targets: three }, { a: 'hold', b: 'hold', c: 'hold' });
        const first = send({ session: { id: 's1' } }, request(41, 'tools/call', { name: 'slow' }));
        const second = send({ session: { id: 's2' } }, request(42, 'tools/call', { name: 'slow' }));
        await settle();
        await send({ session: { id: 's3' } }, notification('notifications/cancelled', { requestId: 41 }));
        await send({ session: { id: 's1' } }, notification('notifications/cancelled', { requestId: 41 }));
        await send({ session: { id: 's2' } }, notification('notifications/progress', { progressToken: 1, progress: 1 }));
        expect(hits).toEqual(['a', 'b', 'c', 'a', 'b']);
        for (const h of held.splice(0)) h.resolve(ok(h.message));
        await Promise.all([first, second]);
        await manager.close();
      });
    });

    describe('health', () => {
      it('active health checks: unhealthy after failed pings (or timeouts), healthy again after a good one', async () => {
        const health: Record<string, 'ok' | 'fail' | 'hang'> = { a: 'ok', b: 'fail' };
        const aborted: string[] = [];
        const ping: PingFunction = (target, signal) => {
          signal.addEventListener('abort', () => aborted.push(target.id));
          const state = health[target.id];
          if (state === 'ok') return Promise.resolve();
          if (state === 'fail') return Promise.reject(new Error('down'));
          return new Promise(() => undefined);
        };
        const { clock, send, hits, eventLog, manager } = balancer(engine, {
          targets: [{ id: 'a' }, { id: 'b' }],
          healthCheck: { intervalMs: 1000, timeoutMs: 200, unhealthyThreshold: 2, healthyThreshold: 1 },
          ping,
        });
        const step = async (to: number) => {
          while (clock.now() < to) {
            await settle();
            clock.advance(Math.min(100, to - clock.now()));
          }
          await settle();
        };
        await step(0);
        clock.advance(0);
        await step(1000); // second failed check of b at 1000
        await send();
        await send();
        expect(hits).toEqual(['a', 'a']);
        health.b = 'ok';
        await step(2000);
        await send();
        await send();
        expect(hits.slice(2)).toEqual(['b', 'a']);
        health.a = 'hang';
        await step(4500); // a's checks at 3000 and 4200 time out (200 ms each)
        expect(aborted).toEqual(['a', 'a']);
        expect(eventLog('upstream_health')).toEqual(['b:false@1000', 'b:true@2000', 'a:false@4400']);
        await send();
        await send();
        expect(hits.slice(4)).toEqual(['b', 'b']);
        await manager.close();
        expect(clock.pendingTimers).toBe(0);
      });

      it('passive outlier ejection with a cool-off that grows when the target fails again soon', async () => {
        const { clock, send, hits, eventLog, manager, behaviour } = balancer(engine, {
          targets: three,
          outlierDetection: { consecutiveFailures: 2, ejectionMs: 1000, maxEjectionMs: 10_000, maxEjectionPercent: 50 },
        }, { a: 503 });
        for (let i = 0; i < 7; i++) await send();
        expect(hits.join('')).toBe('abcabcb'); // a failed twice: ejected at t=0 for 1 s
        clock.set(1000);
        behaviour.b = 503; // b fails too, but at most one of three targets may be out
        for (let i = 0; i < 6; i++) await send();
        expect(hits.slice(7).join('')).toBe('cabcab');
        expect(eventLog('upstream_ejected')).toEqual(['a:1000@0', 'a:2000@1000']);
        expect(eventLog('upstream_returned')).toEqual(['a@1000']);
        expect((manager.chain.get('lb') as LoadBalancerFilter).snapshot().map((t) => `${t.id}:${t.ejected}`)).toEqual([
          'a:true',
          'b:false',
          'c:false',
        ]);
        await manager.close();
      });

      it('answers 503 with retryAfterMs when no target is available', async () => {
        const { send, manager } = balancer(engine, {
          targets: [{ id: 'only' }],
          outlierDetection: { consecutiveFailures: 1, ejectionMs: 5000, maxEjectionPercent: 100 },
        }, { only: 503 });
        await send();
        expect(await send({}, request('q', 'tools/list'))).toEqual({
          jsonrpc: '2.0',
          id: 'q',
          error: { code: 503, message: 'no healthy upstream', data: { retryAfterMs: 5000, reason: 'no_healthy_upstream' } },
        });
        expect(outcome(await send({}, notification('notifications/message')))).toBe('dropped');
        expect(manager.getStats().droppedNotifications).toBe(1);
        await manager.close();
      });
    });

    describe('dispatch helpers and configuration', () => {
      it('upstreamDispatcher refuses an exchange with no known target, or uses the default', async () => {
        const up = upstreamDispatcher({ a: (m) => ok(m, { from: 'a' }) });
        const harness = setup(engine, []);
        expect(await harness.manager.handle(request(1, 'ping'), up)).toEqual({
          jsonrpc: '2.0',
          id: 1,
          error: { code: 503, message: 'no upstream target was chosen', data: { retryAfterMs: 1000 } },
        });
        expect(await harness.manager.handle(request(2, 'ping'), upstreamDispatcher({ a: (m) => ok(m, { from: 'a' }) }, { defaultTarget: 'a' }))).toEqual({
          jsonrpc: '2.0',
          id: 2,
          result: { from: 'a' },
        });
        await harness.manager.close();
      });

      it('upstreamPinger sends an MCP ping through the target upstream', async () => {
        const seen: string[] = [];
        const pinger = upstreamPinger({
          good: (m, context) => {
            seen.push(`${String(m.method)}:${String(context.attributes.get(UPSTREAM_TARGET))}:${context.transport}`);
            return ok(m);
          },
          bad: (m) => fail(m, -32601),
          silent: () => undefined,
        });
        const signal = new AbortController().signal;
        await expect(pinger({ id: 'good', weight: 1 }, signal)).resolves.toBeUndefined();
        await expect(pinger({ id: 'bad', weight: 1 }, signal)).rejects.toThrow('ping answered with an error');
        await expect(pinger({ id: 'silent', weight: 1 }, signal)).rejects.toThrow('no answer to ping');
        await expect(pinger({ id: 'missing', weight: 1 }, signal)).rejects.toThrow('no upstream for target "missing"');
        expect(seen).toEqual(['ping:good:health-check']);
      });

      it('validates options', () => {
        expect(() => loadBalancer({ targets: [] })).toThrow(ConfigError);
        expect(() => loadBalancer({ targets: [{ id: 'a' }, { id: 'a' }] })).toThrow(/targets\.1\.id: duplicate target id "a"/);
        expect(() => loadBalancer({ targets: [{ id: 'a' }], healthCheck: {} })).toThrow(/need a ping function/);
        expect(() => loadBalancer({ targets: [{ id: 'a' }], strategy: 'consistent_hash', hashKey: { custom: 'x' } })).toThrow(/no key function named "x"/);
      });
    });
  });
}
