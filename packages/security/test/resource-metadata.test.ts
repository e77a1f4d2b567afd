import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import {
  buildWwwAuthenticate,
  protectedResourceMetadata,
  protectedResourceMetadataHandler,
  resourceMetadataUrl,
  withProtectedResourceMetadata,
} from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); })));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('RFC 9728 protected resource metadata', () => {
  const metadata = protectedResourceMetadata({
    resource: 'https://mcp.example.test/mcp',
    authorizationServers: ['https://auth.example.test'],
    scopesSupported: ['mcp:read', 'mcp:write'],
    resourceName: 'Example MCP',
  });

  it('derives the metadata URL by inserting the well-known path before the resource path', () => {
    expect(resourceMetadataUrl('https://mcp.example.test/mcp')).toBe('https://mcp.example.test/.well-known/oauth-protected-resource/mcp');
    expect(resourceMetadataUrl('https://mcp.example.test/')).toBe('https://mcp.example.test/.well-known/oauth-protected-resource');
    expect(resourceMetadataUrl('https://mcp.example.test:8443/a/b/')).toBe('https://mcp.example.test:8443/.well-known/oauth-protected-resource/a/b');
  });

  it('makes the document', () => {
    expect(metadata).toEqual({
      resource: 'https://mcp.example.test/mcp',
      authorization_servers: ['https://auth.example.test'],
      scopes_supported: ['mcp:read', 'mcp:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Example MCP',
    });
    expect(protectedResourceMetadata({ resource: 'https://r.test' })).toEqual({ resource: 'https://r.test', bearer_methods_supported: ['header'] });
  });

  it('serves it on node:http at both well-known paths, delegating everything else', async () => {
    const base = await listen(createServer(withProtectedResourceMetadata(metadata, (_req, res) => res.writeHead(200).end('app'))));
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource?x=1']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      expect(await response.json()).toEqual(metadata);
    }
    expect(await (await fetch(`${base}/mcp`)).text()).toBe('app');
    expect((await fetch(`${base}/.well-known/oauth-protected-resource`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/.well-known/oauth-protected-resource`, { method: 'OPTIONS' })).status).toBe(204);
    const bare = await listen(createServer(withProtectedResourceMetadata(metadata)));
    expect((await fetch(`${bare}/other`)).status).toBe(404);
    const handle = protectedResourceMetadataHandler(metadata, { metadataUrl: 'https://mcp.example.test/meta/prm.json' });
    const custom = await listen(createServer((req, res) => void (handle(req, res) || res.writeHead(418).end())));
    expect((await fetch(`${custom}/meta/prm.json`)).status).toBe(200);
    expect((await fetch(`${custom}/.well-known/oauth-protected-resource/mcp`)).status).toBe(418);
  });
});

describe('WWW-Authenticate', () => {
  it('orders the parameters and quotes values', () => {
    expect(buildWwwAuthenticate({})).toBe('Bearer');
    expect(
      buildWwwAuthenticate(
        { realm: 'my "realm"', resourceMetadataUrl: 'https://r.test/.well-known/oauth-protected-resource' },
        { error: 'insufficient_scope', errorDescription: 'back\\slash\nnewline', scope: ['a', 'b'] },
      ),
    ).toBe(
      'Bearer realm="my \\"realm\\"", error="insufficient_scope", error_description="back\\\\slashnewline", scope="a b", resource_metadata="https://r.test/.well-known/oauth-protected-resource"',
    );
  });
});
