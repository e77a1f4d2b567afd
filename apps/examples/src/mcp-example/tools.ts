// The MCP server of the demo: the official SDK's McpServer with four tools.
import { setTimeout as sleep } from 'node:timers/promises';

import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Tracer } from '@opentelemetry/api';
import { z } from 'zod';

/** What the tools did: shared by every session's server. */
export class ToolLedger {
  private readonly counts = new Map<string, number>();

  /** Notes one run of `tool`. */
  ran(tool: string): void {
    this.counts.set(tool, (this.counts.get(tool) ?? 0) + 1);
  }

  /** How many times `tool` ran. */
  runs(tool: string): number {
    return this.counts.get(tool) ?? 0;
  }

  /** `echo 3, slow 1, ...` in the order the tools first ran. */
  summary(): string {
    return [...this.counts].map(([tool, count]) => `${tool} ${count}`).join(', ');
  }
}

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

/**
 * One McpServer (one per session, as the SDK's Streamable HTTP transport wants) with the tools
 * `echo {text}`, `slow {ms}` (sleeps, in a span of its own), `flaky {fail}` (its backend fails
 * when asked to) and `admin_stats` (what ran so far; the policy lets only admins call it).
 */
export function createMcpServer(ledger: ToolLedger, tracer: Tracer): McpServer {
  const server = new McpServer({ name: 'gopher-mcp-demo', version: '1.0.0' });
  server.registerTool('echo', { description: 'Says the text back', inputSchema: { text: z.string() } }, ({ text: value }) => {
    ledger.ran('echo');
    return text(value);
  });
  server.registerTool('slow', { description: 'Takes its time', inputSchema: { ms: z.number().int().min(0).max(2000) } }, ({ ms }) => {
    ledger.ran('slow');
    // A span of the tool's own work: a child of the span the tracing filter opened for the call.
    return tracer.startActiveSpan('slow.work', { attributes: { 'demo.sleep_ms': ms } }, async (span) => {
      await sleep(ms);
      span.end();
      return text(`slept ${ms} ms`);
    });
  });
  server.registerTool('flaky', { description: 'Calls a backend that fails on demand', inputSchema: { fail: z.boolean() } }, ({ fail }) => {
    ledger.ran('flaky');
    if (fail) throw new Error('backend unavailable');
    return text('backend answered');
  });
  server.registerTool('admin_stats', { description: 'Tool runs so far (admins only)' }, () => {
    ledger.ran('admin_stats');
    return text(`tool runs: ${ledger.summary()}`);
  });
  return server;
}
