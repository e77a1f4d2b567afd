import { describe, expect, it } from 'vitest';

import { ErrorCode, FilterManager, type JsonRpcMessage, type PhasedFilter } from '../../src/index.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { request, result } from '../chain/helpers.js';

for (const engine of testEngines()) {
  describe(`FilterManager.handle() upstream attempts — ${engineTitle(engine)}`, () => {
    it('tries a throwing upstream once by default and answers -32603', async () => {
      let calls = 0;
      const manager = new FilterManager({ engine });
      const response = await manager.handle(request(1), () => {
        calls++;
        throw new Error('connection refused');
      });
      expect(response).toEqual({ jsonrpc: '2.0', id: 1, error: { code: ErrorCode.INTERNAL_ERROR, message: 'upstream failed' } });
      expect(calls).toBe(1);
      await manager.close();
    });

    it('retries an upstream that throws synchronously, then rejects, up to upstreamRetries', async () => {
      const outcomes: Array<() => JsonRpcMessage | Promise<JsonRpcMessage>> = [
        () => {
          throw new Error('sync failure');
        },
        () => Promise.reject(new Error('async failure')),
        () => result(2),
      ];
      let calls = 0;
      const manager = new FilterManager({ engine, upstreamRetries: 2 });
      const response = await manager.handle(request(2), () => (outcomes[calls++] as () => JsonRpcMessage | Promise<JsonRpcMessage>)());
      expect(response).toEqual(result(2));
      expect(calls).toBe(3);
      await manager.close();
    });

    it('gives up after upstreamRetries + 1 attempts, and the response phases see the failure', async () => {
      const seen: Array<string | undefined> = [];
      const observer: PhasedFilter = {
        type: 'observer',
        onResponse(_exchange, response) {
          seen.push(response?.error?.message);
          return response;
        },
      };
      let calls = 0;
      const manager = new FilterManager({ engine, upstreamRetries: 2, filters: [observer] });
      const response = await manager.handle(request(3), () => {
        calls++;
        return Promise.reject(new Error('still down'));
      });
      expect(response).toMatchObject({ id: 3, error: { code: ErrorCode.INTERNAL_ERROR, message: 'upstream failed' } });
      expect(calls).toBe(3);
      expect(seen).toEqual(['upstream failed']);
      await manager.close();
    });
  });
}
