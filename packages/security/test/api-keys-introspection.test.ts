import { forwardableHeaders } from '@gopher-mcp/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { ApiKeyStore, authentication, hashApiKey, type AuthenticationFilter, type AuthenticationOptions } from '../src/index.js';
import { bearer, recordingLogger, testChain } from './helpers/chain.js';
import { startHttpServer, type TestHttpServer } from './helpers/http-servers.js';
import { AUDIENCE, ISSUER, makeKey, signToken, T0_SEC, type TestKey } from './helpers/keys.js';

const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function chainWith(options: AuthenticationOptions, logger = recordingLogger()) {
  const t = testChain([authentication(options)], { logger });
  open.push(t);
  return { ...t, logger, filter: t.chain.get('authentication') as AuthenticationFilter };
}

describe('authentication: API keys', () => {
  const alice = 'ak_live_alice_0123456789abcdef';
  const bob = 'ak_live_bob_fedcba9876543210';
  const apiKeys = {
    keys: [
      { sha256: hashApiKey(alice), subject: 'alice', scopes: ['mcp:read'], roles: ['user'] },
      { sha256: hashApiKey(bob).toUpperCase(), subject: 'bob', roles: ['admin'] },
    ],
  };

  it('hashes keys as hex SHA-256 and maps each to its principal', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const store = new ApiKeyStore(apiKeys.keys.map((k) => ({ scopes: [], ...k })));
    expect(store.verify(alice)?.subject).toBe('alice');
    expect(store.verify(bob)?.subject).toBe('bob');
    expect(store.verify(`${alice}x`)).toBeUndefined();
    expect(store.verify('')).toBeUndefined();
  });

  it('accepts a known key, refuses an unknown one, and never forwards the key header', async () => {
    const t = chainWith({ apiKeys });
    const ok = await t.call('search', { 'x-api-key': alice, 'x-trace': 'keep' });
    expect(ok.response?.result).toEqual({ ok: true });
    expect(t.forwarded[0]?.context.principal).toEqual({ subject: 'alice', scopes: ['mcp:read'], roles: ['user'], claims: { sub: 'alice' }, method: 'api_key' });
    expect(forwardableHeaders(t.forwarded[0]?.context.peer.headers, t.forwarded[0]!.context)).toEqual({ 'x-trace': 'keep' });
    const bad = await t.call('search', { 'x-api-key': 'ak_live_mallory' });
    expect(bad.response?.error).toEqual({
      code: 401,
      message: 'unauthorized: the API key is not valid',
      data: { wwwAuthenticate: 'ApiKey error="invalid_token", error_description="the API key is not valid"' },
    });
    expect((await t.call('search')).response?.error?.data).toEqual({ wwwAuthenticate: 'ApiKey' });
    expect((await t.call('search', { 'x-api-key': [alice, bob] })).response?.error?.message).toBe('unauthorized: more than one credential was presented');
    expect(JSON.stringify(t.logger.lines)).not.toContain('ak_live_mallory');
  });

  it('reads the key from a configured header and refuses a bearer token and a key together', async () => {
    const key = await makeKey('ES256', 'k');
    const t = chainWith({ apiKeys: { ...apiKeys, header: 'x-mcp-key' }, jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.jwk as never] } } });
    expect((await t.call('search', { 'x-mcp-key': bob })).response?.result).toEqual({ ok: true });
    expect(t.forwarded[0]?.context.principal?.roles).toEqual(['admin']);
    const both = await t.call('search', { 'x-mcp-key': bob, ...bearer(await signToken(key)) });
    expect(both.response?.error?.data).toEqual({
      wwwAuthenticate: 'Bearer error="invalid_request", error_description="more than one credential was presented"',
    });
  });
});

