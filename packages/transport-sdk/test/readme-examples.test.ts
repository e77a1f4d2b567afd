/**
 * The README's two examples, run as written except for the transport (in memory here, stdio and
 * Streamable HTTP there; those transports are covered by the integration suites), on both SDK lines.
 */
import { ErrorCode, FilterManager, type Filter } from '@gopher-mcp/core';
import { McpServer as V1McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as V2McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { GopherTransport, withFilters, type SdkTransport } from '../src/index.js';
import { sdkLines } from './fixtures/sdk-lines.js';

interface ExampleServer {
  registerTool(name: string, config: { description: string }, cb: () => Promise<{ content: Array<{ type: 'text'; text: string }> }>): unknown;
  connect(transport: SdkTransport): Promise<void>;
  close(): Promise<void>;
}

const servers: Record<string, () => ExampleServer> = {
  v1: () => new V1McpServer({ name: 'files', version: '1.0.0' }) as unknown as ExampleServer,
  v2: () => new V2McpServer({ name: 'files', version: '1.0.0' }) as unknown as ExampleServer,
};

describe.each(sdkLines)('README examples, $title', (line) => {
  it('the server example refuses `delete` with 403 and serves the rest', async () => {
    const [clientInner, serverInner] = line.memoryPair();
    let deleted = false;
    // --- as in the README ---
    const readOnly: Filter = { type: 'read_only', handle: (exchange, next) =>
      exchange.message.toolName === 'delete' ? exchange.deny(ErrorCode.FORBIDDEN, 'read-only server', { rule: 'read_only' }) : next() };
    const server = (servers[line.id] as () => ExampleServer)();
    server.registerTool('time', { description: 'The time' }, async () => ({ content: [{ type: 'text', text: new Date().toISOString() }] }));
    server.registerTool('delete', { description: 'Deletes' }, async () => ((deleted = true), { content: [{ type: 'text', text: 'gone' }] }));
    await server.connect(withFilters(serverInner, new FilterManager({ filters: [readOnly] }), { side: 'server' }));
    // ---
    const client = line.client();
    await client.connect(clientInner);
    expect((await client.callTool('time', {})).content[0]?.text).toMatch(/^\d{4}-/);
    const error = await client.callTool('delete', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 403, message: expect.stringContaining('read-only server'), data: { rule: 'read_only' } });
    expect(deleted).toBe(false);
    await client.close();
    await server.close();
  });

  it('the client example times every exchange', async () => {
    const [clientInner, serverInner] = line.memoryPair();
    const server = (servers[line.id] as () => ExampleServer)();
    server.registerTool('time', { description: 'The time' }, async () => ({ content: [{ type: 'text', text: 'now' }] }));
    await server.connect(serverInner);
    const lines: string[] = [];
    // --- as in the README (console.error replaced by an array) ---
    const timing: Filter = { type: 'timing', async handle(exchange, next) {
      const started = performance.now(); const response = await next();
      lines.push(`${exchange.message.method} ${response?.kind ?? 'sent'} ${(performance.now() - started).toFixed(1)} ms`); return response; } };
    const client = line.client();
    await client.connect(new GopherTransport(clientInner, [timing], { side: 'client' }));
    const tools = await client.listTools();
    // ---
    expect(tools.map((t) => t.name)).toEqual(['time']);
    expect(lines.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual(['initialize result', 'notifications/initialized sent', 'tools/list result']);
    await client.close();
    await server.close();
  });
});
