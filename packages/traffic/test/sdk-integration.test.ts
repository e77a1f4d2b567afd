/**
 * The traffic filters in front of a real MCP SDK server, through the MCP SDK adapter
 * (@gopher-mcp/transport-sdk), with a real SDK client: in memory and over Streamable HTTP on
 * 127.0.0.1. The client gets 429 from the rate limit, and 503 from an open circuit.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CallToolRequestSchema, ErrorCode as SdkErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';

import { FilterManager, ManualClock, type ChainEvent, type Engine } from '@gopher-mcp/core';
import { withFilters } from '@gopher-mcp/transport-sdk';

import { engineTitle, testEngines } from '../../core/test/helpers/engines.js';
import { circuitBreaker, rateLimit, retry } from '../src/index.js';
import { settle } from './helpers.js';

interface Connected {
  readonly client: Client;
  readonly clock: ManualClock;
  readonly events: ChainEvent[];
  readonly flakyCalls: () => number;
  setFlakyHealthy(healthy: boolean): void;
  close(): Promise<void>;
}

/** A low-level SDK server with two tools: `echo`, and `flaky`, which fails with -32603 until told otherwise. */
function mcpServer() {
  const server = new Server({ name: 'traffic-test', version: '1.0.0' }, { capabilities: { tools: {} } });
  let flakyHealthy = false;
  let flakyCalls = 0;
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [
      { name: 'echo', inputSchema: { type: 'object' as const } },
      { name: 'flaky', inputSchema: { type: 'object' as const } },
    ],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    if (request.params.name === 'flaky') {
      flakyCalls++;
      if (!flakyHealthy) throw new McpError(SdkErrorCode.InternalError, 'backend down');
    }
    return { content: [{ type: 'text' as const, text: String(request.params.arguments?.text ?? 'ok') }] };
  });
  return {
    server,
    flakyCalls: () => flakyCalls,
    setFlakyHealthy: (healthy: boolean) => {
      flakyHealthy = healthy;
    },
  };
}

/** The server's chain: a rate limit per tool, then a circuit breaker per tool, on a driven clock. */
function serverManager(engine: Engine, clock: ManualClock, events: ChainEvent[]): FilterManager {
  return new FilterManager({
    engine,
    clock,
    events: (e) => events.push(e),
    filters: [
      rateLimit({ limits: [{ name: 'per-tool', algorithm: 'fixed_window', limit: 5, windowMs: 60_000, key: 'tool' }] }),
      circuitBreaker({ key: 'tool', consecutiveFailures: 2, openMs: 10_000 }),
    ],
  });
}

async function connectInMemory(engine: Engine): Promise<Connected> {
  const clock = new ManualClock(0);
  const events: ChainEvent[] = [];
  const backend = mcpServer();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await backend.server.connect(withFilters(serverSide, serverManager(engine, clock, events), { side: 'server', closeManager: true }) as Transport);
  const client = new Client({ name: 'traffic-test-client', version: '1.0.0' });
  await client.connect(clientSide);
  return {
    client,
    clock,
    events,
    flakyCalls: backend.flakyCalls,
    setFlakyHealthy: backend.setFlakyHealthy,
    close: async () => {
      await client.close();
      await backend.server.close();
    },
  };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? undefined : (JSON.parse(text) as unknown);
}

