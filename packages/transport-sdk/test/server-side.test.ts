/**
 * A GopherTransport on the server side, with a real SDK client and server of each line, over each
 * real transport: in memory, stdio (the server in a child process), Streamable HTTP on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { resultText } from './fixtures/demo-server.js';
import { recorder, type SeenEntry } from './fixtures/filters.js';
import { harnesses, type Connection } from './fixtures/harness.js';
import { sdkLines } from './fixtures/sdk-lines.js';

const PROTOCOL_VERSION = /^\d{4}-\d{2}-\d{2}$/;

describe.each(sdkLines)('server side, $title', (line) => {
  describe.each(harnesses)('over $kind', (harness) => {
    let connection: Connection | undefined;
    afterEach(async () => {
      await connection?.close();
      connection = undefined;
    });

    it('runs every request and notification through the request phase and every response through the response phase', async () => {
      connection = await harness.connect(line, { serverFilters: ['recorder'] });
      const { client } = connection;
      await client.listTools();
      expect(resultText(await client.callTool('echo', { text: 'a' }))).toBe('a');
      await client.notify('notifications/test/mark', { tag: 'n1' });
      await client.ping();
      const seen = await connection.serverSeen();

      const requests = seen.filter((e) => e.phase === 'request').map((e) => `${e.kind}:${e.method}${e.tool === undefined ? '' : `:${e.tool}`}`);
      expect(requests.slice(0, 6)).toEqual([
        'request:initialize',
        'notification:notifications/initialized',
        'request:tools/list',
        'request:tools/call:echo',
        'notification:notifications/test/mark',
        'request:ping',
      ]);
      // Every request got through the response phase with a result carrying its own id.
      const requestIds = seen.filter((e) => e.phase === 'request' && e.kind === 'request').map((e) => e.id);
      const responses = seen.filter((e) => e.phase === 'response');
      for (const id of requestIds.slice(0, 4)) expect(responses.filter((r) => r.id === id)).toEqual([expect.objectContaining({ kind: 'result', id })]);
      expect(responses.every((r) => r.kind === 'result')).toBe(true);
      // No response phase for notifications.
      expect(responses.some((r) => r.method?.startsWith('notifications/'))).toBe(false);

      const afterInitialize = seen.filter((e) => e.method !== 'initialize');
      for (const entry of afterInitialize) {
        expect(entry.transport).toBe(harness.kind);
        expect(entry.direction).toBe('inbound');
        expect(entry.protocolVersion).toMatch(PROTOCOL_VERSION);
      }
      expect(await connection.deliveries()).toEqual(['notification:n1']);
    });

    it('answers a refused request with an error response carrying its id, at once, and drops a refused notification', async () => {
      const clientSeen: SeenEntry[] = [];
      connection = await harness.connect(line, { serverFilters: ['recorder', 'denier'], clientFilters: [recorder(clientSeen)] });
      const { client } = connection;
      const started = Date.now();
      const error = await client.callTool('forbidden', {}, { timeout: 15_000 }).catch((e: unknown) => e);
      expect(line.isProtocolError(error)).toBe(true);
      expect(error).toMatchObject({ code: 403, data: { rule: 'no-forbidden' } });
      expect(Date.now() - started).toBeLessThan(10_000); // answered, not timed out

      // The client received an error response with the id of its request.
      const sent = clientSeen.find((e) => e.phase === 'request' && e.tool === 'forbidden');
      const answered = clientSeen.filter((e) => e.phase === 'response' && e.tool === 'forbidden');
      expect(sent?.id).toEqual(expect.any(Number));
      expect(answered).toEqual([expect.objectContaining({ kind: 'error', code: 403, id: sent?.id })]);
      expect(await connection.forbiddenCalls()).toBe(0);

      await client.notify('notifications/test/blocked', { tag: 'blocked' });
      await client.notify('notifications/test/mark', { tag: 'kept' });
      expect(resultText(await client.callTool('echo', { text: 'still working' }))).toBe('still working');
      expect(await connection.deliveries()).toEqual(['notification:kept']);
      const serverSeen = await connection.serverSeen();
      expect(serverSeen.find((e) => e.phase === 'response' && e.tool === 'forbidden')).toMatchObject({ kind: 'error', code: 403, id: sent?.id });
      expect(client.errors).toEqual([]);
    });

    it('delivers what a transforming filter changed, both ways', async () => {
      connection = await harness.connect(line, { serverFilters: ['transformer'] });
      expect(resultText(await connection.client.callTool('echo', { text: 'hello' }))).toBe('HELLO [filtered]');
    });

    it('keeps the arrival order when an asynchronous filter finishes out of order', async () => {
      connection = await harness.connect(line, { serverFilters: ['reverser:6'] });
      const { client } = connection;
      await Promise.all([
        client.callTool('record', { tag: 'a' }),
        client.notify('notifications/test/mark', { tag: 'b' }),
        client.callTool('record', { tag: 'c' }),
        client.notify('notifications/test/mark', { tag: 'd' }),
        client.callTool('record', { tag: 'e' }),
        client.notify('notifications/test/mark', { tag: 'f' }),
      ]);
      const log = await connection.serverReverserLog();
      expect([...log.arrivals].sort()).toEqual(['notification:b', 'notification:d', 'notification:f', 'request:a', 'request:c', 'request:e']);
      expect(log.releases).toEqual([...log.arrivals].reverse());
      // The SDK was handed them in arrival order, and dispatched each of them.
      expect(await connection.serverReceived()).toEqual(log.arrivals);
      expect([...(await connection.deliveries())].sort()).toEqual([...log.arrivals].sort());
      if (harness.kind !== 'http' && line.id === 'v1') {
        // One ordered channel, and the 1.x client sends in call order (the 2.x client's callTool
        // does asynchronous work before it sends): what arrived is what the client called.
        expect(log.arrivals).toEqual(['request:a', 'notification:b', 'request:c', 'notification:d', 'request:e', 'notification:f']);
      }
    });
  });
});
