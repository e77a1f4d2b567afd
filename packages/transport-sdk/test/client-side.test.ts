/**
 * A GopherTransport on the client side (the mirror image), with a real SDK client and server of
 * each line, over each real transport.
 */
import { ErrorCode } from '@gopher-mcp/core';
import { afterEach, describe, expect, it } from 'vitest';

import { resultText } from './fixtures/demo-server.js';
import { denier, recorder, reverser, transformer, type ReverserLog, type SeenEntry } from './fixtures/filters.js';
import { harnesses, type Connection } from './fixtures/harness.js';
import { tagOf } from './fixtures/recording-transport.js';
import { sdkLines } from './fixtures/sdk-lines.js';

describe.each(sdkLines)('client side, $title', (line) => {
  describe.each(harnesses)('over $kind', (harness) => {
    let connection: Connection | undefined;
    afterEach(async () => {
      await connection?.close();
      connection = undefined;
    });

    it("runs the client's requests and notifications through the request phase and the server's responses through the response phase", async () => {
      const seen: SeenEntry[] = [];
      connection = await harness.connect(line, { clientFilters: [recorder(seen)] });
      const { client } = connection;
      await client.listTools();
      await client.callTool('echo', { text: 'a' });
      await client.notify('notifications/test/mark', { tag: 'n1' });
      await client.ping();
      const requests = seen.filter((e) => e.phase === 'request').map((e) => `${e.kind}:${e.method}${e.tool === undefined ? '' : `:${e.tool}`}`);
      expect(requests).toEqual([
        'request:initialize',
        'notification:notifications/initialized',
        'request:tools/list',
        'request:tools/call:echo',
        'notification:notifications/test/mark',
        'request:ping',
      ]);
      const ids = seen.filter((e) => e.phase === 'request' && e.kind === 'request').map((e) => e.id);
      expect(seen.filter((e) => e.phase === 'response').map((e) => [e.kind, e.id])).toEqual(ids.map((id) => ['result', id]));
      for (const entry of seen) {
        expect(entry.transport).toBe(harness.kind);
        expect(entry.direction).toBe('inbound');
        expect(entry.hasExtra).toBe(false);
      }
      expect(connection.clientTransport?.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(await connection.deliveries()).toEqual(['notification:n1']);
    });

    it("rejects the caller's promise with the SDK's error carrying the filter's code and data, and never sends the request", async () => {
      connection = await harness.connect(line, { clientFilters: [denier(ErrorCode.RATE_LIMITED, { retryAfterMs: 1500, limit: 'per-tool' })] });
      const { client } = connection;
      const started = Date.now();
      const error = await client.callTool('forbidden', {}, { timeout: 15_000 }).catch((e: unknown) => e);
      expect(line.isProtocolError(error)).toBe(true);
      expect(error).toMatchObject({ code: 429, data: { retryAfterMs: 1500, limit: 'per-tool' } });
      expect(Date.now() - started).toBeLessThan(10_000);
      await client.notify('notifications/test/blocked', { tag: 'blocked' });
      await client.notify('notifications/test/mark', { tag: 'kept' });
      expect(resultText(await client.callTool('echo', { text: 'still working' }))).toBe('still working');
      expect(await connection.forbiddenCalls()).toBe(0);
      expect(await connection.deliveries()).toEqual(['notification:kept']);
      expect(client.errors).toEqual([]);
      expect(connection.clientTransport?.getStats().chain).toMatchObject({ denied: 2, droppedNotifications: 1 });
    });

    it('sends what a transforming filter changed and hands the changed response to the SDK', async () => {
      connection = await harness.connect(line, { clientFilters: [transformer(' [client]')] });
      expect(resultText(await connection.client.callTool('echo', { text: 'hello' }))).toBe('HELLO [client]');
    });

    it('sends in the order the SDK sent when an asynchronous filter finishes out of order', async () => {
      const log: ReverserLog = { arrivals: [], releases: [] };
      connection = await harness.connect(line, { clientFilters: [reverser(6, log)], recordClient: true });
      const { client } = connection;
      await Promise.all([
        client.callTool('record', { tag: 'a' }),
        client.notify('notifications/test/mark', { tag: 'b' }),
        client.callTool('record', { tag: 'c' }),
        client.notify('notifications/test/mark', { tag: 'd' }),
        client.callTool('record', { tag: 'e' }),
        client.notify('notifications/test/mark', { tag: 'f' }),
      ]);
      expect(log.releases).toEqual([...log.arrivals].reverse());
      const sent = (connection.clientRecording?.sends ?? []).map((s) => tagOf(s.message)).filter((t) => t !== undefined);
      expect(sent).toEqual(log.arrivals);
      // Over one ordered channel the server gets them in that order too (HTTP posts race by nature).
      if (harness.kind !== 'http') expect(await connection.serverReceived()).toEqual(log.arrivals);
    });
  });
});
