// The people of the story: each one a real MCP client (the SDK's Client over Streamable HTTP)
// with the bearer token it was given, if any.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

/** What one call came back with. */
export type CallOutcome =
  | { readonly ok: true; readonly text: string; /** A tool result with `isError: true` (the tool failed; the call did not). */ readonly toolError?: boolean }
  | { readonly ok: false; readonly code: number; readonly message: string; readonly data: Record<string, unknown> };

/** A connected client. */
export interface Actor {
  readonly name: string;
  /** `tools/list`: the names the server showed this actor. */
  listTools(): Promise<CallOutcome & { readonly tools?: readonly string[] }>;
  /** `tools/call`, with optional `_meta` (e.g. a W3C `traceparent`). */
  callTool(name: string, args: Record<string, unknown>, meta?: Record<string, string>): Promise<CallOutcome>;
  /** Ends the session (HTTP DELETE) and closes the client. */
  close(): Promise<void>;
}

/** A JSON-RPC error as the SDK client raised it, without the SDK's `MCP error <code>: ` prefix. */
export function outcomeOf(error: unknown): CallOutcome {
  if (error instanceof McpError) {
    const data = typeof error.data === 'object' && error.data !== null ? (error.data as Record<string, unknown>) : {};
    return { ok: false, code: error.code, message: error.message.replace(/^MCP error -?\d+: /, ''), data };
  }
  throw error;
}

function newClient(url: URL, token: string | undefined): { client: Client; transport: StreamableHTTPClientTransport } {
  const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  const client = new Client({ name: 'gopher-mcp-demo-client', version: '1.0.0' });
  return { client, transport };
}

/**
 * Connects `name` to the server (the SDK's `initialize` handshake). Resolves with the actor, or
 * with the refusal when the server's chain answered the `initialize` with an error.
 */
export async function connectActor(name: string, url: URL, token: string | undefined): Promise<{ actor: Actor } | { refused: CallOutcome }> {
  const { client, transport } = newClient(url, token);
  try {
    await client.connect(transport);
  } catch (error) {
    await client.close();
    return { refused: outcomeOf(error) };
  }
  const textOf = (content: unknown): string => {
    const first = Array.isArray(content) ? (content[0] as { text?: unknown } | undefined) : undefined;
    return typeof first?.text === 'string' ? first.text : '';
  };
  return {
    actor: {
      name,
      async listTools() {
        try {
          const { tools } = await client.listTools();
          const names = tools.map((t) => t.name);
          return { ok: true, text: names.join(', '), tools: names };
        } catch (error) {
          return outcomeOf(error);
        }
      },
      async callTool(tool, args, meta) {
        try {
          const result = await client.callTool({ name: tool, arguments: args, ...(meta === undefined ? {} : { _meta: meta }) });
          return result.isError === true ? { ok: true, text: textOf(result.content), toolError: true } : { ok: true, text: textOf(result.content) };
        } catch (error) {
          return outcomeOf(error);
        }
      },
      async close() {
        await transport.terminateSession();
        await client.close();
      },
    },
  };
}
