import { describe, expect, it } from 'vitest';

import { ErrorCode, FilterManager, ManualClock } from '../../src/index.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { denier, recorder, request, result } from './helpers.js';

for (const engine of testEngines()) {
  describe(`message-at-a-time API — ${engineTitle(engine)}`, () => {
    it('correlates interleaved exchanges by id and session', async () => {
      const log: string[] = [];
      const manager = new FilterManager({
        engine,
        filters: [
          {
            type: 'tagger',
            async handle(exchange, next) {
              const response = await next();
              log.push(`${exchange.context.session.id}/${String(exchange.message.id)}->${JSON.stringify(response?.result)}`);
              return response;
            },
          },
        ],
      });
      const a = { session: { id: 'A' } };
      const b = { session: { id: 'B' } };
      expect(await manager.process(request(1), a)).toEqual(request(1));
      expect(await manager.process(request(1), b)).toEqual(request(1));
      expect(await manager.process(request(2), a)).toEqual(request(2));
      expect(manager.getStats().pendingResponses).toBe(3);
      expect(await manager.processResponse(result(2, { v: 'a2' }), a)).toEqual(result(2, { v: 'a2' }));
      expect(await manager.processResponse(result(1, { v: 'b1' }), b)).toEqual(result(1, { v: 'b1' }));
      expect(await manager.processResponse(result(1, { v: 'a1' }), a)).toEqual(result(1, { v: 'a1' }));
      expect(log).toEqual(['A/2->{"v":"a2"}', 'B/1->{"v":"b1"}', 'A/1->{"v":"a1"}']);
      expect(manager.getStats().pendingResponses).toBe(0);
      await manager.close();
    });

    it('process() resolves with the error response when a filter refuses the request', async () => {
      const manager = new FilterManager({ engine, filters: [denier(ErrorCode.UNAUTHORIZED, 'no token')] });
      expect(await manager.process(request(11))).toEqual({ jsonrpc: '2.0', id: 11, error: { code: 401, message: 'no token', data: { rule: 'test' } } });
      expect(manager.getStats().pendingResponses).toBe(0);
      await manager.close();
    });

    it('processRequestResponse runs both phases', async () => {
      const log: string[] = [];
      const manager = new FilterManager({ engine, filters: [recorder('r', log)] });
      expect(await manager.processRequestResponse(request(5, 'ping'), result(5))).toEqual(result(5));
      expect(log).toEqual(['r:request:ping', 'r:response:result']);
      await manager.close();
    });

    it('refuses a second in-flight request with the same id in the same session', async () => {
      const manager = new FilterManager({ engine });
      await manager.process(request(1));
      expect(await manager.process(request(1))).toMatchObject({ id: 1, error: { code: -32600, data: { reason: 'duplicate id' } } });
      await manager.close();
    });

    it('answers 504 when the response never comes, releases the state and drops the late response', async () => {
      const clock = new ManualClock(1_000);
      const timeouts: unknown[] = [];
      const manager = new FilterManager({ engine, clock, exchangeTimeoutMs: 5_000, onTimeout: (response) => timeouts.push(response) });
      await manager.process(request('slow'));
      expect(manager.getStats().pendingResponses).toBe(1);
      clock.advance(4_999);
      expect(manager.getStats().pendingResponses).toBe(1);
      clock.advance(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(manager.getStats()).toMatchObject({ pendingResponses: 0, timedOut: 1, inFlight: 0 });
      expect(timeouts).toEqual([{ jsonrpc: '2.0', id: 'slow', error: { code: 504, message: 'no response from the upstream in time', data: { timeoutMs: 5_000 } } }]);
      expect(await manager.processResponse(result('slow'))).toBeUndefined();
      expect(clock.pendingTimers).toBe(0);
      await manager.close();
    });

    it('answers waiting exchanges with 503 on close', async () => {
      const manager = new FilterManager({ engine });
      await manager.process(request(1));
      await manager.close();
      expect(manager.getStats().pendingResponses).toBe(0);
      expect(await manager.process(request(2))).toMatchObject({ id: 2, error: { code: 503 } });
    });
  });
}
