import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A node:http server on 127.0.0.1 (port 0) that records requests. */
export interface TestHttpServer {
  readonly url: string;
  readonly server: Server;
  /** Requests received so far (method, url, headers, body). */
  readonly requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

/** Starts a server whose answer `handler` computes from each request (body read in full). */
export async function startHttpServer(
  handler: (request: { method: string; url: string; headers: IncomingMessage['headers']; body: string }, res: ServerResponse) => void,
): Promise<TestHttpServer> {
  const requests: TestHttpServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: async () => {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A JWKS endpoint whose key set and health the test controls. */
export interface JwksServer extends TestHttpServer {
  readonly jwksUri: string;
  keys: unknown[];
  /** When set, the endpoint answers this status instead of the JWKS. */
  failWith: number | undefined;
  /** JWKS requests served (failed ones included). */
  readonly hits: number;
}

/** Starts a JWKS endpoint at `/jwks.json`. */
export async function startJwksServer(keys: unknown[]): Promise<JwksServer> {
  const state = { keys, failWith: undefined as number | undefined, hits: 0 };
  const base = await startHttpServer((request, res) => {
    if (request.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    state.hits++;
    if (state.failWith !== undefined) {
      res.writeHead(state.failWith).end('down');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  return Object.defineProperties(base as JwksServer, {
    jwksUri: { value: `${base.url}/jwks.json` },
    keys: { get: () => state.keys, set: (v: unknown[]) => (state.keys = v) },
    failWith: { get: () => state.failWith, set: (v: number | undefined) => (state.failWith = v) },
    hits: { get: () => state.hits },
  });
}
