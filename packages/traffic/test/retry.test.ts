import { describe, expect, it } from 'vitest';

import type { Engine, ExchangeContextInit, JsonRpcMessage, ManualClock, MessageView, Upstream } from '@gopher-mcp/core';

import { engineTitle, testEngines } from '../../core/test/helpers/engines.js';
import {
  loadBalancer,
  markResponseStarted,
  retry,
  seededRandom,
  upstreamDispatcher,
  type RetryFilter,
  type RetryOptions,
} from '../src/index.js';
import { fail, notification, ok, outcome, request, settle, setup, toolCall } from './helpers.js';

/** Drives `clock` one ms at a time (letting callbacks run between steps) until `promise` settles. */
async function drive<T>(clock: ManualClock, promise: Promise<T>, maxMs = 60_000): Promise<T> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < maxMs; i++) {
    await settle();
    if (done) break;
    clock.advance(1);
  }
  return promise;
}

function retrier(engine: Engine, options: RetryOptions, script: Array<'ok' | number | 'silent' | 'hang' | { code: number; data: Record<string, unknown> }>) {
  const harness = setup(engine, [[retry(options), { name: 'retry' }]]);
  const callTimes: number[] = [];
  const upstream: Upstream = (m) => {
    callTimes.push(harness.clock.now());
    const step = script.shift() ?? 'ok';
    if (step === 'ok') return ok(m);
    if (step === 'silent') return undefined;
    if (step === 'hang') return new Promise<JsonRpcMessage>(() => undefined);
    if (typeof step === 'number') return fail(m, step);
    return fail(m, step.code, step.data);
  };
  const run = (message: JsonRpcMessage, init: ExchangeContextInit = {}) => drive(harness.clock, harness.manager.handle(message, upstream, init));
  const retries = () =>
    harness.events.filter((e) => e.type === 'retry').map((e) => `${String(e.payload.attempt)}:${String(e.payload.delayMs)}:${String(e.payload.code)}`);
  const filter = () => harness.manager.chain.get('retry') as RetryFilter;
  return { ...harness, callTimes, run, retries, filter, upstream };
}

const list = (id: number | string = 1) => request(id, 'tools/list');

