import { describe, expect, it } from 'vitest';

import { ErrorCode, FilterManager } from '../../src/index.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { recorder, request, result, thrower } from './helpers.js';

for (const engine of testEngines()) {
  describe(`fallback behaviour — ${engineTitle(engine)}`, () => {
    it('REJECT answers -32603 naming the filter', async () => {
      const manager = new FilterManager({ engine, fallback: 'REJECT', filters: [[thrower(), { name: 'broken' }]] });
      const response = await manager.handle(request(1), () => result(1));
      expect(response).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'filter "broken" failed', data: { filter: 'broken' } } });
      expect(manager.getStats().filters[0]).toMatchObject({ name: 'broken', errors: 1, denied: 1 });
      await manager.close();
    });

    it('PASSTHROUGH skips a failing filter and counts the error', async () => {
      const log: string[] = [];
      const events: string[] = [];
      const manager = new FilterManager({
        engine,
        fallback: 'PASSTHROUGH',
        events: (e) => events.push(`${e.filter}:${e.type}:${String(e.payload.fallback)}`),
        filters: [recorder('outer', log), [thrower(), { name: 'broken' }], recorder('inner', log)],
      });
      const response = await manager.handle(request(2), () => result(2));
      expect(response).toEqual(result(2));
      expect(log).toEqual(['outer:request:tools/call', 'inner:request:tools/call', 'inner:response:result', 'outer:response:result']);
      expect(events).toEqual(['broken:filter_error:PASSTHROUGH']);
      expect(manager.getStats().filterErrors).toBe(1);
      await manager.close();
    });

    it('PASSTHROUGH keeps the inner response when the response phase fails', async () => {
      const manager = new FilterManager({
        engine,
        fallback: 'PASSTHROUGH',
        filters: [
          {
            type: 'custom',
            async handle(_exchange, next) {
              await next();
              throw new Error('response phase broke');
            },
          },
        ],
      });
      let calls = 0;
      const response = await manager.handle(request(3), () => {
        calls++;
        return result(3);
      });
      expect(response).toEqual(result(3));
      expect(calls).toBe(1);
      await manager.close();
    });

    it('never skips a fail-closed filter, whatever the fallback', async () => {
      let upstreamCalls = 0;
      const manager = new FilterManager({ engine, fallback: 'PASSTHROUGH', filters: [[thrower(true), { name: 'auth' }]] });
      const response = await manager.handle(request(4), () => {
        upstreamCalls++;
        return result(4);
      });
      expect(response).toMatchObject({ id: 4, error: { code: ErrorCode.INTERNAL_ERROR, data: { filter: 'auth' } } });
      expect(upstreamCalls).toBe(0);
      await manager.close();
    });

    it('marks a filter fail-closed through its entry options too', async () => {
      const manager = new FilterManager({ engine, fallback: 'PASSTHROUGH', filters: [[thrower(false), { name: 'policy', failClosed: true }]] });
      const response = await manager.handle(request(5), () => result(5));
      expect(response).toMatchObject({ id: 5, error: { code: -32603 } });
      await manager.close();
    });

    it('DEFAULT answers the configured default response with the request id', async () => {
      const manager = new FilterManager({
        engine,
        fallback: 'DEFAULT',
        defaultResponse: { error: { code: 503, message: 'temporarily unavailable' } },
        filters: [thrower()],
      });
      expect(await manager.handle(request('x'), () => result('x'))).toEqual({
        jsonrpc: '2.0',
        id: 'x',
        error: { code: 503, message: 'temporarily unavailable' },
      });
      await manager.close();
    });
  });
}
