import { ConfigError } from '@gopher-mcp/core';
import { CompactSign, exportPKCS8, importPKCS8 } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { authentication, type AuthenticationFilter, type AuthenticationOptions } from '../src/index.js';
import { bearer, testChain } from './helpers/chain.js';
import { startJwksServer, type JwksServer } from './helpers/http-servers.js';
import { AUDIENCE, ISSUER, makeKey, signHmac, signToken, T0_SEC, unsecuredToken, type TestKey } from './helpers/keys.js';

const RM = 'resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp"';
const invalid = (description: string): string => `Bearer error="invalid_token", error_description="${description}", ${RM}`;

let rs: TestKey;
let ps: TestKey;
let es: TestKey;
let ed: TestKey;
let attacker: TestKey;
let jwks: JwksServer;

beforeAll(async () => {
  [rs, ps, es, ed, attacker] = await Promise.all([
    makeKey('RS256', 'rs1'),
    makeKey('PS256', 'ps1'),
    makeKey('ES256', 'es1'),
    makeKey('EdDSA', 'ed1'),
    makeKey('RS256', 'rs1'), // same kid as the real key, different key
  ]);
  jwks = await startJwksServer([rs.jwk, ps.jwk, es.jwk, ed.jwk]);
});

afterAll(async () => {
  await jwks.close();
});

function options(extra: Partial<AuthenticationOptions> = {}, jwt: Record<string, unknown> = {}): AuthenticationOptions {
  return {
    jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.jwksUri, ...jwt },
    resourceMetadata: { resource: AUDIENCE, authorizationServers: [ISSUER] },
    ...extra,
  } as AuthenticationOptions;
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function chainWith(opts: AuthenticationOptions) {
  const t = testChain([authentication(opts)]);
  open.push(t);
  return { ...t, filter: t.chain.get('authentication') as AuthenticationFilter };
}