for (const engine of testEngines()) {
  describe(`retry — ${engineTitle(engine)}`, () => {
    describe('schedule', () => {
      it('waits an exponential backoff with full jitter from the injected random source', async () => {
        const { run, callTimes, retries, manager } = retrier(
          engine,
          { maxAttempts: 4, initialDelayMs: 100, multiplier: 2, maxDelayMs: 250, random: seededRandom(42) },
          [503, 504, 503, 'ok'],
        );
        const draws = seededRandom(42);
        const delays = [Math.floor(draws() * 100), Math.floor(draws() * 200), Math.floor(draws() * 250)];
        expect(outcome(await run(list()))).toBe('ok');
        const [d1, d2, d3] = delays as [number, number, number];
        expect(callTimes).toEqual([0, d1, d1 + d2, d1 + d2 + d3]);
        expect(retries()).toEqual([`2:${d1}:503`, `3:${d2}:504`, `4:${d3}:503`]);
        await manager.close();
      });

      it('without jitter waits the capped exponential delays exactly', async () => {
        const { run, callTimes, manager, filter } = retrier(
          engine,
          { maxAttempts: 5, initialDelayMs: 100, multiplier: 2, maxDelayMs: 250, jitter: 'none' },
          [503, 503, 503, 503, 503],
        );
        expect(outcome(await run(list()))).toBe('503');
        expect(callTimes).toEqual([0, 100, 300, 550, 800]);
        expect(filter().stats()).toEqual({ requests: 1, retries: 4, attemptTimeouts: 0, streamed: 0 });
        await manager.close();
      });

      it('stops at the overall deadline, giving back the last response', async () => {
        const { run, callTimes, manager } = retrier(engine, { maxAttempts: 5, initialDelayMs: 100, jitter: 'none', deadlineMs: 250 }, [503, 503, 'ok']);
        expect(outcome(await run(list()))).toBe('503');
        expect(callTimes).toEqual([0, 100]);
        await manager.close();
      });

      it("waits at least the error's retryAfterMs, unless told not to", async () => {
        const first = retrier(engine, { initialDelayMs: 100, jitter: 'none' }, [{ code: 503, data: { retryAfterMs: 700 } }, 'ok']);
        expect(outcome(await first.run(list()))).toBe('ok');
        expect(first.callTimes).toEqual([0, 700]);
        await first.manager.close();
        const second = retrier(engine, { initialDelayMs: 100, jitter: 'none', respectRetryAfter: false }, [{ code: 503, data: { retryAfterMs: 700 } }, 'ok']);
        expect(outcome(await second.run(list()))).toBe('ok');
        expect(second.callTimes).toEqual([0, 100]);
        await second.manager.close();
      });

      it('retries only retryable codes and missing responses', async () => {
        const a = retrier(engine, { jitter: 'none' }, [-32602]);
        expect(outcome(await a.run(list()))).toBe('-32602');
        expect(a.callTimes).toEqual([0]);
        await a.manager.close();
        const b = retrier(engine, { jitter: 'none', retryableCodes: [429] }, [429, 503]);
        expect(outcome(await b.run(list()))).toBe('503');
        expect(b.callTimes).toEqual([0, 100]);
        await b.manager.close();
        const c = retrier(engine, { jitter: 'none' }, ['silent', 'ok']);
        expect(outcome(await c.run(list()))).toBe('ok');
        expect(c.callTimes).toEqual([0, 100]);
        await c.manager.close();
      });

      it('abandons an attempt that overruns attemptTimeoutMs (504) and tries again', async () => {
        const { run, callTimes, filter, manager } = retrier(engine, { jitter: 'none', attemptTimeoutMs: 1000 }, ['hang', 'ok']);
        expect(outcome(await run(list()))).toBe('ok');
        expect(callTimes).toEqual([0, 1100]);
        expect(filter().stats().attemptTimeouts).toBe(1);
        await manager.close();
      });
    });

    describe('idempotency', () => {
      it('never repeats tools/call by default, but repeats reads and lists', async () => {
        const a = retrier(engine, { jitter: 'none' }, [503, 'ok']);
        expect(outcome(await a.run(toolCall(1, 'send_email')))).toBe('503');
        expect(a.callTimes).toEqual([0]);
        await a.manager.close();
        const b = retrier(engine, { jitter: 'none' }, [503, 'ok']);
        expect(outcome(await b.run(request(2, 'resources/read', { uri: 'file:///a' })))).toBe('ok');
        expect(b.callTimes).toEqual([0, 100]);
        await b.manager.close();
        const c = retrier(engine, { jitter: 'none', safeMethods: ['ping'] }, [503, 'ok']);
        expect(outcome(await c.run(list()))).toBe('503');
        await c.manager.close();
      });

      it('repeats tools/call for tools declared idempotent (globs), or by a custom rule', async () => {
        const a = retrier(engine, { jitter: 'none', idempotentTools: ['get_*'] }, [503, 'ok', 503, 'ok']);
        expect(outcome(await a.run(toolCall(1, 'get_weather')))).toBe('ok');
        expect(outcome(await a.run(toolCall(2, 'set_weather')))).toBe('503');
        expect(a.callTimes).toEqual([0, 100, 100]);
        await a.manager.close();
        const b = retrier(engine, { jitter: 'none', isIdempotent: (m) => (m.method === 'tools/list' ? false : undefined) }, [503, 'ok']);
        expect(outcome(await b.run(list()))).toBe('503');
        await b.manager.close();
      });

      it('learns idempotent tools from tools/list annotations only when trusted', async () => {
        for (const trust of [true, false]) {
          const harness = setup(engine, [retry({ jitter: 'none', trustToolAnnotations: trust })]);
          const calls: string[] = [];
          let failNext = true;
          const upstream: Upstream = (m) => {
            calls.push(m.method === 'tools/call' ? `call:${String(m.toolName)}` : String(m.method));
            if (m.method === 'tools/list') {
              return ok(m, {
                tools: [
                  { name: 'lookup', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
                  { name: 'upsert', inputSchema: { type: 'object' }, annotations: { idempotentHint: true } },
                  { name: 'delete', inputSchema: { type: 'object' }, annotations: { destructiveHint: true } },
                ],
              });
            }
            if (failNext) {
              failNext = false;
              return fail(m, 503);
            }
            failNext = true;
            return ok(m);
          };
          const run = (message: JsonRpcMessage) => drive(harness.clock, harness.manager.handle(message, upstream));
          await run(list());
          const results = [outcome(await run(toolCall(2, 'lookup'))), outcome(await run(toolCall(3, 'upsert'))), outcome(await run(toolCall(4, 'delete')))];
          if (trust) {
            expect(results).toEqual(['ok', 'ok', '503']);
            expect(calls).toEqual(['tools/list', 'call:lookup', 'call:lookup', 'call:upsert', 'call:upsert', 'call:delete']);
          } else {
            expect(results).toEqual(['503', 'ok', '503']);
            expect(calls).toEqual(['tools/list', 'call:lookup', 'call:upsert', 'call:delete']);
          }
          await harness.manager.close();
        }
      });
    });

    describe('never repeats what must not be repeated', () => {
      it('honours cancellation during the wait', async () => {
        const { manager, clock, callTimes, upstream } = retrier(engine, { jitter: 'none', initialDelayMs: 1000 }, [503, 'ok']);
        const controller = new AbortController();
        const pending = manager.handle(list(), upstream, { signal: controller.signal });
        await settle();
        clock.advance(500);
        controller.abort();
        expect(outcome(await pending)).toBe('503');
        expect(callTimes).toEqual([0]);
        expect(clock.pendingTimers).toBe(0);
        await manager.close();
      });

      it('gives back a failure whose response already started (RESPONSE_STARTED set by the transport)', async () => {
        const harness = setup(engine, [[retry({ jitter: 'none' }), { name: 'retry' }]]);
        let calls = 0;
        const upstream: Upstream = (m: MessageView, context) => {
          calls++;
          markResponseStarted(context);
          return fail(m, 503);
        };
        expect(outcome(await drive(harness.clock, harness.manager.handle(list(), upstream)))).toBe('503');
        expect(calls).toBe(1);
        expect((harness.manager.chain.get('retry') as RetryFilter).stats().streamed).toBe(1);
        await harness.manager.close();
      });

      it('gives back a failure after a progress notification for its token passed through', async () => {
        const harness = setup(engine, [retry({ jitter: 'none' })]);
        let release: (() => void) | undefined;
        let deferNext = false;
        let calls = 0;
        const upstream: Upstream = (m) => {
          calls++;
          if (m.kind !== 'request') return undefined;
          if (!deferNext) return ok(m);
          deferNext = false;
          return new Promise<JsonRpcMessage>((resolve) => (release = () => resolve(fail(m, 503))));
        };
        const init = { session: { id: 's1' } };
        deferNext = true;
        const pending = harness.manager.handle(request(1, 'resources/read', { uri: 'x', _meta: { progressToken: 'p-1' } }), upstream, init);
        await settle();
        // A progress notification for another token, then one for another session: not this request's.
        await harness.manager.handle(notification('notifications/progress', { progressToken: 'p-2', progress: 1 }), upstream, init);
        await harness.manager.handle(notification('notifications/progress', { progressToken: 'p-1', progress: 1 }), upstream, { session: { id: 's2' } });
        release?.();
        expect(outcome(await drive(harness.clock, pending))).toBe('ok');
        expect(calls).toBe(4); // retried once: the unrelated notifications did not stop it
        deferNext = true;
        const second = harness.manager.handle(request(2, 'resources/read', { uri: 'x', _meta: { progressToken: 'p-1' } }), upstream, init);
        await settle();
        await harness.manager.handle(notification('notifications/progress', { progressToken: 'p-1', progress: 1 }), upstream, init);
        release?.();
        expect(outcome(await drive(harness.clock, second))).toBe('503');
        expect(calls).toBe(6); // the request and the notification: no retry
        await harness.manager.close();
      });
    });

    it('goes to another load-balancer target on the next attempt', async () => {
      const harness = setup(engine, [retry({ jitter: 'none' }), loadBalancer({ targets: [{ id: 'a' }, { id: 'b' }] })]);
      const hits: string[] = [];
      const upstream = upstreamDispatcher({
        a: (m) => {
          hits.push('a');
          return fail(m, 503);
        },
        b: (m) => {
          hits.push('b');
          return ok(m);
        },
      });
      expect(outcome(await drive(harness.clock, harness.manager.handle(list(), upstream)))).toBe('ok');
      expect(outcome(await drive(harness.clock, harness.manager.handle(list(2), upstream)))).toBe('ok');
      expect(hits).toEqual(['a', 'b', 'a', 'b']);
      await harness.manager.close();
    });
  });
}
