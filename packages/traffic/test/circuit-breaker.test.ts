import { describe, expect, it } from 'vitest';

import { ConfigError, ErrorCode, type ChainEvent, type Engine, type Exchange, type JsonRpcMessage, type ManualClock, type MessageView, type Next } from '@gopher-mcp/core';

import { engineTitle, testEngines } from '../../core/test/helpers/engines.js';
import {
  circuitBreaker,
  loadBalancer,
  UPSTREAM_TARGET,
  upstreamDispatcher,
  type CircuitBreakerFilter,
  type CircuitBreakerOptions,
} from '../src/index.js';
import { fail, ok, outcome, request, settle, setup, toolCall } from './helpers.js';

/** What the upstream does on each call: answer ok, answer an error code, throw, or stay silent. */
type Step = 'ok' | number | 'throw' | 'silent' | { slowMs: number; then: 'ok' | number };

function transitions(events: readonly ChainEvent[]): string[] {
  return events
    .filter((e) => e.type === 'circuit_state')
    .map((e) => `${String(e.payload.target)}:${String(e.payload.from)}->${String(e.payload.to)}:${String(e.payload.reason)}@${e.time}`);
}

function breaker(engine: Engine, options: CircuitBreakerOptions, inner: Parameters<typeof setup>[1] = []) {
  const harness = setup(engine, [[circuitBreaker(options), { name: 'cb' }], ...inner]);
  let calls = 0;
  const answer = (clock: ManualClock, m: MessageView, step: Step): JsonRpcMessage | undefined => {
    if (step === 'ok') return ok(m);
    if (step === 'throw') throw new Error('connection reset');
    if (step === 'silent') return undefined;
    if (typeof step === 'number') return fail(m, step);
    clock.advance(step.slowMs);
    return answer(clock, m, step.then);
  };
  const send = async (message: JsonRpcMessage, step: Step = 'ok'): Promise<JsonRpcMessage | undefined> =>
    harness.manager.handle(message, (m) => {
      calls++;
      return answer(harness.clock, m, step);
    });
  const short = async (message: JsonRpcMessage, step: Step = 'ok'): Promise<string> => {
    const response = await send(message, step);
    if (response !== undefined && 'error' in response && response.error.message === 'circuit open') {
      return `open(${(response.error.data as { retryAfterMs: number }).retryAfterMs})`;
    }
    return outcome(response);
  };
  const filter = () => harness.manager.chain.get('cb') as CircuitBreakerFilter;
  return { ...harness, send, short, filter, calls: () => calls };
}

let id = 1;
const req = () => request(id++, 'tools/list');

/** An upstream whose answers the test releases one by one. */
function deferredUpstream() {
  const pending: Array<{ message: MessageView; resolve: (response: JsonRpcMessage) => void }> = [];
  return {
    pending,
    upstream: (m: MessageView) => new Promise<JsonRpcMessage>((resolve) => pending.push({ message: m, resolve })),
  };
}