describe('authentication: bearer JWT', () => {
  it('accepts a valid token of every asymmetric family and sets the principal', async () => {
    const t = chainWith(options());
    for (const key of [rs, ps, es, ed]) {
      const token = await signToken(key, { sub: `user-${key.kid}` });
      const { response } = await t.call('search', bearer(token));
      expect(response).toEqual({ jsonrpc: '2.0', id: expect.any(Number), result: { ok: true } });
    }
    expect(t.forwarded.map((f) => f.context.principal?.subject)).toEqual(['user-rs1', 'user-ps1', 'user-es1', 'user-ed1']);
    const principal = t.forwarded[0]?.context.principal;
    expect(principal).toMatchObject({ scopes: ['mcp:read', 'mcp:write'], roles: ['user'], method: 'jwt' });
    expect(principal?.claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: 'user-rs1' });
    expect(jwks.hits).toBe(1);
  });

  const rejections: Array<[string, () => Promise<string> | string, string]> = [
    ['a bad signature (same kid, another key)', () => signToken(attacker), 'the token signature is invalid'],
    [
      'a payload altered after signing',
      async () => {
        const [h, , s] = (await signToken(rs)).split('.');
        const forged = Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'admin', exp: T0_SEC + 300, roles: ['admin'] })).toString('base64url');
        return `${h}.${forged}.${s}`;
      },
      'the token signature is invalid',
    ],
    ['alg: none', () => unsecuredToken(), 'the token algorithm is not allowed'],
    ['alg: none with a signature segment', () => unsecuredToken({}, 'c2ln'), 'the token algorithm is not allowed'],
    ['an HS256 token keyed with the RS public key (key-type confusion)', () => signHmac(rs.spki, {}, { kid: 'rs1' }), 'the token algorithm is not allowed'],
    ['an expired token (beyond the 30 s skew)', () => signToken(rs, { exp: T0_SEC - 31, iat: T0_SEC - 400 }), 'the token has expired'],
    ['a token not yet valid', () => signToken(rs, { nbf: T0_SEC + 31 }), 'the token is not yet valid'],
    ['a token without exp', () => signToken(rs, { exp: undefined }), 'the token has no expiry'],
    ['a token issued in the future', () => signToken(rs, { iat: T0_SEC + 31 }), 'the token was issued in the future'],
    ['a wrong issuer', () => signToken(rs, { iss: 'https://evil.example.test' }), 'the token issuer is not accepted'],
    ['a wrong audience', () => signToken(rs, { aud: 'https://other.example.test/mcp' }), 'the token audience is not this resource'],
    ['an exp that is not a number', () => signToken(rs, { exp: String(T0_SEC + 300) }), 'the token is malformed'],
    ['no subject', () => signToken(rs, { sub: undefined }), 'the token has no subject'],
    ['a malformed token (one segment)', () => 'not-a-jwt', 'the token is malformed'],
    ['a malformed token (bad characters)', () => 'a.b.c$', 'the token is malformed'],
    ['a malformed token (header not JSON)', () => 'bm90anNvbg.e30.c2ln', 'the token is malformed'],
    [
      'a signed payload that is not JSON',
      () => new CompactSign(new TextEncoder().encode('not json')).setProtectedHeader({ alg: 'RS256', kid: 'rs1' }).sign(rs.privateKey),
      'the token is malformed',
    ],
    ['an oversized token', () => `${'a'.repeat(9000)}.b.c`, 'the token is too large'],
  ];

  it.each(rejections)('refuses %s with 401 and the invalid_token challenge', async (_name, make, description) => {
    const t = chainWith(options());
    const token = await make();
    const { response } = await t.call('search', bearer(token));
    expect(response?.error).toEqual({ code: 401, message: `unauthorized: ${description}`, data: { wwwAuthenticate: invalid(description) } });
    expect(t.forwarded).toHaveLength(0);
    expect(JSON.stringify(response)).not.toContain(token.slice(0, 40));
    expect(t.events.find((e) => e.type === 'authentication_failed')?.payload).toMatchObject({ method: 'tools/call' });
  });

  it('refuses a request without credentials with a challenge carrying no error code', async () => {
    const t = chainWith(options());
    const { response } = await t.call('search');
    expect(response?.error).toEqual({ code: 401, message: 'unauthorized: no credentials', data: { wwwAuthenticate: `Bearer ${RM}` } });
    const basic = await t.call('search', { authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.response?.error?.data).toEqual({ wwwAuthenticate: `Bearer ${RM}` });
  });

  it('refuses two Authorization headers and an empty bearer as invalid_request / malformed', async () => {
    const t = chainWith(options());
    const token = await signToken(rs);
    const twice = await t.call('search', { authorization: [`Bearer ${token}`, `Bearer ${token}`] });
    expect(twice.response?.error?.data).toEqual({
      wwwAuthenticate: `Bearer error="invalid_request", error_description="more than one credential was presented", ${RM}`,
    });
    const empty = await t.call('search', { authorization: 'Bearer ' });
    expect(empty.response?.error?.data).toEqual({ wwwAuthenticate: invalid('the token is malformed') });
  });

  it('accepts exp and iat within the clock skew, and follows the injected clock', async () => {
    const t = chainWith(options({}, { clockSkewSec: 30 }));
    const justExpired = await signToken(rs, { exp: T0_SEC - 29, iat: T0_SEC - 300 });
    expect((await t.call('search', bearer(justExpired))).response?.result).toEqual({ ok: true });
    const slightlyAhead = await signToken(rs, { iat: T0_SEC + 29, nbf: T0_SEC + 29 });
    expect((await t.call('search', bearer(slightlyAhead))).response?.result).toEqual({ ok: true });
    const later = await signToken(rs, { nbf: T0_SEC + 100 });
    expect((await t.call('search', bearer(later))).response?.error?.code).toBe(401);
    t.clock.advance(71_000);
    expect((await t.call('search', bearer(later))).response?.result).toEqual({ ok: true });
  });

  it('answers a repeated token from the verified-token cache until the token expires', async () => {
    const t = chainWith(options());
    const token = await signToken(rs, { exp: T0_SEC + 60 });
    for (let i = 0; i < 3; i++) expect((await t.call('search', bearer(token))).response?.result).toEqual({ ok: true });
    expect(t.filter.getStats()).toMatchObject({ authenticated: 3, jwtVerifications: 1, cacheHits: 2, cachedTokens: 1 });
    // Cached until exp + skew (60 s + 30 s): at +89.999 s still a hit, at +90 s verified again (and expired).
    t.clock.advance(89_999);
    expect((await t.call('search', bearer(token))).response?.result).toEqual({ ok: true });
    expect(t.filter.getStats()).toMatchObject({ jwtVerifications: 1, cacheHits: 3 });
    t.clock.advance(1);
    const { response } = await t.call('search', bearer(token));
    expect(response?.error?.data).toEqual({ wwwAuthenticate: invalid('the token has expired') });
    expect(t.filter.getStats()).toMatchObject({ jwtVerifications: 2, cacheHits: 3, cachedTokens: 0, failed: 1 });
  });

  it('bounds the cache (least recently used out) and can be disabled', async () => {
    const t = chainWith(options({ cacheSize: 2 }));
    const tokens = await Promise.all([1, 2, 3].map((n) => signToken(es, { sub: `u${n}` })));
    for (const token of [tokens[0], tokens[1], tokens[0], tokens[2], tokens[0], tokens[1]]) {
      expect((await t.call('search', bearer(token as string))).response?.result).toEqual({ ok: true });
    }
    // u1 u2 (miss miss), u1 (hit), u3 (miss, evicts u2), u1 (hit), u2 (miss)
    expect(t.filter.getStats()).toMatchObject({ jwtVerifications: 4, cacheHits: 2, cachedTokens: 2 });
    const off = chainWith(options({ cacheSize: 0 }));
    const token = tokens[0] as string;
    await off.call('search', bearer(token));
    await off.call('search', bearer(token));
    expect(off.filter.getStats()).toMatchObject({ jwtVerifications: 2, cacheHits: 0, cachedTokens: 0 });
  });

  it('refuses a valid token without a required scope with 403 insufficient_scope', async () => {
    const t = chainWith(options({ requiredScopes: ['mcp:admin'] }));
    const token = await signToken(rs);
    const { response } = await t.call('search', bearer(token));
    expect(response?.error).toEqual({
      code: 403,
      message: 'forbidden: the token lacks a required scope',
      data: {
        rule: 'required_scopes',
        wwwAuthenticate: `Bearer error="insufficient_scope", error_description="the token lacks a required scope", scope="mcp:admin", ${RM}`,
      },
    });
    // The 401s of this filter hint at the scopes too.
    expect((await t.call('search')).response?.error?.data).toEqual({ wwwAuthenticate: `Bearer scope="mcp:admin", ${RM}` });
    const admin = await signToken(rs, { scope: 'mcp:read mcp:admin' });
    expect((await t.call('search', bearer(admin))).response?.result).toEqual({ ok: true });
    // `scp` (an array) is read when `scope` is absent.
    const scp = await signToken(rs, { scope: undefined, scp: ['mcp:admin'] });
    expect((await t.call('search', bearer(scp))).response?.result).toEqual({ ok: true });
  });

  it('checks required claims, typ, and reads roles and scopes from configured (dotted) claims', async () => {
    const t = chainWith(
      options({ rolesClaim: 'realm_access.roles', scopesClaim: 'permissions' }, { requiredClaims: { tenant: 'acme', groups: 'ops' }, typ: 'at+jwt' }),
    );
    const good = await signToken(rs, { tenant: 'acme', groups: ['dev', 'ops'], realm_access: { roles: ['admin'] }, permissions: ['a', 'b'] }, { header: { typ: 'at+jwt' } });
    expect((await t.call('search', bearer(good))).response?.result).toEqual({ ok: true });
    expect(t.forwarded[0]?.context.principal).toMatchObject({ roles: ['admin'], scopes: ['a', 'b'] });
    const wrongTenant = await signToken(rs, { tenant: 'other', groups: ['ops'] }, { header: { typ: 'at+jwt' } });
    expect((await t.call('search', bearer(wrongTenant))).response?.error?.data).toEqual({ wwwAuthenticate: invalid('the token lacks a required claim') });
    const wrongTyp = await signToken(rs, { tenant: 'acme', groups: ['ops'] });
    expect((await t.call('search', bearer(wrongTyp))).response?.error?.data).toEqual({ wwwAuthenticate: invalid('the token type is not accepted') });
  });

  it('verifies with a PEM key, only for algorithms of its key type', async () => {
    const t = chainWith({ jwt: { issuer: ISSUER, audience: AUDIENCE, publicKeyPem: rs.spki } });
    expect((await t.call('search', bearer(await signToken(rs)))).response?.result).toEqual({ ok: true });
    // PS256 over the same RSA key is a different algorithm of the same key type: allowed.
    const rsaAsPss = await importPKCS8(await exportPKCS8(rs.privateKey), 'PS256');
    const psOverRsa = await signToken({ alg: 'PS256', kid: 'rs1', privateKey: rsaAsPss });
    expect((await t.call('search', bearer(psOverRsa))).response?.result).toEqual({ ok: true });
    const { response } = await t.call('search', bearer(await signToken(es)));
    expect(response?.error?.data).toEqual({ wwwAuthenticate: 'Bearer error="invalid_token", error_description="no key matches the token"' });
  });

  it('verifies with a local JWKS, trying every key when the token has no kid', async () => {
    const second = await makeKey('ES256', 'x');
    const anonymous = (k: TestKey) => ({ ...k.jwk, kid: undefined });
    const t = chainWith({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [anonymous(es), anonymous(second)] as never } } });
    const token = await signToken({ ...second, kid: undefined as unknown as string });
    expect((await t.call('search', bearer(token))).response?.result).toEqual({ ok: true });
    expect((await t.call('search', bearer(await signToken(attacker)))).response?.error?.data).toEqual({
      wwwAuthenticate: 'Bearer error="invalid_token", error_description="no key matches the token"',
    });
  });

  it('accepts HS256 only when listed with a secret, and never with a public key as the secret', async () => {
    const secret = 's'.repeat(40);
    const t = chainWith({ jwt: { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], hmacSecret: secret } });
    expect((await t.call('search', bearer(await signHmac(secret)))).response?.result).toEqual({ ok: true });
    expect((await t.call('search', bearer(await signHmac(rs.spki)))).response?.error?.data).toEqual({
      wwwAuthenticate: 'Bearer error="invalid_token", error_description="the token signature is invalid"',
    });
    expect((await t.call('search', bearer(await signToken(rs)))).response?.error?.data).toEqual({
      wwwAuthenticate: 'Bearer error="invalid_token", error_description="the token algorithm is not allowed"',
    });
    // Mixed: the RS key and the secret, each only for its own algorithms.
    const mixed = chainWith({ jwt: { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256', 'HS256'], hmacSecret: secret, publicKeyPem: rs.spki } });
    expect((await mixed.call('search', bearer(await signToken(rs)))).response?.result).toEqual({ ok: true });
    expect((await mixed.call('search', bearer(await signHmac(secret)))).response?.result).toEqual({ ok: true });
    expect((await mixed.call('search', bearer(await signHmac(rs.spki, {}, { kid: 'rs1' })))).response?.error?.code).toBe(401);
  });

  it('rejects unusable configurations at construction with the path', () => {
    const attempt = (o: unknown) => () => authentication(o as AuthenticationOptions);
    expect(attempt({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [{ ...rs.jwk, d: 'secret' }] } } })).toThrow(
      /jwt\.jwks\.keys\.0: a public key must not have "d"/,
    );
    expect(attempt({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } } })).toThrow(
      /jwt\.jwks\.keys\.0: kty must be RSA, EC or OKP/,
    );
    expect(attempt({ jwt: { issuer: ISSUER, audience: AUDIENCE, publicKeyPem: 'not a pem' } })).toThrow(/jwt\.publicKeyPem/);
    expect(attempt({ jwt: { issuer: ISSUER, audience: AUDIENCE, algorithms: ['none'], publicKeyPem: rs.spki } })).toThrow(ConfigError);
    expect(attempt({ jwt: { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], publicKeyPem: rs.spki } })).toThrow(
      /jwt\.algorithms: an HS algorithm is listed but no hmacSecret is set/,
    );
    expect(attempt({ jwt: { issuer: ISSUER, audience: AUDIENCE, hmacSecret: 'x'.repeat(32) } })).toThrow(/jwt\.algorithms: asymmetric algorithms are listed/);
    expect(attempt({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUri: 'http://auth.example.test/jwks' } })).toThrow(
      /jwt\.jwksUri: must be an https URL/,
    );
    expect(attempt({})).toThrow(/enable at least one method/);
  });
});
