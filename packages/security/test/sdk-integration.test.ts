/**
 * The security filters in front of a real MCP SDK (1.x) server over Streamable HTTP on 127.0.0.1,
 * through the transport-sdk decorator, with a real SDK client whose token comes from the test's
 * own JWKS server.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createJsEngine, FilterManager } from '@gopher-mcp/core';
import { GopherTransport } from '@gopher-mcp/transport-sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { authentication, authorization, protectedResourceMetadata, withProtectedResourceMetadata } from '../src/index.js';
import { startJwksServer, type JwksServer } from './helpers/http-servers.js';
import { makeKey, type TestKey } from './helpers/keys.js';

const ISSUER = 'https://auth.example.test';

let key: TestKey;
let jwks: JwksServer;
let http: Server;
let mcpUrl: URL;
let resource: string;
const toolCalls: string[] = [];
const clients: Client[] = [];

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? undefined : (JSON.parse(text) as unknown);
}

/** A real token, signed now (the filters run on the system clock here, as in production). */
async function token(claims: Record<string, unknown>): Promise<string> {
  const { SignJWT } = await import('jose');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: resource, iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .sign(key.privateKey);
}

async function connect(bearer: string): Promise<Client> {
  const client = new Client({ name: 'security-test-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } });
  await client.connect(transport);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  key = await makeKey('ES256', 'mcp-key-1');
  jwks = await startJwksServer([key.jwk]);
  http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  mcpUrl = new URL(`${base}/mcp`);
  resource = mcpUrl.href;

  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const newSession = async (): Promise<StreamableHTTPServerTransport> => {
    const server = new McpServer({ name: 'guarded', version: '1.0.0' });
    for (const name of ['search', 'delete_db', 'admin_panel']) {
      server.registerTool(name, { description: name }, async () => {
        toolCalls.push(name);
        return { content: [{ type: 'text', text: `${name} done` }] };
      });
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, transport),
    });
    const manager = new FilterManager({
      engine: createJsEngine(),
      filters: [
        authentication({
          jwt: { issuer: ISSUER, audience: resource, jwksUri: jwks.jwksUri, typ: 'at+jwt' },
          resourceMetadata: { resource, authorizationServers: [ISSUER] },
        }),
        authorization({
          roles: ['user', 'admin'],
          rules: [
            { name: 'protocol', effect: 'allow', methods: ['initialize', 'ping', 'notifications/*', 'tools/list'] },
            { name: 'admins', effect: 'allow', roles: ['admin'] },
            { name: 'no-destructive', effect: 'deny', tools: ['delete_*'] },
            { name: 'users', effect: 'allow', roles: ['user'], scopes: ['tools:call'], tools: ['search'] },
          ],
        }),
      ],
    });
    await server.connect(new GopherTransport(transport, manager, { side: 'server', closeManager: true }));
    return transport;
  };
  const metadata = protectedResourceMetadata({ resource, authorizationServers: [ISSUER] });
  http.on(
    'request',
    withProtectedResourceMetadata(metadata, (req, res) => {
      void (async () => {
        const body = req.method === 'POST' ? await readBody(req) : undefined;
        const id = req.headers['mcp-session-id'];
        const transport = typeof id === 'string' ? sessions.get(id) : await newSession();
        if (transport === undefined) {
          res.writeHead(404).end();
          return;
        }
        await transport.handleRequest(req, res, body);
      })().catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    }),
  );
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
  await jwks.close();
});

describe('security filters in front of an MCP SDK server over Streamable HTTP', () => {
  it('lets a user see and call only the tools the policy allows', async () => {
    const client = await connect(await token({ sub: 'alice', roles: ['user'], scope: 'tools:call' }));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['search']);
    expect(await client.callTool({ name: 'search', arguments: {} })).toEqual({ content: [{ type: 'text', text: 'search done' }] });

    const forbidden = await client.callTool({ name: 'delete_db', arguments: {} }).catch((error: unknown) => error);
    expect(forbidden).toBeInstanceOf(McpError);
    expect(forbidden).toMatchObject({ code: 403, data: { rule: 'no-destructive' } });
    const notAllowed = await client.callTool({ name: 'admin_panel', arguments: {} }).catch((error: unknown) => error);
    expect(notAllowed).toMatchObject({ code: 403, data: { rule: 'default' } });
    expect(toolCalls).toEqual(['search']);
  });

  it('answers a missing scope with insufficient_scope, and lets an admin through', async () => {
    const noScope = await connect(await token({ sub: 'bob', roles: ['user'], scope: 'mcp:read' }));
    const error = await noScope.callTool({ name: 'search', arguments: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 403,
      data: {
        rule: 'default',
        wwwAuthenticate: `Bearer error="insufficient_scope", error_description="the token lacks a scope this operation needs", scope="tools:call", resource_metadata="${new URL(mcpUrl.origin).href}.well-known/oauth-protected-resource/mcp"`,
      },
    });
    const admin = await connect(await token({ sub: 'root', roles: ['admin'] }));
    expect((await admin.listTools()).tools.map((t) => t.name)).toEqual(['search', 'delete_db', 'admin_panel']);
    await admin.callTool({ name: 'delete_db', arguments: {} });
    expect(toolCalls.at(-1)).toBe('delete_db');
  });

  it('refuses a client whose token does not verify, with 401 and the challenge pointing at the served metadata', async () => {
    const forged = `${(await token({ sub: 'mallory', roles: ['admin'] })).slice(0, -6)}AAAAAA`;
    const failure = await connect(forged).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(McpError);
    const challenge = (failure as McpError & { data: { wwwAuthenticate: string } }).data.wwwAuthenticate;
    expect((failure as McpError).code).toBe(401);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(challenge).toBe(`Bearer error="invalid_token", error_description="the token signature is invalid", resource_metadata="${metadataUrl}"`);
    const document = await (await fetch(metadataUrl as string)).json();
    expect(document).toEqual({ resource, authorization_servers: [ISSUER], bearer_methods_supported: ['header'] });
    expect(toolCalls.filter((t) => t === 'admin_panel')).toEqual([]);
  });
});