for (const engine of testEngines()) {
  describe(`circuit_breaker — ${engineTitle(engine)}`, () => {
    describe('state transitions', () => {
      it('closed -> open on consecutive failures, 503 at once while open, -> half-open after openMs, -> closed on a good probe', async () => {
        const { clock, short, send, events, calls, manager } = breaker(engine, { consecutiveFailures: 3, openMs: 1000, minimumRequests: 100 });
        const seq = [await short(req(), 503), await short(req(), 503), await short(req(), 503), await short(req())];
        clock.set(400);
        seq.push(await short(req()));
        clock.set(1000);
        seq.push(await short(req()), await short(req()));
        expect(seq).toEqual(['503', '503', '503', 'open(1000)', 'open(600)', 'ok', 'ok']);
        expect(calls()).toBe(5);
        expect(transitions(events)).toEqual([
          'default:closed->open:consecutive_failures@0',
          'default:open->half_open:open_elapsed@1000',
          'default:half_open->closed:probes_succeeded@1000',
        ]);
        clock.set(1000);
        expect(await send(request(500, 'tools/list'), 'ok')).toEqual({ jsonrpc: '2.0', id: 500, result: {} });
        await manager.close();
      });

      it('answers an open circuit with 503, retryAfterMs and the circuit, without calling the upstream', async () => {
        const { send, calls, manager } = breaker(engine, { consecutiveFailures: 1, openMs: 30_000 });
        await send(req(), 504);
        expect(await send(request('x', 'tools/list'))).toEqual({
          jsonrpc: '2.0',
          id: 'x',
          error: { code: ErrorCode.UNAVAILABLE, message: 'circuit open', data: { retryAfterMs: 30_000, circuit: 'default' } },
        });
        expect(calls()).toBe(1);
        expect(manager.getStats().filters[0]).toMatchObject({ name: 'cb', denied: 1 });
        await manager.close();
      });

      it('half-open -> open again when the probe fails, then closes on a later good probe', async () => {
        const { clock, short, events, manager } = breaker(engine, { consecutiveFailures: 1, openMs: 1000 });
        const seq = [await short(req(), 503)];
        clock.set(1000);
        seq.push(await short(req(), 503));
        clock.set(1500);
        seq.push(await short(req()));
        clock.set(2000);
        seq.push(await short(req()));
        expect(seq).toEqual(['503', '503', 'open(500)', 'ok']);
        expect(transitions(events)).toEqual([
          'default:closed->open:consecutive_failures@0',
          'default:open->half_open:open_elapsed@1000',
          'default:half_open->open:probe_failed@1000',
          'default:open->half_open:open_elapsed@2000',
          'default:half_open->closed:probes_succeeded@2000',
        ]);
        await manager.close();
      });

      it('lets exactly halfOpenProbes probes through and closes when all succeed', async () => {
        const { clock, events, manager } = breaker(engine, { consecutiveFailures: 1, openMs: 1000, halfOpenProbes: 2 });
        const upstream = deferredUpstream();
        const first = manager.handle(req(), upstream.upstream);
        await settle();
        const opener = upstream.pending.shift() as (typeof upstream.pending)[number];
        opener.resolve(fail(opener.message, 503));
        await first;
        clock.set(1000);
        const probes = [manager.handle(req(), upstream.upstream), manager.handle(req(), upstream.upstream), manager.handle(req(), upstream.upstream)];
        await settle();
        expect(upstream.pending.length).toBe(2);
        const third = await probes[2];
        expect(third).toMatchObject({ error: { code: 503, message: 'circuit open', data: { retryAfterMs: 1000 } } });
        for (const p of upstream.pending.splice(0)) p.resolve(ok(p.message));
        expect((await Promise.all(probes.slice(0, 2))).map(outcome)).toEqual(['ok', 'ok']);
        expect(transitions(events)).toEqual([
          'default:closed->open:consecutive_failures@0',
          'default:open->half_open:open_elapsed@1000',
          'default:half_open->closed:probes_succeeded@1000',
        ]);
        await manager.close();
      });

      it('trips on the error rate over the rolling window once the minimum volume is reached', async () => {
        const { short, events, manager } = breaker(engine, { consecutiveFailures: 100, minimumRequests: 4, errorRateThreshold: 0.5, windowMs: 10_000 });
        expect([await short(req()), await short(req(), 503), await short(req()), await short(req(), 503), await short(req())]).toEqual([
          'ok',
          '503',
          'ok',
          '503',
          'open(30000)',
        ]);
        expect(transitions(events)).toEqual(['default:closed->open:error_rate@0']);
        await manager.close();
      });

      it('forgets failures that slid out of the window', async () => {
        const { clock, short, events, filter, manager } = breaker(engine, {
          consecutiveFailures: 100,
          minimumRequests: 4,
          errorRateThreshold: 0.5,
          windowMs: 10_000,
        });
        await short(req());
        await short(req(), 503);
        await short(req(), 503);
        clock.set(10_000);
        const seq = [await short(req()), await short(req()), await short(req()), await short(req(), 503)];
        expect(seq).toEqual(['ok', 'ok', 'ok', '503']);
        expect(transitions(events)).toEqual([]);
        expect(filter().snapshot()).toEqual([
          { target: 'default', state: 'closed', consecutiveFailures: 1, window: { total: 4, failures: 1, slow: 0 } },
        ]);
        await manager.close();
      });

      it('trips on the slow-call rate, and a slow probe opens it again', async () => {
        const { clock, short, events, manager } = breaker(engine, {
          consecutiveFailures: 100,
          minimumRequests: 2,
          slowCallMs: 100,
          slowCallRateThreshold: 0.5,
          openMs: 1000,
        });
        const seq = [await short(req(), { slowMs: 150, then: 'ok' }), await short(req()), await short(req())];
        clock.advance(1000);
        seq.push(await short(req(), { slowMs: 100, then: 'ok' }));
        expect(seq).toEqual(['ok', 'ok', 'open(1000)', 'ok']);
        expect(transitions(events)).toEqual([
          'default:closed->open:slow_call_rate@150',
          'default:open->half_open:open_elapsed@1150',
          'default:half_open->open:probe_failed@1250',
        ]);
        expect(clock.now()).toBe(1250);
        await manager.close();
      });

      it('ignores outcomes of calls admitted before the circuit changed state', async () => {
        const { events, manager, filter } = breaker(engine, { consecutiveFailures: 2, openMs: 1000 });
        const upstream = deferredUpstream();
        const calls = [manager.handle(req(), upstream.upstream), manager.handle(req(), upstream.upstream), manager.handle(req(), upstream.upstream)];
        await settle();
        const [a, b, c] = upstream.pending.splice(0);
        a?.resolve(fail(a.message, 503));
        b?.resolve(fail(b.message, 503));
        await Promise.all(calls.slice(0, 2));
        c?.resolve(ok(c.message)); // late success: must not close an open circuit
        await calls[2];
        expect(filter().state('default')).toBe('open');
        expect(transitions(events)).toEqual(['default:closed->open:consecutive_failures@0']);
        await manager.close();
      });
    });

    describe('what counts as a failure', () => {
      it('counts failureCodes, a throwing upstream (-32603) and no response; not client errors', async () => {
        const { short, filter, manager } = breaker(engine, { consecutiveFailures: 3 });
        expect([await short(req(), -32602), await short(req(), -32601), await short(req(), 403)]).toEqual(['-32602', '-32601', '403']);
        expect(filter().state('default')).toBe('closed');
        expect([await short(req(), 'throw'), await short(req(), 'silent'), await short(req(), 504), await short(req())]).toEqual([
          '-32603',
          '-32603',
          '504',
          'open(30000)',
        ]);
        await manager.close();
      });

      it('does not count refusals by filters inside the breaker (context.denial)', async () => {
        const innerDenier = {
          type: 'inner',
          handle: (exchange: Exchange) => exchange.deny(ErrorCode.UNAVAILABLE, 'store unavailable'),
        };
        const { short, filter, calls, manager } = breaker(engine, { consecutiveFailures: 1 }, [innerDenier]);
        expect([await short(req()), await short(req()), await short(req())]).toEqual(['503', '503', '503']);
        expect(calls()).toBe(0);
        expect(filter().state('default')).toBe('closed');
        await manager.close();
      });

      it('takes custom failure codes', async () => {
        const { short, manager } = breaker(engine, { consecutiveFailures: 1, failureCodes: [500] });
        expect([await short(req(), 503), await short(req(), 500), await short(req())]).toEqual(['503', '500', 'open(30000)']);
        await manager.close();
      });
    });

    describe('keys', () => {
      it('one circuit per tool; requests without a tool pass unguarded', async () => {
        const { short, events, manager } = breaker(engine, { key: 'tool', consecutiveFailures: 1 });
        const seq = [
          await short(toolCall(1, 'flaky'), 503),
          await short(toolCall(2, 'flaky')),
          await short(toolCall(3, 'solid')),
          await short(request(4, 'tools/list'), 503),
          await short(request(5, 'tools/list')),
        ];
        expect(seq).toEqual(['503', 'open(30000)', 'ok', '503', 'ok']);
        expect(transitions(events)).toEqual(['flaky:closed->open:consecutive_failures@0']);
        await manager.close();
      });

      it('one circuit per method', async () => {
        const { short, manager } = breaker(engine, { key: 'method', consecutiveFailures: 1 });
        expect([await short(request(1, 'resources/read'), 503), await short(request(2, 'resources/read')), await short(request(3, 'tools/list'))]).toEqual([
          '503',
          'open(30000)',
          'ok',
        ]);
        await manager.close();
      });

      it('a custom key (whose value is not echoed to the peer)', async () => {
        const { send, manager } = breaker(engine, {
          key: { custom: 'tenant' },
          consecutiveFailures: 1,
          keyFunctions: { tenant: (e) => (e.message.params as { tenant?: string } | undefined)?.tenant },
        });
        await send(request(1, 'tools/list', { tenant: 'acme' }), 503);
        expect(await send(request(2, 'tools/list', { tenant: 'acme' }))).toMatchObject({ error: { code: 503, data: { retryAfterMs: 30_000 } } });
        expect(((await send(request(3, 'tools/list', { tenant: 'acme' }))) as { error: { data: object } }).error.data).not.toHaveProperty('circuit');
        expect(outcome(await send(request(4, 'tools/list', { tenant: 'globex' })))).toBe('ok');
        expect(() => circuitBreaker({ key: { custom: 'missing' } })).toThrow(ConfigError);
        await manager.close();
      });

      it('the upstream target an outer filter already chose', async () => {
        const pin = {
          type: 'pin',
          handle: (exchange: Exchange, next: Next) => {
            exchange.context.attributes.set(UPSTREAM_TARGET, (exchange.message.params as { target: string }).target);
            return next();
          },
        };
        const harness = setup(engine, [pin, [circuitBreaker({ consecutiveFailures: 1 }), { name: 'cb' }]]);
        const answer = (m: MessageView) => ((m.params as { target: string }).target === 'east' ? fail(m, 503) : ok(m));
        const seq = [];
        for (const target of ['east', 'east', 'west']) seq.push(outcome(await harness.manager.handle(request(id++, 'tools/list', { target }), answer)));
        expect(seq).toEqual(['503', '503', 'ok']);
        expect((harness.manager.chain.get('cb') as CircuitBreakerFilter).snapshot().map((s) => `${s.target}:${s.state}`)).toEqual(['east:open', 'west:closed']);
        await harness.manager.close();
      });

      it('per load-balancer target: the balancer skips targets whose circuit is open', async () => {
        const harness = setup(engine, [
          [circuitBreaker({ consecutiveFailures: 2, openMs: 5000 }), { name: 'cb' }],
          loadBalancer({ targets: [{ id: 'a' }, { id: 'b' }] }),
        ]);
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
        const seq: string[] = [];
        for (let i = 0; i < 6; i++) seq.push(outcome(await harness.manager.handle(req(), upstream)));
        expect(seq).toEqual(['503', 'ok', '503', 'ok', 'ok', 'ok']);
        expect(hits).toEqual(['a', 'b', 'a', 'b', 'b', 'b']);
        expect(transitions(harness.events)).toEqual(['a:closed->open:consecutive_failures@0']);
        harness.clock.set(5000);
        expect(outcome(await harness.manager.handle(req(), upstream))).toBe('503'); // the probe goes to a, and fails
        expect(transitions(harness.events).slice(1)).toEqual(['a:open->half_open:open_elapsed@5000', 'a:half_open->open:probe_failed@5000']);
        const cb = harness.manager.chain.get('cb') as CircuitBreakerFilter;
        expect(cb.state('default')).toBe('closed');
        await harness.manager.close();
      });

      it('answers 503 from the balancer when every target circuit is open', async () => {
        const harness = setup(engine, [
          [circuitBreaker({ consecutiveFailures: 1, openMs: 5000 }), { name: 'cb' }],
          loadBalancer({ targets: [{ id: 'a' }, { id: 'b' }] }),
        ]);
        const upstream = upstreamDispatcher({ a: (m) => fail(m, 503), b: (m) => fail(m, 503) });
        await harness.manager.handle(req(), upstream);
        await harness.manager.handle(req(), upstream);
        harness.clock.set(1200);
        expect(await harness.manager.handle(request('z', 'tools/list'), upstream)).toEqual({
          jsonrpc: '2.0',
          id: 'z',
          error: { code: 503, message: 'no healthy upstream', data: { retryAfterMs: 3800, reason: 'circuit_open' } },
        });
        await harness.manager.close();
      });
    });
  });
}
