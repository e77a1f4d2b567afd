import { createExchangeContext, ObjectMessageView } from '@gopher-mcp/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { authentication, readCredentials, type AuthenticationFilter, type AuthenticationOptions } from '../src/index.js';
import { AuthenticationFailure } from '../src/authentication/failure.js';
import { bearer, recordingLogger, testChain } from './helpers/chain.js';
import { startHttpServer, type TestHttpServer } from './helpers/http-servers.js';
import { AUDIENCE, ISSUER, makeKey, signToken, T0_SEC, type TestKey } from './helpers/keys.js';

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('ES256', 'es1');
});

const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function chainWith(options: Partial<AuthenticationOptions> = {}) {
  const t = testChain([authentication({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.jwk as never] } }, ...options } as AuthenticationOptions)], {
    logger: recordingLogger(),
  });
  open.push(t);
  return { ...t, filter: t.chain.get('authentication') as AuthenticationFilter };
}

/** What readCredentials makes of an Authorization value: the bearer token, another scheme, or the refusal reason. */
function read(authorization: string | string[]): string {
  const message = new ObjectMessageView({ jsonrpc: '2.0', id: 1, method: 'ping' });
  try {
    const credentials = readCredentials(message, createExchangeContext({ peer: { headers: { authorization } } }), {});
    return credentials.bearer === undefined ? `none ${credentials.headers.join(',')}` : `bearer ${credentials.bearer}`;
  } catch (error) {
    return error instanceof AuthenticationFailure ? error.reason : 'thrown';
  }
}

describe('reading bearer credentials', () => {
  it('reads the token after the scheme as RFC 6750 says, whatever path the value takes', () => {
    expect(
      [
        'Bearer abc.def-_~+/=',
        'bearer abc',
        'BEARER\tabc',
        'Bearer    abc',
        'Bearer abc ',
        'Bearer \u00a0abc\u3000',
        'Bearer tök',
        'Bearer a b',
        'Bearer a\u00a0b',
        'Bearer',
        'Bearer    ',
        'Bearerabc',
        'Basic dXNlcjpwYXNz',
        'Bear',
      ].map(read),
    ).toEqual([
      'bearer abc.def-_~+/=',
      'bearer abc',
      'bearer abc',
      'bearer abc',
      'bearer abc',
      'bearer abc',
      'bearer tök',
      'malformed_token',
      'malformed_token',
      'malformed_token',
      'malformed_token',
      'none authorization',
      'none authorization',
      'none authorization',
    ]);
    expect(read(['Bearer a', 'Bearer b'])).toBe('multiple_credentials');
    expect(read(['Bearer a'])).toBe('bearer a');
  });
});

describe('authentication: a repeated bearer token answered from the cache', () => {
  it('accepts every way of writing the same cached token with one verification, and refuses what the full reading refuses', async () => {
    const t = chainWith();
    const token = await signToken(key);
    const outcomes: string[] = [];
    const send = async (headers: Record<string, string | string[]>) => {
      const { response } = await t.call('search', headers);
      outcomes.push(response?.error === undefined ? 'ok' : `${response.error.code} ${String(response.error.data?.wwwAuthenticate ?? '')}`);
    };
    for (const value of [`Bearer ${token}`, `Bearer ${token}`, `Bearer  ${token}`, `Bearer\t${token}`, `bearer ${token}`, `Bearer ${token} `]) await send({ authorization: value });
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(t.filter.getStats()).toMatchObject({ authenticated: 6, jwtVerifications: 1, cacheHits: 5, cachedTokens: 1 });
    outcomes.length = 0;
    await send({ authorization: `Bearer ${token} x` });
    await send({ authorization: [`Bearer ${token}`, `Bearer ${token}`] });
    expect(outcomes).toEqual([
      '401 Bearer error="invalid_token", error_description="the token is malformed"',
      '401 Bearer error="invalid_request", error_description="more than one credential was presented"',
    ]);
    // (Credentials refused while being read are not counted as failed: only what the authenticator refused.)
    expect(t.filter.getStats()).toMatchObject({ authenticated: 6, failed: 0, cacheHits: 5 });
    // Every accepted exchange had its Authorization header consumed and its principal set.
    expect(t.forwarded.map((f) => f.context.principal?.subject)).toEqual(Array(6).fill('user-1'));
  });

  it('still refuses a second credential next to a cached token (API key header, _meta token)', async () => {
    const token = await signToken(key);
    const withKeys = chainWith({ apiKeys: { header: 'x-api-key', keys: [{ sha256: 'a'.repeat(64), subject: 'k' }] } });
    expect((await withKeys.call('search', bearer(token))).response?.result).toEqual({ ok: true });
    const both = await withKeys.call('search', { ...bearer(token), 'x-api-key': 'anything' });
    expect(both.response?.error?.data?.wwwAuthenticate).toContain('more than one credential was presented');

    const withMeta = chainWith({ metaTokenField: 'token' });
    expect((await withMeta.call('search', bearer(token))).response?.result).toEqual({ ok: true });
    const twice = await withMeta.run(
      { id: 99, method: 'tools/call', params: { name: 'search', _meta: { token } } },
      { peer: { address: '127.0.0.1', headers: bearer(token) } },
    );
    expect(twice.response?.error?.data?.wwwAuthenticate).toContain('more than one credential was presented');
    expect(withMeta.filter.getStats()).toMatchObject({ authenticated: 1, jwtVerifications: 1 });
  });

  it('forgets a cached token when it expires', async () => {
    const t = chainWith();
    const token = await signToken(key, { exp: T0_SEC + 60 });
    expect((await t.call('search', bearer(token))).response?.result).toEqual({ ok: true });
    t.clock.advance(59_000);
    expect((await t.call('search', bearer(token))).response?.result).toEqual({ ok: true });
    t.clock.advance(60_000);
    expect((await t.call('search', bearer(token))).response?.error?.code).toBe(401);
    expect(t.filter.getStats()).toMatchObject({ cacheHits: 1 });
  });

  describe('with introspection', () => {
    let server: TestHttpServer;
    beforeAll(async () => {
      server = await startHttpServer((_request, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ active: true, sub: 'carol', aud: AUDIENCE, exp: T0_SEC + 3600 }));
      });
      return () => server.close();
    });

    it('never caches a token holding whitespace (so the cache only ever answers tokens a header can carry)', async () => {
      const t = chainWith({ jwt: undefined, introspection: { endpoint: `${server.url}/introspect`, clientId: 'c', clientSecret: 's', audience: AUDIENCE, cacheMs: 60_000 } } as never);
      const authenticator = t.filter.authenticator;
      const spaced = await authenticator.authenticate({ bearer: 'opaque token', headers: [] });
      expect(spaced.subject).toBe('carol');
      expect(authenticator.getStats()).toMatchObject({ cachedTokens: 0 });
      expect(authenticator.cachedBearer('opaque token')).toBeUndefined();
      // The same token in a header is malformed: the cache never short-cuts that.
      expect((await t.call('search', { authorization: 'Bearer opaque token' })).response?.error?.data?.wwwAuthenticate).toContain('the token is malformed');
      await authenticator.authenticate({ bearer: 'opaque-token', headers: [] });
      expect(authenticator.getStats()).toMatchObject({ cachedTokens: 1 });
      expect(authenticator.cachedBearer('opaque-token')?.subject).toBe('carol');
      expect(server.requests.length).toBe(2);
    });
  });
});
