import { createExchangeContext, createJsEngine, FilterChain, forwardableHeaders, isHeaderConsumed, ObjectMessageView, type TlsPeerIdentity } from '@gopher-mcp/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { authentication, AUTHENTICATION_CHALLENGE, authorization, type AuthenticationFilter, type AuthenticationOptions } from '../src/index.js';
import { bearer, recordingLogger, testChain } from './helpers/chain.js';
import { AUDIENCE, ISSUER, makeKey, signToken, T0_SEC, type TestKey } from './helpers/keys.js';

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('ES256', 'k1');
});

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function chainWith(options: Partial<AuthenticationOptions>) {
  const logger = recordingLogger();
  const t = testChain([authentication({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.jwk as never] } }, ...options } as AuthenticationOptions)], { logger });
  open.push(t);
  return { ...t, logger };
}

describe('authentication: no token passthrough', () => {
  it('marks the Authorization header consumed so transports do not forward it', async () => {
    const t = chainWith({});
    const token = await signToken(key);
    await t.call('search', { ...bearer(token), 'mcp-session-id': 's1' });
    const context = t.forwarded[0]!.context;
    expect(isHeaderConsumed(context, 'Authorization')).toBe(true);
    expect(forwardableHeaders(context.peer.headers, context)).toEqual({ 'mcp-session-id': 's1' });
    // Even a refused or non-bearer Authorization header is consumed.
    const basic = chainWith({ exemptMethods: ['ping'] });
    await basic.run({ id: 1, method: 'ping' }, { peer: { headers: { authorization: 'Basic eDp5' } } });
    expect(isHeaderConsumed(basic.forwarded[0]!.context, 'authorization')).toBe(true);
  });

  it('takes the token from a _meta field for transports without headers, and forwards the message without it', async () => {
    const t = chainWith({ metaTokenField: 'io.gopher/authorization' });
    const token = await signToken(key);
    const { response } = await t.run({
      id: 7,
      method: 'tools/call',
      params: { name: 'search', arguments: { q: 'x' }, _meta: { 'io.gopher/authorization': `Bearer ${token}`, progressToken: 3 } },
    });
    expect(response?.result).toEqual({ ok: true });
    expect(t.forwarded[0]?.message).toEqual({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'search', arguments: { q: 'x' }, _meta: { progressToken: 3 } } });
    expect(t.forwarded[0]?.context.principal?.subject).toBe('user-1');
    // A raw token (no scheme) works too, and an emptied _meta disappears.
    await t.run({ id: 8, method: 'tools/list', params: { _meta: { 'io.gopher/authorization': token } } });
    expect(t.forwarded[1]?.message).toEqual({ jsonrpc: '2.0', id: 8, method: 'tools/list', params: {} });
    // A token both in the header and in _meta is refused.
    const both = await t.run({ id: 9, method: 'tools/list', params: { _meta: { 'io.gopher/authorization': token } } }, { peer: { headers: bearer(token) } });
    expect(both.response?.error?.message).toBe('unauthorized: more than one credential was presented');
  });

  it('never puts the token in errors, logs or events', async () => {
    const t = chainWith({});
    const expired = await signToken(key, { exp: T0_SEC - 3600, iat: T0_SEC - 7200 });
    const forged = `${expired.slice(0, -4)}AAAA`;
    for (const token of [expired, forged, 'opaque-secret-token-value']) {
      const { response } = await t.call('search', bearer(token));
      expect(response?.error?.code).toBe(401);
      const everything = JSON.stringify([response, t.logger.lines, t.events]);
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(token.split('.')[1] ?? token);
    }
    expect(t.events.filter((e) => e.type === 'authentication_failed').map((e) => e.payload.reason)).toEqual(['expired', 'invalid_signature', 'malformed_token']);
  });

  it('lets exempt methods through without credentials (still stripping them), and ignores outbound traffic and responses', async () => {
    const t = chainWith({ exemptMethods: ['ping', 'notifications/*'], metaTokenField: 'token' });
    expect((await t.run({ id: 1, method: 'ping', params: { _meta: { token: 'abc' } } })).response?.result).toEqual({ ok: true });
    expect(t.forwarded[0]?.message).toEqual({ jsonrpc: '2.0', id: 1, method: 'ping', params: {} });
    expect(t.forwarded[0]?.context.principal).toBeUndefined();
    await t.run({ method: 'notifications/initialized' });
    expect(t.forwarded).toHaveLength(2);
    expect((await t.run({ id: 2, method: 'sampling/createMessage' }, { direction: 'outbound' })).response?.result).toEqual({ ok: true });
    // A denied notification is dropped (and counted by the chain).
    await t.run({ method: 'custom/notify' });
    expect(t.forwarded).toHaveLength(3);
    expect(t.chain.getStats().droppedNotifications).toBe(1);
    expect(t.forwarded[2]?.context.attributes.get(AUTHENTICATION_CHALLENGE)).toBeUndefined();
    expect(t.forwarded[0]?.context.attributes.get(AUTHENTICATION_CHALLENGE)).toEqual({ scheme: 'Bearer' });
  });
});

