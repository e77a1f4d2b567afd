import { describe, expect, it } from 'vitest';

import { ErrorCode, FilterChain, FilterDeniedError, FilterManager, ObjectMessageView, createExchangeContext } from '../../src/index.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { denier, errorCode, recorder, request, result } from './helpers.js';

for (const engine of testEngines()) {
  describe(`filter chain onion — ${engineTitle(engine)}`, () => {
    it('runs request phases outside in and response phases inside out', async () => {
      const log: string[] = [];
      const manager = new FilterManager({ engine, filters: [recorder('a', log), recorder('b', log), recorder('c', log)] });
      const response = await manager.handle(request(1, 'tools/list'), (message) => {
        log.push(`upstream:${message.method}`);
        return result(1);
      });
      expect(response).toEqual(result(1));
      expect(log).toEqual([
        'a:request:tools/list',
        'b:request:tools/list',
        'c:request:tools/list',
        'upstream:tools/list',
        'c:response:result',
        'b:response:result',
        'a:response:result',
      ]);
      const stats = manager.getStats();
      expect(stats.latency?.count).toBe(1);
      expect(stats.filters.map((f) => f.latency?.count)).toEqual([1, 1, 1]);
      expect(stats.filters[0]?.latency?.maxMs).toBeGreaterThanOrEqual(stats.filters[2]?.latency?.maxMs ?? Infinity);
      await manager.close();
    });

    it('answers a denied request with its id and code, and outer filters see the denial', async () => {
      const log: string[] = [];
      let upstreamCalls = 0;
      const manager = new FilterManager({ engine, filters: [recorder('outer', log), denier(ErrorCode.FORBIDDEN, 'forbidden tool'), recorder('inner', log)] });
      const response = await manager.handle(request('abc'), () => {
        upstreamCalls++;
        return result('abc');
      });
      expect(response).toEqual({ jsonrpc: '2.0', id: 'abc', error: { code: 403, message: 'forbidden tool', data: { rule: 'test' } } });
      expect(upstreamCalls).toBe(0);
      expect(log).toEqual(['outer:request:tools/call', 'outer:response:error']);
      const stats = manager.getStats();
      expect(stats.denied).toBe(1);
      expect(stats.failed).toBe(1);
      expect(stats.filters.map((f) => [f.name, f.processed, f.passed, f.denied])).toEqual([
        ['custom', 1, 1, 0],
        ['custom#2', 1, 0, 1],
        ['custom#3', 0, 0, 0],
      ]);
      await manager.close();
    });

    it('turns a thrown FilterDeniedError into the same error response', async () => {
      const chain = new FilterChain({ engine });
      chain.add({
        type: 'custom',
        handle() {
          throw new FilterDeniedError(ErrorCode.RATE_LIMITED, 'slow down', { retryAfterMs: 250, limit: 'per-user' });
        },
      });
      const context = createExchangeContext();
      const response = await chain.run(new ObjectMessageView(request(7)), context, async () => new ObjectMessageView(result(7)));
      expect(response?.message).toEqual({ jsonrpc: '2.0', id: 7, error: { code: 429, message: 'slow down', data: { retryAfterMs: 250, limit: 'per-user' } } });
      expect(context.denial).toEqual({ filter: 'custom', code: 429 });
    });

    it('lets a filter transform the request and the response', async () => {
      const manager = new FilterManager({
        engine,
        filters: [
          {
            type: 'custom',
            async handle(exchange, next) {
              const forwarded = new ObjectMessageView({ ...request(1, 'tools/call', { name: 'renamed' }) });
              const response = await next(forwarded);
              return new ObjectMessageView({ jsonrpc: '2.0', id: 1, result: { wrapped: response?.result } });
            },
          },
        ],
      });
      let seenTool: string | undefined;
      const response = await manager.handle(request(1), (message) => {
        seenTool = message.toolName;
        return result(1, { n: 1 });
      });
      expect(seenTool).toBe('renamed');
      expect(response).toEqual({ jsonrpc: '2.0', id: 1, result: { wrapped: { n: 1 } } });
      await manager.close();
    });

    it('lets a filter call next() more than once (retry)', async () => {
      let calls = 0;
      const manager = new FilterManager({
        engine,
        filters: [
          {
            type: 'custom',
            async handle(_exchange, next) {
              let response = await next();
              while (errorCode(response) === ErrorCode.UNAVAILABLE) response = await next();
              return response;
            },
          },
        ],
      });
      const response = await manager.handle(request(3), () => {
        calls++;
        return calls < 3 ? { jsonrpc: '2.0', id: 3, error: { code: 503, message: 'busy' } } : result(3);
      });
      expect(calls).toBe(3);
      expect(response).toEqual(result(3));
      await manager.close();
    });

    it('drops a denied notification and counts it, and forwards an allowed one', async () => {
      const events: string[] = [];
      const manager = new FilterManager({
        engine,
        events: (e) => events.push(`${e.filter}:${e.type}`),
        filters: [[denier(ErrorCode.RATE_LIMITED), { when: { methods: ['notifications/cancelled'] } }]],
      });
      const forwarded: string[] = [];
      const upstream = (m: { method: string | undefined }) => {
        forwarded.push(m.method ?? '');
        return undefined;
      };
      expect(await manager.handle({ jsonrpc: '2.0', method: 'notifications/cancelled', params: {} }, upstream)).toBeUndefined();
      expect(await manager.handle({ jsonrpc: '2.0', method: 'notifications/progress', params: {} }, upstream)).toBeUndefined();
      expect(forwarded).toEqual(['notifications/progress']);
      expect(manager.getStats().droppedNotifications).toBe(1);
      expect(events).toEqual(['custom:denied', 'custom:notification_dropped']);
      await manager.close();
    });

    it('answers -32603 when the upstream throws, and -32600 for input that is not JSON-RPC', async () => {
      const manager = new FilterManager({ engine });
      expect(
        await manager.handle(request(9), () => {
          throw new Error('connection reset');
        }),
      ).toEqual({ jsonrpc: '2.0', id: 9, error: { code: -32603, message: 'upstream failed' } });
      const invalid = await manager.process({ hello: 'world' } as never);
      expect(errorCode(invalid)).toBe(ErrorCode.INVALID_REQUEST);
      expect(invalid).toMatchObject({ id: null });
      await manager.close();
    });
  });
}
