/**
 * Per-request cost of the security filters: bearer JWT verification uncached (signature checked
 * every time) vs answered from the verified-token cache, API keys, and authorization (RBAC
 * decision, list filtering). Each case runs one exchange through a FilterChain holding only the
 * filter under test; the empty chain is the baseline.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

import {
  createExchangeContext,
  createJsEngine,
  FilterChain,
  ObjectMessageView,
  type FilterLike,
  type MessageView,
  type Principal,
} from '@gopher-mcp/core';
import { authentication, authorization, hashApiKey, Policy } from '@gopher-mcp/security';
import { machineLine, markdownTable, measure, measureAsync, type AsyncCase } from './harness.js';

const ISSUER = 'https://auth.example.test';
const AUDIENCE = 'https://mcp.example.test/mcp';


const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a JWT with node:crypto (RS256, ES256 or EdDSA). */
function signJwt(alg: 'RS256' | 'ES256' | 'EdDSA', key: KeyObject, kid: string): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64url({ alg, kid, typ: 'JWT' })}.${b64url({ iss: ISSUER, aud: AUDIENCE, sub: 'bench', iat: now, exp: now + 3600, scope: 'mcp:read tools:call', roles: ['user'] })}`;
  const signature =
    alg === 'EdDSA' ? sign(null, Buffer.from(input), key) : sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${signature.toString('base64url')}`;
}

function keyPair(alg: 'RS256' | 'ES256' | 'EdDSA', kid: string) {
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return { jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }, token: signJwt(alg, pair.privateKey, kid) };
}

/** A chain of one filter; `exchange()` runs one tools/call through it (upstream answers at once). */
function oneFilterChain(filter: FilterLike | undefined, headers: Record<string, string>, principal?: Principal, upstream?: Record<string, unknown>) {
  const chain = new FilterChain({ engine: createJsEngine() });
  if (filter !== undefined) chain.add(filter);
  const message = new ObjectMessageView({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'search', arguments: {} } });
  const result = upstream ?? { ok: true };
  const terminal = async (m: MessageView) => new ObjectMessageView({ jsonrpc: '2.0', id: m.id as number, result });
  return {
    chain,
    exchange: (view: MessageView = message) =>
      chain.run(view, createExchangeContext({ transport: 'http', peer: { headers }, ...(principal === undefined ? {} : { principal }) }), terminal),
  };
}