async function connectHttp(engine: Engine): Promise<Connected> {
  const clock = new ManualClock(0);
  const events: ChainEvent[] = [];
  const backend = mcpServer();
  const inner = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
  await backend.server.connect(
    withFilters(inner as Transport, serverManager(engine, clock, events), { side: 'server', closeManager: true }) as Transport,
  );
  const http: HttpServer = createServer((req, res) => {
    void (async () => {
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      await inner.handleRequest(req, res, body);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  const client = new Client({ name: 'traffic-test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url) as Transport);
  return {
    client,
    clock,
    events,
    flakyCalls: backend.flakyCalls,
    setFlakyHealthy: backend.setFlakyHealthy,
    close: async () => {
      await client.close();
      await backend.server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const connections = [
  { kind: 'in-memory', connect: connectInMemory },
  { kind: 'Streamable HTTP on 127.0.0.1', connect: connectHttp },
];

for (const engine of testEngines()) {
  describe(`traffic filters through the MCP SDK adapter — ${engineTitle(engine)}`, () => {
    describe.each(connections)('$kind', ({ connect }) => {
      let connection: Connected | undefined;
      afterEach(async () => {
        await connection?.close();
        connection = undefined;
      });

      it('a real client gets 429 from the rate limit, then 503 from an open circuit, then recovers', async () => {
        connection = await connect(engine);
        const { client, clock, events } = connection;
        expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo', 'flaky']);

        // Rate limit: 5 calls of a tool per minute.
        for (let i = 0; i < 5; i++) expect(await client.callTool({ name: 'echo', arguments: { text: `hi ${i}` } })).toMatchObject({ content: [{ text: `hi ${i}` }] });
        const limited = await client.callTool({ name: 'echo', arguments: { text: 'one more' } }).catch((e: unknown) => e);
        expect(limited).toBeInstanceOf(McpError);
        expect(limited).toMatchObject({ code: 429, data: { limit: 'per-tool', retryAfterMs: 60_000 } });

        // Circuit breaker: two upstream failures of `flaky` open its circuit.
        for (let i = 0; i < 2; i++) expect(await client.callTool({ name: 'flaky' }).catch((e: unknown) => e)).toMatchObject({ code: -32603 });
        const open = await client.callTool({ name: 'flaky' }).catch((e: unknown) => e);
        expect(open).toBeInstanceOf(McpError);
        expect(open).toMatchObject({ code: 503, data: { retryAfterMs: 10_000, circuit: 'flaky' } });
        expect(connection.flakyCalls()).toBe(2); // the open circuit answered without calling the server

        // After openMs, a probe goes through; the backend is healthy again, so the circuit closes.
        connection.setFlakyHealthy(true);
        clock.advance(10_000);
        expect(await client.callTool({ name: 'flaky', arguments: { text: 'back' } })).toMatchObject({ content: [{ text: 'back' }] });
        expect(events.filter((e) => e.type === 'circuit_state').map((e) => `${String(e.payload.from)}->${String(e.payload.to)}@${e.time}`)).toEqual([
          'closed->open@0',
          'open->half_open@10000',
          'half_open->closed@10000',
        ]);
        // The minute is over: echo is allowed again.
        clock.advance(50_000);
        expect(await client.callTool({ name: 'echo', arguments: { text: 'again' } })).toMatchObject({ content: [{ text: 'again' }] });
      });
    });
  });
}

describe('retry on the client side, through the MCP SDK adapter', () => {
  for (const engine of testEngines()) {
    it(`a real client's tools/list is sent again after a 503, on the driven clock — ${engineTitle(engine)}`, async () => {
      const server = new Server({ name: 'busy-server', version: '1.0.0' }, { capabilities: { tools: {} } });
      const listedAt: number[] = [];
      const clock = new ManualClock(0);
      server.setRequestHandler(ListToolsRequestSchema, async () => {
        listedAt.push(clock.now());
        if (listedAt.length < 3) throw new McpError(503, 'busy');
        return { tools: [{ name: 'echo', inputSchema: { type: 'object' as const } }] };
      });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await server.connect(serverSide);
      const events: ChainEvent[] = [];
      const manager = new FilterManager({
        engine,
        clock,
        events: (e) => events.push(e),
        filters: [retry({ maxAttempts: 3, initialDelayMs: 200, jitter: 'none' })],
      });
      const client = new Client({ name: 'retrying-client', version: '1.0.0' });
      await client.connect(withFilters(clientSide, manager, { side: 'client', directions: ['inbound', 'outbound'], closeManager: true }) as Transport);
      let done = false;
      const listing = client.listTools().finally(() => (done = true));
      for (let i = 0; i < 1000 && !done; i++) {
        await settle();
        clock.advance(1);
      }
      expect((await listing).tools.map((t) => t.name)).toEqual(['echo']);
      expect(listedAt).toEqual([0, 200, 600]);
      expect(events.filter((e) => e.type === 'retry').map((e) => `${String(e.payload.attempt)}:${String(e.payload.delayMs)}`)).toEqual(['2:200', '3:400']);
      await client.close();
      await server.close();
    });
  }
});
