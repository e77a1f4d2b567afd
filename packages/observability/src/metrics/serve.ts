import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { AnyRegistry } from './registry-type.js';

/** Where {@link serveMetrics} listens. */
export interface ServeMetricsOptions {
  /** Default `127.0.0.1` (set `0.0.0.0` to let a remote Prometheus scrape). */
  readonly host?: string;
  /** Default 9464 (the OpenTelemetry Prometheus exporter's port); 0 takes any free port. */
  readonly port?: number;
  /** Default `/metrics`. */
  readonly path?: string;
}

/** A running metrics endpoint. */
export interface MetricsServer extends AsyncDisposable {
  /** The full URL of the endpoint, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  readonly host: string;
  /** The port it listens on (the one picked when 0 was asked). */
  readonly port: number;
  readonly server: Server;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

async function respond(registry: AnyRegistry, path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== path) {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
    return;
  }
  try {
    const body = await registry.metrics();
    response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch {
    response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
  }
}

/**
 * Serves `registry` in the Prometheus text format on node:http (`GET /metrics`; 404 elsewhere,
 * 405 for other methods). Resolves once listening.
 */
export function serveMetrics(registry: AnyRegistry, options: ServeMetricsOptions = {}): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  const server = createServer((request, response) => void respond(registry, path, request, response));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      const close = (): Promise<void> =>
        new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
      resolve({ url: `http://${urlHost}:${port}${path}`, host, port, server, close, [Symbol.asyncDispose]: close });
    });
  });
}
