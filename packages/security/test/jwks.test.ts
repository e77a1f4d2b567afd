import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { authentication, type AuthenticationFilter } from '../src/index.js';
import { bearer, recordingLogger, testChain } from './helpers/chain.js';
import { startHttpServer, startJwksServer } from './helpers/http-servers.js';
import { AUDIENCE, ISSUER, makeKey, signToken, T0_SEC, type TestKey } from './helpers/keys.js';

const UNKNOWN_KEY = 'Bearer error="invalid_token", error_description="no key matches the token"';
const UNAVAILABLE = 'Bearer error="invalid_token", error_description="the token could not be verified"';

let rs1: TestKey;
let rs2: TestKey;
let rs3: TestKey;
beforeAll(async () => {
  [rs1, rs2, rs3] = await Promise.all([makeKey('RS256', 'rs1'), makeKey('ES256', 'rs2'), makeKey('EdDSA', 'rs3')]);
});

const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function setup(keys: unknown[], jwt: Record<string, unknown> = {}) {
  const server = await startJwksServer(keys);
  open.push(server);
  const logger = recordingLogger();
  const t = testChain(
    [authentication({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUri: server.jwksUri, jwksCooldownMs: 30_000, jwksCacheMs: 600_000, jwksMaxStaleMs: 3_600_000, ...jwt } })],
    { logger },
  );
  open.push(t);
  return { server, t, logger, filter: t.chain.get('authentication') as AuthenticationFilter };
}

async function status(t: ReturnType<typeof testChain>, token: string): Promise<string> {
  const { response } = await t.call('search', bearer(token));
  return response?.error === undefined ? 'ok' : (response.error.data?.wwwAuthenticate as string);
}