export async function run(): Promise<string> {
  const rs = keyPair('RS256', 'rs');
  const es = keyPair('ES256', 'es');
  const ed = keyPair('EdDSA', 'ed');
  const jwks = { keys: [rs.jwk, es.jwk, ed.jwk] as Array<Record<string, unknown>> };
  const auth = (cacheSize: number) => authentication({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwks }, cacheSize });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const apiKey = 'ak_live_0123456789abcdef0123456789abcdef';
  const apiKeys = Array.from({ length: 20 }, (_, i) => ({ sha256: hashApiKey(`${apiKey}-${i}`), subject: `svc-${i}` }));
  apiKeys.push({ sha256: hashApiKey(apiKey), subject: 'bench' });

  const rules = [
    { name: 'protocol', effect: 'allow' as const, methods: ['initialize', 'ping', 'notifications/*', 'tools/list'] },
    { name: 'admins', effect: 'allow' as const, roles: ['admin'] },
    { name: 'no-destructive', effect: 'deny' as const, tools: ['delete_*', 'drop_*'] },
    { name: 'prompts', effect: 'allow' as const, roles: ['user'], prompts: ['summarize', 'translate'] },
    { name: 'docs', effect: 'allow' as const, roles: ['user'], resources: ['file:///docs/**'] },
    { name: 'writers', effect: 'allow' as const, roles: ['user'], scopes: ['tools:write'], tools: ['write_*'] },
    { name: 'tenant', effect: 'allow' as const, claims: { tenant: 'acme' }, resources: ['acme://**'] },
    { name: 'readers', effect: 'allow' as const, roles: ['user', 'auditor'], scopes: ['tools:call'], tools: ['search', 'read_*'] },
  ];
  const principal: Principal = { subject: 'bench', roles: ['user'], scopes: ['mcp:read', 'tools:call'], claims: { sub: 'bench' }, method: 'jwt' };
  const tools = { tools: Array.from({ length: 50 }, (_, i) => ({ name: i % 5 === 0 ? `delete_${i}` : i % 2 === 0 ? `read_${i}` : `other_${i}`, inputSchema: { type: 'object' } })) };

  const baseline = oneFilterChain(undefined, {});
  const rsUncached = oneFilterChain(auth(0), bearer(rs.token));
  const esUncached = oneFilterChain(auth(0), bearer(es.token));
  const edUncached = oneFilterChain(auth(0), bearer(ed.token));
  const esCached = oneFilterChain(auth(10_000), bearer(es.token));
  const rsCached = oneFilterChain(auth(10_000), bearer(rs.token));
  const keyed = oneFilterChain(authentication({ apiKeys: { keys: apiKeys } }), { 'x-api-key': apiKey });
  const authorized = oneFilterChain(authorization({ rules }), {}, principal);
  const listed = oneFilterChain(authorization({ rules }), {}, principal, tools);
  const listRequest = new ObjectMessageView({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  const policy = new Policy(rules);
  const request = { method: 'tools/call', toolName: 'search' };

  // Warm up and check that every case does what its name says.
  for (const [name, c] of Object.entries({ rsUncached, esUncached, edUncached, esCached, rsCached, keyed, authorized })) {
    const response = await c.exchange();
    if (response?.kind !== 'result') throw new Error(`bench case ${name} was refused: ${JSON.stringify(response?.message)}`);
  }
  const filteredList = await listed.exchange(listRequest);
  const kept = ((filteredList?.result as { tools: unknown[] }).tools ?? []).length;

  const asyncCases: AsyncCase[] = [
    { name: 'empty chain (baseline)', run: () => baseline.exchange() },
    { name: 'authentication JWT RS256, uncached', run: () => rsUncached.exchange() },
    { name: 'authentication JWT ES256, uncached', run: () => esUncached.exchange() },
    { name: 'authentication JWT EdDSA, uncached', run: () => edUncached.exchange() },
    { name: 'authentication JWT RS256, cached', run: () => rsCached.exchange() },
    { name: 'authentication JWT ES256, cached', run: () => esCached.exchange() },
    { name: 'authentication API key (21 keys)', run: () => keyed.exchange() },
    { name: 'authorization tools/call (8 rules)', run: () => authorized.exchange() },
    { name: `authorization tools/list, 50 tools filtered to ${kept}`, run: () => listed.exchange(listRequest) },
  ];
  const results = await measureAsync(asyncCases);
  const decide = measure([{ name: 'Policy.decide alone (rule 8 of 8 matches)', batch: 100, run: () => { for (let i = 0; i < 100; i++) policy.decide(principal, request); } }]);
  for (const c of [baseline, rsUncached, esUncached, edUncached, esCached, rsCached, keyed, authorized, listed]) await c.chain.close();

  const median = (name: string) => results.find((r) => r.name.startsWith(name))?.medianNs ?? Number.NaN;
  const ratio = (a: string, b: string) => (median(a) / median(b)).toFixed(0);
  return [
    '## Security filters',
    '',
    machineLine(),
    '',
    'Command: `cd bench && node --expose-gc --import tsx -e "import(\'./src/security.bench.ts\').then(async m => process.stdout.write(await m.run()))"`',
    '',
    'One `tools/call` exchange through a FilterChain holding only the filter under test (the upstream answers at once); per request, medians of 25 interleaved samples. `uncached` verifies the signature and claims on every request (cacheSize 0); `cached` is the verified-token cache (SHA-256 of the token, then a map lookup).',
    '',
    markdownTable([...results, ...decide], 'empty chain (baseline)'),
    '',
    `A cached token costs ${ratio('authentication JWT RS256, uncached', 'authentication JWT RS256, cached')}x less than verifying an RS256 signature and ${ratio('authentication JWT ES256, uncached', 'authentication JWT ES256, cached')}x less than an ES256 one; once verified, authentication and authorization add a few microseconds per request over the empty chain, so the cache is what keeps bearer auth off the critical path.`,
    '',
  ].join('\n');
}
