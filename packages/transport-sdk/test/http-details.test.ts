/**
 * What only Streamable HTTP has: request headers, auth info and the peer in the exchange context,
 * one HTTP stream per request (responses and related notifications must find theirs), resumption
 * tokens, and per-request headers (SDK 2.x).
 */
import { afterEach, describe, expect, it } from 'vitest';

import { resultText } from './fixtures/demo-server.js';
import { recorder, type SeenEntry } from './fixtures/filters.js';
import { connectHttp, HTTP_AUTH, HTTP_HEADER, type HttpConnection } from './fixtures/harness.js';
import { sdkLines } from './fixtures/sdk-lines.js';

describe.each(sdkLines)('Streamable HTTP details, $title', (line) => {
  let connection: HttpConnection | undefined;
  afterEach(async () => {
    await connection?.close();
    connection = undefined;
  });

  it('puts the request headers (lower-cased), the auth info, the peer address and the session into the exchange context', async () => {
    connection = await connectHttp(line, { serverFilters: ['recorder'], clientFilters: [] });
    await connection.client.callTool('echo', { text: 'x' });
    const seen = await connection.serverSeen();
    const call = seen.find((e) => e.phase === 'request' && e.tool === 'echo');
    expect(call).toBeDefined();
    const headers = call?.headers ?? {};
    expect(headers[HTTP_HEADER.name.toLowerCase()]).toBe(HTTP_HEADER.value);
    expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(headers['mcp-session-id']).toBe(connection.clientTransport?.sessionId);
    expect(call).toMatchObject({
      transport: 'http',
      direction: 'inbound',
      peerAddress: '127.0.0.1',
      sessionId: connection.clientTransport?.sessionId,
      protocolVersion: headers['mcp-protocol-version'],
      hasExtra: true,
      hasAuthInfo: true,
      principal: { subject: HTTP_AUTH.clientId, scopes: HTTP_AUTH.scopes, claims: { tenant: 'acme', client_id: HTTP_AUTH.clientId } },
    });
    expect(connection.clientTransport?.sessionId).toEqual(expect.any(String));
    // The token stays in the SDK's authInfo: it is never copied into the principal.
    expect(JSON.stringify(seen)).not.toContain(HTTP_AUTH.token);
  });

  it('gets every response and its progress notifications on the right stream when several requests are in flight and the filters finish out of order', async () => {
    const clientSeen: SeenEntry[] = [];
    connection = await connectHttp(line, { serverFilters: ['recorder', 'reverser:4'], clientFilters: [recorder(clientSeen)] });
    const { client } = connection;
    const tags = ['p1', 'p2', 'p3', 'p4'];
    const progress = new Map<string, Array<{ progress: number; message?: string }>>();
    const tokens = new Map<string, string[]>();
    const results = await Promise.all(
      tags.map((tag) => {
        progress.set(tag, []);
        tokens.set(tag, []);
        return client.callTool('progress', { tag, steps: 3 }, {
          onprogress: (p) => progress.get(tag)?.push({ progress: p.progress, message: (p as { message?: string }).message }),
          onresumptiontoken: (token) => tokens.get(tag)?.push(token),
          ...(line.id === 'v2' ? { headers: { 'x-call': tag } } : {}),
        });
      }),
    );
    expect(results.map(resultText)).toEqual(tags.map((t) => `done:${t}`));
    for (const tag of tags) {
      expect(progress.get(tag)).toEqual([1, 2, 3].map((n) => ({ progress: n, message: tag })));
      // The SDK's resumption callback (a send option) survived the client-side decorator.
      expect(tokens.get(tag)?.length).toBeGreaterThan(0);
    }
    const log = await connection.serverReverserLog();
    expect(log.releases).toEqual([...log.arrivals].reverse());
    const serverSeen = await connection.serverSeen();
    const calls = serverSeen.filter((e) => e.phase === 'request' && e.tool === 'progress');
    expect(calls).toHaveLength(4);
    if (line.id === 'v2') {
      // SDK 2.x per-request headers (a send option) reached the server's exchange context.
      const byId = new Map(clientSeen.filter((e) => e.phase === 'request' && e.tool === 'progress').map((e) => [e.id, e]));
      for (const call of calls) expect(call.headers?.['x-call']).toEqual(expect.stringMatching(/^p[1-4]$/));
      expect(new Set(calls.map((c) => c.headers?.['x-call']))).toEqual(new Set(tags));
      expect(byId.size).toBe(4);
    }
    // Below the decorator: each progress notification went out related to its own request, with
    // the very options object the SDK gave, and each response with the SDK's own options.
    const above = connection.serverAbove()?.sends ?? [];
    const below = connection.serverBelow()?.sends ?? [];
    const progressSent = below.filter((s) => 'method' in s.message && s.message.method === 'notifications/progress');
    expect(progressSent).toHaveLength(12);
    const callIds = new Set(calls.map((c) => c.id));
    for (const sent of progressSent) {
      // The client's request id is its progress token, in both lines.
      const token = (sent.message as unknown as { params: { progressToken: unknown } }).params.progressToken;
      expect(sent.options?.relatedRequestId).toBe(token);
      expect(callIds.has(token as number)).toBe(true);
      const original = above.find((a) => a.message === sent.message);
      expect(original?.options).toBe(sent.options);
    }
    const responses = below.filter((s) => 'result' in s.message && calls.some((c) => c.id === (s.message as { id: unknown }).id));
    expect(responses).toHaveLength(4);
    for (const response of responses) {
      const original = above.find((a) => 'id' in a.message && a.message.id === (response.message as { id: unknown }).id && 'result' in a.message);
      expect(original).toBeDefined();
      expect(response.options).toBe(original?.options);
    }
    expect(client.errors).toEqual([]);
  });

  it('rejects the caller with the inner transport\'s own error when a request cannot be sent', async () => {
    const seen: SeenEntry[] = [];
    connection = await connectHttp(line, { clientFilters: [recorder(seen)] });
    await connection.serverInner()?.close(); // the session ends on the server: posts now get 404
    const error = await connection.client.callTool('echo', { text: 'lost' }, { timeout: 15_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(line.isProtocolError(error)).toBe(false);
    expect(String((error as Error).message)).toMatch(/404|session not found/i);
    expect(seen.find((e) => e.phase === 'response' && e.tool === 'echo')).toMatchObject({ kind: 'error', code: 503 });
    expect(connection.clientTransport?.getStats()).toMatchObject({ awaitingPeerResponse: 0, inFlight: 0 });
  });
});
