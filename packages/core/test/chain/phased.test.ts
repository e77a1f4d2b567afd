import { AsyncLocalStorage } from 'node:async_hooks';

import { describe, expect, it } from 'vitest';

import {
  ChainBuilder,
  createExchangeContext,
  ErrorCode,
  FilterChain,
  FilterDeniedError,
  FilterManager,
  forward,
  ObjectMessageView,
  type ChainEvent,
  type JsonRpcMessage,
  type MessageView,
  type PhasedFilter,
} from '../../src/index.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { recorder, request, result } from './helpers.js';

/** A phased filter that records its phases into `log`. */
function phases(label: string, log: string[], extra: Partial<PhasedFilter> = {}): PhasedFilter {
  return {
    type: 'phased',
    onRequest(exchange) {
      log.push(`${label}:request:${exchange.message.method ?? exchange.message.kind}`);
      return undefined;
    },
    onResponse(_exchange, response) {
      log.push(`${label}:response:${response?.kind ?? 'none'}`);
      return response;
    },
    ...extra,
  };
}

const upstreamOf =
  (log: string[], id: number | string = 1) =>
  (message: MessageView): JsonRpcMessage => {
    log.push(`upstream:${message.method}`);
    return result(id);
  };

for (const engine of testEngines()) {
  describe(`phased filters — ${engineTitle(engine)}`, () => {
    it('interleave with around-style filters in one onion', async () => {
      const log: string[] = [];
      const manager = new FilterManager({ engine, filters: [phases('a', log), recorder('b', log), phases('c', log), phases('d', log)] });
      expect(await manager.handle(request(1, 'tools/list'), upstreamOf(log))).toEqual(result(1));
      expect(log).toEqual([
        'a:request:tools/list',
        'b:request:tools/list',
        'c:request:tools/list',
        'd:request:tools/list',
        'upstream:tools/list',
        'd:response:result',
        'c:response:result',
        'b:response:result',
        'a:response:result',
      ]);
      const stats = manager.getStats();
      expect(stats.filters.map((f) => [f.processed, f.passed, f.denied, f.latency?.count])).toEqual([
        [1, 1, 0, 1],
        [1, 1, 0, 1],
        [1, 1, 0, 1],
        [1, 1, 0, 1],
      ]);
      await manager.close();
    });

    it('run without a promise when every filter and the upstream are synchronous', () => {
      const log: string[] = [];
      const chain = new FilterChain({ engine });
      chain.add(phases('a', log));
      chain.add(phases('b', log));
      const view = new ObjectMessageView(request(7));
      const outcome = chain.execute(view, createExchangeContext({}, chain.clock), (m) => new ObjectMessageView(upstreamOf(log, 7)(m)));
      expect(outcome).not.toBeInstanceOf(Promise);
      expect((outcome as MessageView).message).toEqual(result(7));
      expect(log).toEqual(['a:request:tools/call', 'b:request:tools/call', 'upstream:tools/call', 'b:response:result', 'a:response:result']);
    });

    it('answer in the request phase: nothing inside runs, their own response phase is skipped, outer ones see the denial', async () => {
      const log: string[] = [];
      const events: ChainEvent[] = [];
      const denying = phases('deny', log, {
        onRequest(exchange) {
          log.push('deny:request');
          return exchange.deny(ErrorCode.FORBIDDEN, 'no', { rule: 'test' });
        },
      });
      const manager = new FilterManager({ engine, events: (e) => events.push(e), filters: [phases('outer', log), [denying, { name: 'denier' }], phases('inner', log)] });
      const response = await manager.handle(request('x'), upstreamOf(log, 'x'));
      expect(response).toEqual({ jsonrpc: '2.0', id: 'x', error: { code: 403, message: 'no', data: { rule: 'test' } } });
      expect(log).toEqual(['outer:request:tools/call', 'deny:request', 'outer:response:error']);
      const stats = manager.getStats();
      expect(stats.denied).toBe(1);
      expect(stats.filters.map((f) => [f.name, f.processed, f.passed, f.denied])).toEqual([
        ['phased', 1, 1, 0],
        ['denier', 1, 0, 1],
        ['phased#2', 0, 0, 0],
      ]);
      expect(events.filter((e) => e.type === 'denied').map((e) => [e.filter, e.payload.code])).toEqual([['denier', 403]]);
      await manager.close();
    });

    it('forward a transformed message and keep per-exchange state from request to response', async () => {
      const seen: unknown[] = [];
      const stamping: PhasedFilter<number> = {
        type: 'stamp',
        onRequest(exchange) {
          exchange.state = 41;
          return forward(new ObjectMessageView({ ...exchange.message.message, params: { name: 'renamed' } } as JsonRpcMessage));
        },
        onResponse(exchange, response) {
          return exchange.respond({ stamped: (exchange.state ?? 0) + 1, inner: response?.kind });
        },
      };
      const manager = new FilterManager({ engine, filters: [stamping] });
      const response = await manager.handle(request(3), (message) => {
        seen.push(message.toolName);
        return result(3);
      });
      expect(seen).toEqual(['renamed']);
      expect(response).toEqual(result(3, { stamped: 42, inner: 'result' }));
      await manager.close();
    });

    it('may return promises from either phase, and the order holds', async () => {
      const log: string[] = [];
      const slow = phases('slow', log, {
        async onRequest(exchange) {
          await Promise.resolve();
          log.push(`slow:request:${exchange.message.method}`);
          return undefined;
        },
        async onResponse(_exchange, response) {
          await Promise.resolve();
          log.push(`slow:response:${response?.kind}`);
          return response;
        },
      });
      const manager = new FilterManager({ engine, filters: [phases('a', log), slow, phases('c', log)] });
      const response = await manager.handle(request(4), async (m) => upstreamOf(log, 4)(m));
      expect(response).toEqual(result(4));
      expect(log).toEqual([
        'a:request:tools/call',
        'slow:request:tools/call',
        'c:request:tools/call',
        'upstream:tools/call',
        'c:response:result',
        'slow:response:result',
        'a:response:result',
      ]);
      await manager.close();
    });

    it('an asynchronous request phase may answer, and then nothing inside runs', async () => {
      const log: string[] = [];
      const asyncDeny: PhasedFilter = {
        type: 'later',
        onRequest: async (exchange) => exchange.deny(ErrorCode.UNAUTHORIZED, 'who are you'),
        onResponse: () => {
          throw new Error('must not run');
        },
      };
      const manager = new FilterManager({ engine, filters: [phases('a', log), asyncDeny, phases('c', log)] });
      const response = await manager.handle(request(5), upstreamOf(log, 5));
      expect(response).toEqual({ jsonrpc: '2.0', id: 5, error: { code: 401, message: 'who are you' } });
      expect(log).toEqual(['a:request:tools/call', 'a:response:error']);
      expect(manager.getStats().filters.map((f) => f.denied)).toEqual([0, 1, 0]);
      await manager.close();
    });

    it('follow the fallback when an asynchronous phase rejects: PASSTHROUGH continues inward, REJECT answers', async () => {
      const log: string[] = [];
      const rejectsLater: PhasedFilter = {
        type: 'later',
        onRequest: () => Promise.reject(new Error('lookup failed')),
        onResponse: () => {
          throw new Error('must not run: its request phase failed');
        },
      };
      const skip = new FilterManager({ engine, fallback: 'PASSTHROUGH', filters: [phases('outer', log), rejectsLater, phases('inner', log)] });
      expect(await skip.handle(request(16), upstreamOf(log, 16))).toEqual(result(16));
      expect(log).toEqual(['outer:request:tools/call', 'inner:request:tools/call', 'upstream:tools/call', 'inner:response:result', 'outer:response:result']);
      expect(skip.getStats().filters.map((f) => f.errors)).toEqual([0, 1, 0]);

      const asyncResponseFails: PhasedFilter = { type: 'later', onResponse: () => Promise.reject(new Error('write failed')) };
      const reject = new FilterManager({ engine, filters: [asyncResponseFails] });
      expect(await reject.handle(request(17), () => result(17))).toEqual({
        jsonrpc: '2.0',
        id: 17,
        error: { code: ErrorCode.INTERNAL_ERROR, message: 'filter "later" failed', data: { filter: 'later' } },
      });
      await Promise.all([skip.close(), reject.close()]);
    });

    it('turn a thrown FilterDeniedError into the error response, in either phase', async () => {
      const inRequest: PhasedFilter = {
        type: 'limit',
        onRequest() {
          throw new FilterDeniedError(ErrorCode.RATE_LIMITED, 'slow down', { retryAfterMs: 9 });
        },
      };
      const inResponse: PhasedFilter = {
        type: 'check',
        onResponse() {
          throw new FilterDeniedError(ErrorCode.FORBIDDEN, 'not that answer');
        },
      };
      const a = new FilterManager({ engine, filters: [inRequest] });
      expect(await a.handle(request(6), () => result(6))).toEqual({ jsonrpc: '2.0', id: 6, error: { code: 429, message: 'slow down', data: { retryAfterMs: 9 } } });
      const b = new FilterManager({ engine, filters: [inResponse] });
      expect(await b.handle(request(7), () => result(7))).toEqual({ jsonrpc: '2.0', id: 7, error: { code: 403, message: 'not that answer' } });
      expect(b.getStats().filters[0]?.denied).toBe(1);
      await Promise.all([a.close(), b.close()]);
    });

    it('follow the fallback when a phase throws: REJECT, PASSTHROUGH (skip / keep), DEFAULT, fail-closed', async () => {
      const log: string[] = [];
      const breaksOnRequest: PhasedFilter = {
        type: 'broken',
        onRequest() {
          throw new Error('boom');
        },
        onResponse() {
          log.push('broken:response');
          return undefined;
        },
      };
      const breaksOnResponse: PhasedFilter = {
        type: 'broken',
        onResponse() {
          throw new Error('boom');
        },
      };
      const upstream = upstreamOf(log, 8);

      const reject = new FilterManager({ engine, filters: [breaksOnRequest] });
      expect(await reject.handle(request(8), upstream)).toEqual({ jsonrpc: '2.0', id: 8, error: { code: ErrorCode.INTERNAL_ERROR, message: 'filter "broken" failed', data: { filter: 'broken' } } });
      expect(log).toEqual([]);

      const skip = new FilterManager({ engine, fallback: 'PASSTHROUGH', filters: [phases('outer', log), breaksOnRequest] });
      expect(await skip.handle(request(8), upstream)).toEqual(result(8));
      expect(log).toEqual(['outer:request:tools/call', 'upstream:tools/call', 'outer:response:result']);

      log.length = 0;
      const keep = new FilterManager({ engine, fallback: 'PASSTHROUGH', filters: [phases('outer', log), breaksOnResponse] });
      expect(await keep.handle(request(8), upstream)).toEqual(result(8));
      expect(log).toEqual(['outer:request:tools/call', 'upstream:tools/call', 'outer:response:result']);
      expect(keep.getStats().filters.map((f) => f.errors)).toEqual([0, 1]);

      const fallbackDefault = new FilterManager({ engine, fallback: 'DEFAULT', defaultResponse: { result: { fallback: true } }, filters: [breaksOnResponse] });
      expect(await fallbackDefault.handle(request(8), upstream)).toEqual(result(8, { fallback: true }));

      const closed = new FilterManager({ engine, fallback: 'PASSTHROUGH', filters: [{ ...breaksOnRequest, failClosed: true }] });
      expect((await closed.handle(request(8), upstream)) as unknown).toMatchObject({ error: { code: ErrorCode.INTERNAL_ERROR } });
      await Promise.all([reject, skip, keep, fallbackDefault, closed].map((m) => m.close()));
    });

    it('see a notification forwarded (response phase gets nothing) and drop a refused one', async () => {
      const log: string[] = [];
      const forwarded: string[] = [];
      const manager = new FilterManager({ engine, filters: [phases('a', log)] });
      const notification = { jsonrpc: '2.0' as const, method: 'notifications/progress', params: {} };
      expect(await manager.handle(notification, (m) => void forwarded.push(m.method ?? ''))).toBeUndefined();
      expect(log).toEqual(['a:request:notifications/progress', 'a:response:none']);
      expect(forwarded).toEqual(['notifications/progress']);

      const refusing = new FilterManager({ engine, filters: [{ type: 'no', onRequest: (exchange) => exchange.deny(ErrorCode.FORBIDDEN, 'no') } satisfies PhasedFilter] });
      expect(await refusing.handle(notification, (m) => void forwarded.push(m.method ?? ''))).toBeUndefined();
      expect(forwarded).toEqual(['notifications/progress']);
      expect(refusing.getStats().droppedNotifications).toBe(1);
      await Promise.all([manager.close(), refusing.close()]);
    });

    it('step over a phased filter whose condition does not match, and made from a definition', async () => {
      const log: string[] = [];
      const chain = new ChainBuilder({ engine })
        .use({ type: 'defined', create: () => phases('defined', log) })
        .use(phases('only-list', log), { when: { methods: ['tools/list'] } })
        .build();
      const manager = new FilterManager({ chain });
      await manager.handle(request(9, 'tools/call'), upstreamOf(log, 9));
      expect(log).toEqual(['defined:request:tools/call', 'upstream:tools/call', 'defined:response:result']);
      expect(manager.getStats().filters.map((f) => [f.processed, f.skipped])).toEqual([
        [1, 0],
        [0, 1],
      ]);
      await manager.close();
    });

    it('run the inside of the chain (and their own response phase) within runInside\'s scope, outer response phases outside', async () => {
      const storage = new AsyncLocalStorage<string>();
      const log: string[] = [];
      const scoped = (asyncRequest: boolean): PhasedFilter => ({
        type: 'scope',
        onRequest: asyncRequest ? () => Promise.resolve(undefined) : () => undefined,
        runInside: (_exchange, inside) => storage.run('inside', inside),
        onResponse(_exchange, response) {
          log.push(`scope:response:${storage.getStore() ?? 'outside'}`);
          return response;
        },
      });
      const inner: PhasedFilter = {
        type: 'inner',
        onRequest() {
          log.push(`inner:request:${storage.getStore() ?? 'outside'}`);
          return undefined;
        },
      };
      const outer: PhasedFilter = {
        type: 'outer',
        onResponse(_exchange, response) {
          log.push(`outer:response:${storage.getStore() ?? 'outside'}`);
          return response;
        },
      };
      for (const asyncRequest of [false, true]) {
        log.length = 0;
        const manager = new FilterManager({ engine, filters: [outer, scoped(asyncRequest), inner] });
        const response = await manager.handle(request(11), async () => {
          await Promise.resolve();
          log.push(`upstream:${storage.getStore() ?? 'outside'}`);
          return result(11);
        });
        expect(response).toEqual(result(11));
        // Its own response phase runs with the inside; the ones outside it, outside its scope.
        expect(log).toEqual(['inner:request:inside', 'upstream:inside', 'scope:response:inside', 'outer:response:outside']);
        await manager.close();
      }
    });

    it('treat a throwing runInside as the filter failing: REJECT answers, PASSTHROUGH runs the inside once', async () => {
      const calls: number[] = [];
      const throwsBefore: PhasedFilter = {
        type: 'scope',
        runInside() {
          throw new Error('no scope');
        },
      };
      const upstream = (m: MessageView) => {
        calls.push(m.id as number);
        return result(m.id as number);
      };
      const reject = new FilterManager({ engine, filters: [throwsBefore] });
      expect(await reject.handle(request(12), upstream)).toEqual({ jsonrpc: '2.0', id: 12, error: { code: ErrorCode.INTERNAL_ERROR, message: 'filter "scope" failed', data: { filter: 'scope' } } });
      const skip = new FilterManager({ engine, fallback: 'PASSTHROUGH', filters: [throwsBefore] });
      expect(await skip.handle(request(13), upstream)).toEqual(result(13));
      const throwsAfter: PhasedFilter = {
        type: 'scope',
        runInside(_exchange, inside) {
          void inside();
          throw new Error('after');
        },
      };
      const after = new FilterManager({ engine, fallback: 'PASSTHROUGH', filters: [throwsAfter] });
      expect(await after.handle(request(14), upstream)).toMatchObject({ id: 14, error: { code: ErrorCode.INTERNAL_ERROR } });
      expect(calls).toEqual([13, 14]);
      await Promise.all([reject.close(), skip.close(), after.close()]);
    });

    it('share the chain\'s clock readings: one per run of request phases, one per run of response phases', async () => {
      const seen: Array<[string, number, number]> = [];
      const timed = (label: string): PhasedFilter => ({
        type: 'timed',
        onRequest(exchange) {
          seen.push([`${label}:request`, exchange.requestPhaseAt, exchange.responsePhaseAt]);
          return undefined;
        },
        onResponse(exchange, response) {
          seen.push([`${label}:response`, exchange.requestPhaseAt, exchange.responsePhaseAt]);
          return response;
        },
      });
      const manager = new FilterManager({ engine, filters: [timed('a'), timed('b')] });
      await manager.handle(request(15), async () => result(15));
      const [aRequest, bRequest, bResponse, aResponse] = seen;
      expect(seen.map(([label]) => label)).toEqual(['a:request', 'b:request', 'b:response', 'a:response']);
      expect(Number.isNaN(aRequest?.[2])).toBe(true);
      expect(bRequest?.[1]).toBe(aRequest?.[1]);
      expect(aResponse?.[2]).toBe(bResponse?.[2]);
      expect(aResponse?.[2]).toBeGreaterThanOrEqual(aRequest?.[1] as number);
      expect(aResponse?.[1]).toBe(aRequest?.[1]);
      await manager.close();
    });

    it('answer upstream failures as -32603 and let the response phases see them', async () => {
      const log: string[] = [];
      const manager = new FilterManager({ engine, filters: [phases('a', log)] });
      const response = await manager.handle(request(10), () => Promise.reject(new Error('socket closed')));
      expect(response).toEqual({ jsonrpc: '2.0', id: 10, error: { code: ErrorCode.INTERNAL_ERROR, message: 'upstream failed' } });
      expect(log).toEqual(['a:request:tools/call', 'a:response:error']);
      await manager.close();
    });
  });
}
