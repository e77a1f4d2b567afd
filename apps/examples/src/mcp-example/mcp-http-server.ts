// The MCP endpoint over Streamable HTTP: one SDK transport and McpServer per session, each behind
// a GopherTransport running the shared chain, plus the RFC 9728 metadata document.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { FilterManager } from '@gopher-mcp/core';
import { protectedResourceMetadata, withProtectedResourceMetadata } from '@gopher-mcp/security';
import { GopherTransport } from '@gopher-mcp/transport-sdk';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/** An HTTP server listening on 127.0.0.1 whose MCP endpoint is attached once the chain exists. */
export interface McpHttpServer {
  /** `http://127.0.0.1:<port>/mcp`: the endpoint, and the resource the tokens are for. */
  readonly url: URL;
  /** Starts answering at `/mcp` with servers from `makeServer`, every session through `manager`. */
  attach(manager: FilterManager, makeServer: () => McpServer, authorizationServer: string): void;
  /** Sessions open now (initialized ones; a refused `initialize` leaves none behind). */
  readonly openSessions: number;
  /** Closes every session, then the server. */
  close(): Promise<void>;
}

interface Session {
  readonly transport: StreamableHTTPServerTransport;
  readonly server: McpServer;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? undefined : (JSON.parse(text) as unknown);
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
}

/** Listens on 127.0.0.1, on a free port. */
export async function startMcpHttpServer(): Promise<McpHttpServer> {
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  const sessions = new Map<string, Session>();

  const openSession = async (manager: FilterManager, makeServer: () => McpServer, req: IncomingMessage): Promise<Session> => {
    const server = makeServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, session),
    });
    const session: Session = { transport, server };
    // The SDK transports do not expose the socket: the peer comes from the request that opened the session.
    const peer = { address: req.socket.remoteAddress ?? 'unknown', port: req.socket.remotePort ?? 0 };
    await server.connect(new GopherTransport(transport, manager, { side: 'server', transportName: 'http', peer }));
    // Set after connect: the decorator owns the SDK transport's callbacks, the SDK server reports the close.
    server.server.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    return session;
  };

  const handle = async (manager: FilterManager, makeServer: () => McpServer, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (new URL(req.url ?? '/', url).pathname !== url.pathname) {
      res.writeHead(404).end();
      return;
    }
    let body: unknown;
    try {
      body = req.method === 'POST' ? await readJson(req) : undefined;
    } catch {
      jsonRpcError(res, 400, -32700, 'Parse error');
      return;
    }
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const session = sessions.get(id);
      if (session === undefined) jsonRpcError(res, 404, -32001, 'Session not found');
      else await session.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method !== 'POST') {
      jsonRpcError(res, 400, -32000, 'Bad Request: no session');
      return;
    }
    const session = await openSession(manager, makeServer, req);
    await session.transport.handleRequest(req, res, body);
    // The chain refused the `initialize` (no or bad credentials): the SDK transport made a session
    // id before the message reached the chain, so close that session rather than keep it.
    if (session.server.server.getClientVersion() === undefined) await session.server.close();
  };

  return {
    url,
    get openSessions() {
      return sessions.size;
    },
    attach(manager, makeServer, authorizationServer) {
      const metadata = protectedResourceMetadata({ resource: url.href, authorizationServers: [authorizationServer], resourceName: 'Gopher MCP demo' });
      http.on(
        'request',
        withProtectedResourceMetadata(metadata, (req, res) => {
          handle(manager, makeServer, req, res).catch((error: unknown) => {
            if (!res.headersSent) jsonRpcError(res, 500, -32603, error instanceof Error ? error.message : String(error));
          });
        }),
      );
    },
    async close() {
      await Promise.all([...sessions.values()].map((s) => s.server.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
