import { FilterManager, FilterRegistry, ManualClock, parseFilterManagerConfig, type JsonRpcMessage } from '@gopher-mcp/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { AuthenticationFilter, AuthorizationFilter, family, TlsTerminationFilter } from '../src/index.js';
import { AUDIENCE, ISSUER, makeKey, signToken, T0, type TestKey } from './helpers/keys.js';

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('EdDSA', 'ed');
});

const managers: FilterManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

const config = () => ({
  engine: 'js' as const,
  security: {
    tlsTermination: { enabled: true, certFile: '/etc/tls/server.crt', keyFile: '/etc/tls/server.key' },
    authentication: { enabled: true, jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.jwk as Record<string, unknown>] } } },
    authorization: {
      enabled: true,
      rules: [
        { name: 'users', effect: 'allow' as const, roles: ['user'], tools: ['search'] },
        { name: 'lists', effect: 'allow' as const, methods: ['tools/list'] },
      ],
    },
  },
});

describe('the security family from config', () => {
  it('builds the three fail-closed filters in chain order and runs them', async () => {
    const manager = await FilterManager.fromConfig(config(), { registry: new FilterRegistry().register(family), clock: new ManualClock(T0) });
    managers.push(manager);
    expect(manager.chain.names()).toEqual(['tls_termination', 'authentication', 'authorization']);
    expect(manager.chain.get('tls_termination')).toBeInstanceOf(TlsTerminationFilter);
    expect(manager.chain.get('authentication')).toBeInstanceOf(AuthenticationFilter);
    expect(manager.chain.get('authorization')).toBeInstanceOf(AuthorizationFilter);
    expect(family.factories.map((f) => f.type)).toEqual(['tls_termination', 'authentication', 'authorization']);
    for (const name of manager.chain.names()) expect((manager.chain.get(name) as { failClosed?: boolean }).failClosed).toBe(true);
    const token = await signToken(key);
    const tls = { protocol: 'TLSv1.3' };
    const call = (tool: string, peer: object): Promise<JsonRpcMessage | undefined> =>
      manager.handle({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: tool } }, () => ({ jsonrpc: '2.0', id: 1, result: { done: tool } }), { peer });
    expect(await call('search', { tls, headers: { authorization: `Bearer ${token}` } })).toEqual({ jsonrpc: '2.0', id: 1, result: { done: 'search' } });
    expect(await call('exec', { tls, headers: { authorization: `Bearer ${token}` } })).toMatchObject({ error: { code: 403, data: { rule: 'default' } } });
    expect(await call('search', { tls })).toMatchObject({ error: { code: 401 } });
    expect(await call('search', { headers: { authorization: `Bearer ${token}` } })).toMatchObject({ error: { code: 403, data: { rule: 'tls_required' } } });
  });

  it('rejects bad security sections with the path, before any message', async () => {
    expect(() => parseFilterManagerConfig({ security: { authentication: { enabled: true } } })).toThrow(
      'security.authentication: enable at least one method: jwt, apiKeys, introspection or acceptClientCertificates',
    );
    expect(() =>
      parseFilterManagerConfig({ security: { authentication: { enabled: true, apiKeys: { keys: [{ sha256: 'abc', subject: 's' }] } } } }),
    ).toThrow('security.authentication.apiKeys.keys.0.sha256: must be 64 hex digits');
    expect(() =>
      parseFilterManagerConfig({ security: { authentication: { enabled: true, introspection: { endpoint: 'http://as.example.test/i', clientId: 'a', clientSecret: 'b' } } } }),
    ).toThrow('security.authentication.introspection.endpoint: must be an https URL');
    expect(() => parseFilterManagerConfig({ security: { authentication: { enabled: true, jwt: { issuer: 'i', audience: 'a', algorithms: ['none'], publicKeyPem: 'x' } } } })).toThrow(
      /security\.authentication\.jwt\.algorithms\.0/,
    );
    // The section is opt-in: a disabled one needs nothing.
    expect(parseFilterManagerConfig({ security: { authentication: {} } }).security?.authentication?.enabled).toBe(false);
    const unreachable = config();
    unreachable.security.authorization.rules.push({ name: 'again', effect: 'allow', roles: ['user'], tools: ['search'] });
    await expect(FilterManager.fromConfig(unreachable, { registry: new FilterRegistry().register(family) })).rejects.toThrow(
      'invalid security.authorization options: rules.2: unreachable: rule "users" (rules.0) matches everything rule "again" matches',
    );
  });
});