describe('authentication: RFC 7662 introspection', () => {
  let server: TestHttpServer;
  const active = new Map<string, Record<string, unknown>>();
  let down = false;

  beforeAll(async () => {
    server = await startHttpServer((request, res) => {
      if (down) {
        res.writeHead(500).end();
        return;
      }
      const expected = `Basic ${Buffer.from('mcp-server:s3cr%C3%A9t+%26').toString('base64')}`;
      if (request.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      const form = new URLSearchParams(request.body);
      const claims = active.get(form.get('token') ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claims === undefined ? { active: false } : { active: true, ...claims }));
    });
    return () => server.close();
  });

  const introspection = () => ({ endpoint: `${server.url}/introspect`, clientId: 'mcp-server', clientSecret: 's3crét &', audience: AUDIENCE, cacheMs: 60_000 });

  it('accepts an active opaque token, posting it form-encoded with the client credentials, and caches the answer', async () => {
    active.set('opaque-token-1', { sub: 'carol', scope: 'mcp:read tools:call', roles: ['user'], aud: AUDIENCE, exp: T0_SEC + 3600, client_id: 'app' });
    const t = chainWith({ introspection: introspection() });
    const before = server.requests.length;
    expect((await t.call('search', bearer('opaque-token-1'))).response?.result).toEqual({ ok: true });
    expect(t.forwarded[0]?.context.principal).toMatchObject({ subject: 'carol', scopes: ['mcp:read', 'tools:call'], roles: ['user'], method: 'introspection' });
    const sent = server.requests[before];
    expect(sent?.method).toBe('POST');
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(sent?.body))).toEqual({ token: 'opaque-token-1', token_type_hint: 'access_token' });
    // Cached for cacheMs.
    t.clock.advance(59_999);
    expect((await t.call('search', bearer('opaque-token-1'))).response?.result).toEqual({ ok: true });
    expect(server.requests.length - before).toBe(1);
    t.clock.advance(1);
    expect((await t.call('search', bearer('opaque-token-1'))).response?.result).toEqual({ ok: true });
    expect(server.requests.length - before).toBe(2);
    expect(t.filter.getStats()).toMatchObject({ introspections: 2, cacheHits: 1 });
  });

  it('never caches past the token exp, and refuses inactive, expired and foreign-audience tokens', async () => {
    active.set('short', { sub: 'dave', aud: AUDIENCE, exp: T0_SEC + 10 });
    active.set('expired', { sub: 'dave', aud: AUDIENCE, exp: T0_SEC - 1 });
    active.set('foreign', { sub: 'dave', aud: 'https://other.example.test', exp: T0_SEC + 3600 });
    const t = chainWith({ introspection: introspection() });
    const challenge = (d: string) => `Bearer error="invalid_token", error_description="${d}"`;
    expect((await t.call('search', bearer('short'))).response?.result).toEqual({ ok: true });
    t.clock.advance(10_000);
    expect((await t.call('search', bearer('short'))).response?.error?.data).toEqual({ wwwAuthenticate: challenge('the token has expired') });
    expect((await t.call('search', bearer('unknown'))).response?.error?.data).toEqual({ wwwAuthenticate: challenge('the token is not active') });
    expect((await t.call('search', bearer('expired'))).response?.error?.data).toEqual({ wwwAuthenticate: challenge('the token has expired') });
    expect((await t.call('search', bearer('foreign'))).response?.error?.data).toEqual({ wwwAuthenticate: challenge('the token audience is not this resource') });
  });

  it('fails closed when the introspection endpoint fails or rejects the client', async () => {
    active.set('tok', { sub: 'erin', aud: AUDIENCE, exp: T0_SEC + 3600 });
    const t = chainWith({ introspection: { ...introspection(), clientSecret: 'wrong' } });
    const failed = 'Bearer error="invalid_token", error_description="the token could not be verified"';
    expect((await t.call('search', bearer('tok'))).response?.error?.data).toEqual({ wwwAuthenticate: failed });
    expect(JSON.stringify(t.logger.lines)).not.toContain('wrong');
    const t2 = chainWith({ introspection: introspection() });
    down = true;
    try {
      expect((await t2.call('search', bearer('tok'))).response?.error?.data).toEqual({ wwwAuthenticate: failed });
    } finally {
      down = false;
    }
    expect((await t2.call('search', bearer('tok'))).response?.result).toEqual({ ok: true });
  });

  it('uses an injected fetch, and sends JWT-shaped tokens to the JWT verifier when both are configured', async () => {
    const key: TestKey = await makeKey('ES256', 'k1');
    const fetchSpy = vi.fn(async (input: string, init: RequestInit) => {
      expect(input).toBe('https://as.example.test/introspect');
      expect(String(init.body)).toContain('token=opaque-2');
      return new Response(JSON.stringify({ active: true, sub: 'frank', aud: AUDIENCE }), { status: 200 });
    });
    const t = chainWith({
      fetch: fetchSpy,
      jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.jwk as never] } },
      introspection: { ...introspection(), endpoint: 'https://as.example.test/introspect' },
    });
    expect((await t.call('search', bearer('opaque-2'))).response?.result).toEqual({ ok: true });
    expect((await t.call('search', bearer(await signToken(key)))).response?.result).toEqual({ ok: true });
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(t.forwarded.map((f) => [f.context.principal?.subject, f.context.principal?.method])).toEqual([
      ['frank', 'introspection'],
      ['user-1', 'jwt'],
    ]);
  });
});
