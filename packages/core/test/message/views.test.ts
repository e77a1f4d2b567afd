import { describe, expect, it } from 'vitest';

import { FilterManager, ObjectMessageView, parseMessageBytes, type JsonRpcMessage, type MessageView } from '../../src/index.js';
import { engineTitle, testEngines } from '../helpers/engines.js';

const samples: JsonRpcMessage[] = [
  { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'héllo ✓' }, _meta: { progressToken: 'p-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'a=1' } } },
  { jsonrpc: '2.0', id: 'req-7', method: 'resources/read', params: { uri: 'file:///tmp/a b.txt' } },
  { jsonrpc: '2.0', id: 0, method: 'prompts/get', params: { name: 'summarise', arguments: {} } },
  { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 3, progress: 0.5 } },
  { jsonrpc: '2.0', id: 9, result: { tools: [{ name: 'a\u0000b', inputSchema: { type: 'object' } }] } },
  { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error', data: { offset: 3 } } },
  { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'quote"and\\slash', _meta: { progressToken: 42 } } },
];

const accessors = (view: MessageView) => ({
  kind: view.kind,
  id: view.id,
  method: view.method,
  toolName: view.toolName,
  resourceUri: view.resourceUri,
  promptName: view.promptName,
  progressToken: view.progressToken,
  traceparent: view.traceparent,
  tracestate: view.tracestate,
  error: view.error,
  params: view.params,
  result: view.result,
  message: view.message,
});

for (const engine of testEngines()) {
  describe(`message views — ${engineTitle(engine)}`, () => {
    it.each(samples.map((m, i) => [i, m] as const))('sample %i reads the same from bytes as from the object', (_i, message) => {
      const bytes = Buffer.from(JSON.stringify(message));
      const parsed = parseMessageBytes(engine, bytes);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) throw new Error(parsed.reason);
      const fromBytes = parsed.messages[0] as MessageView;
      expect(fromBytes.fromBytes).toBe(true);
      expect(fromBytes.size).toBe(bytes.length);
      expect(accessors(fromBytes)).toEqual(accessors(new ObjectMessageView(message)));
    });

    it('answers malformed, invalid, oversized and batched bytes with the right error response', async () => {
      const manager = new FilterManager({ engine });
      const upstream = () => ({ jsonrpc: '2.0' as const, id: 1, result: {} });
      expect(await manager.handle(Buffer.from('{"jsonrpc":"2.0","id":1,"method":'), upstream)).toMatchObject({
        id: null,
        error: { code: -32700, data: { offset: expect.any(Number) } },
      });
      expect(await manager.handle(Buffer.from('{"jsonrpc":"2.0","id":5,"method":"a","method":"tools/call"}'), upstream)).toMatchObject({
        id: 5,
        error: { code: -32600, data: { reason: 'duplicate key' } },
      });
      expect(await manager.handle(Buffer.from(`{"jsonrpc":"2.0","id":1,"method":"x","params":${'['.repeat(100_000)}`), upstream)).toMatchObject({
        error: { code: 413, data: { reason: 'nesting too deep' } },
      });
      expect(await manager.handle(Buffer.from('[{"jsonrpc":"2.0","id":1,"method":"ping"}]'), upstream)).toMatchObject({
        id: null,
        error: { code: -32600, data: { reason: 'batch not allowed' } },
      });
      expect(await manager.handle(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"ping"}'), upstream)).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
      await manager.close();
    });

    it('splits an allowed batch into views', () => {
      const parsed = parseMessageBytes(engine, Buffer.from('[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"}]'), { allowBatch: true });
      expect(parsed.ok && parsed.messages.map((m) => [m.kind, m.method])).toEqual([
        ['request', 'ping'],
        ['notification', 'notifications/initialized'],
      ]);
    });
  });
}