describe('authentication: remote JWKS', () => {
  it('fetches once for concurrent first requests and keeps the set while fresh', async () => {
    const { server, t } = await setup([rs1.jwk]);
    const results = await Promise.all([1, 2, 3, 4, 5].map(async (n) => status(t, await signToken(rs1, { sub: `u${n}` }))));
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    t.clock.advance(599_999);
    expect(await status(t, await signToken(rs1, { sub: 'later', iat: T0_SEC + 599, exp: T0_SEC + 900 }))).toBe('ok');
    expect(server.hits).toBe(1);
  });

  it('refuses an unknown kid, and picks up a rotated key on a kid miss once the cool-down has passed', async () => {
    const { server, t } = await setup([rs1.jwk]);
    const fresh = (key: TestKey) => signToken(key, { iat: T0_SEC, exp: T0_SEC + 3600 });
    expect(await status(t, await fresh(rs1))).toBe('ok');
    expect(await status(t, await fresh(rs2))).toBe(UNKNOWN_KEY);
    expect(server.hits).toBe(1); // the set was just fetched: no refetch within the cool-down
    server.keys = [rs1.jwk, rs2.jwk];
    t.clock.advance(29_999);
    expect(await status(t, await fresh(rs2))).toBe(UNKNOWN_KEY);
    expect(server.hits).toBe(1);
    t.clock.advance(1);
    expect(await status(t, await fresh(rs2))).toBe('ok');
    expect(server.hits).toBe(2);
    // A second unknown kid right after the refresh: refused without another fetch.
    expect(await status(t, await fresh(rs3))).toBe(UNKNOWN_KEY);
    expect(server.hits).toBe(2);
  });

  it('forgets cached verifications when a refresh drops their key', async () => {
    const { server, t, filter } = await setup([rs1.jwk, rs2.jwk]);
    const old = await signToken(rs1, { exp: T0_SEC + 3600 });
    expect(await status(t, old)).toBe('ok');
    expect(await status(t, old)).toBe('ok');
    expect(filter.getStats()).toMatchObject({ cacheHits: 1, cachedTokens: 1 });
    server.keys = [rs2.jwk, rs3.jwk]; // rs1 revoked
    t.clock.advance(30_000);
    expect(await status(t, await signToken(rs3, { exp: T0_SEC + 3600 }))).toBe('ok'); // kid miss -> refresh
    expect(server.hits).toBe(2);
    expect(await status(t, old)).toBe(UNKNOWN_KEY);
  });

  it('fails closed when the JWKS endpoint is down from the start, retrying after the cool-down', async () => {
    const { server, t, logger } = await setup([rs1.jwk]);
    server.failWith = 503;
    const token = await signToken(rs1, { exp: T0_SEC + 3600 });
    expect(await status(t, token)).toBe(UNAVAILABLE);
    expect(await status(t, token)).toBe(UNAVAILABLE);
    expect(server.hits).toBe(1);
    expect(logger.lines).toContainEqual({ level: 'warn', a: { jwksUri: server.jwksUri, err: 'status 503' }, b: 'gopher-mcp: JWKS fetch failed' });
    server.failWith = undefined;
    t.clock.advance(30_000);
    expect(await status(t, token)).toBe('ok');
    expect(server.hits).toBe(2);
  });

  it('fails closed when nothing listens at the JWKS address', async () => {
    const gone = await startHttpServer((_req, res) => res.end());
    const jwksUri = `${gone.url}/jwks.json`;
    await gone.close();
    const t = testChain([authentication({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUri } })]);
    open.push(t);
    expect(await status(t, await signToken(rs1))).toBe(UNAVAILABLE);
  });

  it('serves a stale set while the endpoint is down (stale-while-revalidate), up to jwksMaxStaleMs', async () => {
    const { server, t } = await setup([rs1.jwk]);
    const token = (at: number) => signToken(rs1, { sub: `at-${at}`, iat: T0_SEC + at, exp: T0_SEC + at + 600 });
    expect(await status(t, await token(0))).toBe('ok');
    server.failWith = 500;
    t.clock.advance(600_000); // stale now
    expect(await status(t, await token(600))).toBe('ok'); // answered from the stale set...
    await vi.waitFor(() => expect(server.hits).toBe(2)); // ...while a background refresh tried (and failed)
    t.clock.advance(10_000);
    expect(await status(t, await token(610))).toBe('ok');
    expect(server.hits).toBe(2); // within the cool-down: no new attempt
    t.clock.set(t.clock.now() + 3_600_000); // past cacheMs + maxStaleMs
    expect(await status(t, await token(4210))).toBe(UNAVAILABLE);
    expect(server.hits).toBe(3);
    server.failWith = undefined;
    t.clock.advance(30_000);
    expect(await status(t, await token(4240))).toBe('ok');
    expect(server.hits).toBe(4);
  });

  it('refreshes a stale set in the background and uses the new keys', async () => {
    const { server, t } = await setup([rs1.jwk]);
    expect(await status(t, await signToken(rs1, { exp: T0_SEC + 7200 }))).toBe('ok');
    server.keys = [rs1.jwk, rs2.jwk];
    t.clock.advance(600_000);
    expect(await status(t, await signToken(rs1, { sub: 'b', exp: T0_SEC + 7200 }))).toBe('ok');
    await vi.waitFor(() => expect(server.hits).toBe(2));
    await vi.waitFor(async () => expect(await status(t, await signToken(rs2, { exp: T0_SEC + 7200 }))).toBe('ok'));
    expect(server.hits).toBe(2);
  });

  it('times a JWKS fetch out on the injected clock', async () => {
    let hold: (() => void) | undefined;
    const slow = await startHttpServer((_req, res) => {
      hold = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [rs1.jwk] }));
    });
    open.push(slow);
    const t = testChain([authentication({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUri: `${slow.url}/jwks.json`, jwksTimeoutMs: 5_000 } })]);
    open.push(t);
    const pending = status(t, await signToken(rs1));
    await vi.waitFor(() => expect(slow.requests).toHaveLength(1));
    t.clock.advance(5_000);
    expect(await pending).toBe(UNAVAILABLE);
    hold?.();
  });

  it('refuses a JWKS response over 1 MiB and JWKS members that are not public keys', async () => {
    const big = Array.from({ length: 12_000 }, (_, i) => ({ ...rs1.jwk, kid: `k${i}` }));
    const { t } = await setup(big);
    expect(await status(t, await signToken(rs1))).toBe(UNAVAILABLE);
    const { t: t2 } = await setup([{ ...rs1.jwk, d: 'x' }, { kty: 'oct', k: 'c2VjcmV0', kid: 'rs1' }]);
    expect(await status(t2, await signToken(rs1))).toBe(UNKNOWN_KEY);
  });
});