describe('authentication: TLS client certificates', () => {
  const identity = (authorized: boolean): TlsPeerIdentity => ({
    subject: 'CN=ops-bot, O=Example',
    subjectAltNames: ['DNS:ops-bot.example.test', 'URI:spiffe://example.test/ops/bot'],
    fingerprint256: 'AA:BB:CC',
    issuer: 'CN=Test CA',
    authorized,
  });

  it('accepts a verified certificate as an mtls principal with the roles of the matching grants', async () => {
    const t = chainWith({
      acceptClientCertificates: true,
      clientCertificateGrants: [
        { subject: 'CN=ops-*', roles: ['operator'] },
        { subjectAltName: 'URI:spiffe://example.test/ops/**', scopes: ['mcp:ops'] },
        { fingerprint256: 'aa:bb:cc', roles: ['pinned'] },
        { subject: 'CN=other', roles: ['nope'] },
      ],
    });
    const { response } = await t.call('search', {}, { peer: { tls: { protocol: 'TLSv1.3', peerCertificate: identity(true) } } });
    expect(response?.result).toEqual({ ok: true });
    expect(t.forwarded[0]?.context.principal).toEqual({
      subject: 'CN=ops-bot, O=Example',
      roles: ['operator', 'pinned'],
      scopes: ['mcp:ops'],
      claims: { subject: 'CN=ops-bot, O=Example', subjectAltNames: identity(true).subjectAltNames, fingerprint256: 'AA:BB:CC', issuer: 'CN=Test CA' },
      method: 'mtls',
    });
    const unverified = await t.call('search', {}, { peer: { tls: { peerCertificate: identity(false) } } });
    expect(unverified.response?.error?.message).toBe('unauthorized: the client certificate is not valid');
    // A bearer token takes precedence over the certificate.
    await t.call('search', bearer(await signToken(key)), { peer: { tls: { peerCertificate: identity(true) } } });
    expect(t.forwarded[1]?.context.principal?.method).toBe('jwt');
  });

  it('ignores certificates unless accepted', async () => {
    const t = chainWith({});
    const { response } = await t.call('search', {}, { peer: { tls: { peerCertificate: identity(true) } } });
    expect(response?.error?.message).toBe('unauthorized: no credentials');
  });
});

describe('fail-closed', () => {
  it('rejects (never skips) when a security filter breaks, whatever the chain fallback', async () => {
    const chain = new FilterChain({ engine: createJsEngine(), fallback: 'PASSTHROUGH' });
    chain.add(authentication({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.jwk as never] } } }));
    chain.add(authorization({ rules: [{ name: 'all', effect: 'allow' }] }));
    open.push(chain);
    const filter = chain.get('authentication') as AuthenticationFilter;
    filter.authenticator.authenticateNow = () => {
      throw new TypeError('broken');
    };
    let reached = false;
    const response = await chain.run(
      new ObjectMessageView({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }),
      createExchangeContext({ peer: { headers: bearer(await signToken(key)) } }),
      async () => {
        reached = true;
        return new ObjectMessageView({ jsonrpc: '2.0', id: 1, result: {} });
      },
    );
    expect(reached).toBe(false);
    expect(response?.message).toEqual({ jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'filter "authentication" failed', data: { filter: 'authentication' } } });
  });
});
