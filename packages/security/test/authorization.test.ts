import { ConfigError, FilterManager, FilterRegistry, ManualClock, type Principal } from '@gopher-mcp/core';
import { afterEach, describe, expect, it } from 'vitest';

import { authentication, authorization, family, Policy, validatePolicy, type AuthorizationFilter, type AuthorizationOptions } from '../src/index.js';
import { bearer, testChain } from './helpers/chain.js';
import { AUDIENCE, ISSUER, makeKey, signToken, T0 } from './helpers/keys.js';

const policy: AuthorizationOptions = {
  roles: ['admin', 'user', 'auditor'],
  rules: [
    { name: 'protocol', effect: 'allow', methods: ['initialize', 'ping', 'notifications/*', 'tools/list', 'prompts/list', 'resources/list', 'resources/templates/list'] },
    { name: 'admins', effect: 'allow', roles: ['admin'] },
    { name: 'no-destructive', effect: 'deny', tools: ['delete_*', 'drop_*'] },
    { name: 'writers', effect: 'allow', roles: ['user'], scopes: ['tools:write'], tools: ['write_*'] },
    { name: 'readers', effect: 'allow', roles: ['user', 'auditor'], tools: ['search', 'read_*'], resources: ['file:///docs/**'], prompts: ['summarize'] },
    { name: 'tenant-acme', effect: 'allow', claims: { tenant: 'acme' }, methods: ['resources/read'], resources: ['acme://**'] },
  ],
};

const principal = (roles: string[], scopes: string[] = [], claims: Record<string, unknown> = {}): Principal => ({
  subject: `s-${roles.join('-')}`,
  roles,
  scopes,
  claims,
  method: 'jwt',
});

const LISTS: Record<string, Record<string, unknown>> = {
  'tools/list': { tools: ['search', 'read_file', 'write_file', 'delete_db', 'exec'].map((name) => ({ name, inputSchema: { type: 'object' } })), nextCursor: 'c2' },
  'prompts/list': { prompts: [{ name: 'summarize' }, { name: 'translate' }] },
  'resources/list': { resources: [{ uri: 'file:///docs/a.md', name: 'a' }, { uri: 'file:///etc/passwd', name: 'p' }, { name: 'no-uri' }] },
  'resources/templates/list': { resourceTemplates: [{ uriTemplate: 'file:///docs/{name}', name: 'docs' }, { uriTemplate: 'db://{table}', name: 'db' }] },
};

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

function chainWith(options: AuthorizationOptions = policy) {
  const t = testChain([authorization(options)], { upstreamResult: (m) => LISTS[m.method as string] ?? { ok: true } });
  open.push(t);
  return { ...t, filter: t.chain.get('authorization') as AuthorizationFilter };
}

describe('authorization: RBAC', () => {
  it('lets the first matching rule decide, and denies by default naming the rule', async () => {
    const t = chainWith();
    const as = (p: Principal | undefined) => (p === undefined ? {} : { principal: p });
    const outcome = async (tool: string, p: Principal | undefined) => {
      const { response } = await t.call(tool, {}, as(p));
      return response?.error === undefined ? 'allow' : `${response.error.code} ${String(response.error.data?.rule)}`;
    };
    expect(await outcome('delete_db', principal(['admin']))).toBe('allow'); // admins before no-destructive
    expect(await outcome('delete_db', principal(['user']))).toBe('403 no-destructive');
    expect(await outcome('drop_table', principal(['user'], ['tools:write']))).toBe('403 no-destructive');
    expect(await outcome('search', principal(['user']))).toBe('allow');
    expect(await outcome('read_file', principal(['auditor']))).toBe('allow');
    expect(await outcome('exec', principal(['user']))).toBe('403 default');
    expect(await outcome('search', principal(['guest']))).toBe('403 default');
    expect(await outcome('search', undefined)).toBe('403 default');
    expect(await outcome('write_file', principal(['user'], ['tools:write']))).toBe('allow');
    const { response } = await t.call('delete_db', {}, { principal: principal(['user']) });
    expect(response?.error).toEqual({ code: 403, message: 'forbidden by rule "no-destructive"', data: { rule: 'no-destructive' } });
    const denied = await t.call('exec', {}, { principal: principal(['user']) });
    expect(denied.response?.error).toEqual({ code: 403, message: 'forbidden: no rule allows this (default deny)', data: { rule: 'default' } });
    expect(t.filter.getStats()).toMatchObject({ allowed: 4, denied: 7 });
    expect(t.events.filter((e) => e.type === 'authorization_denied').map((e) => e.payload.rule)).toContain('no-destructive');
  });

  it('answers a scope failure with 403 and an insufficient_scope challenge naming the scopes the operation needs', async () => {
    const t = chainWith({ ...policy, resourceMetadataUrl: 'https://mcp.example.test/.well-known/oauth-protected-resource/mcp' });
    const { response } = await t.call('write_file', {}, { principal: principal(['user'], ['mcp:read']) });
    expect(response?.error).toEqual({
      code: 403,
      message: 'forbidden: no rule allows this (default deny)',
      data: {
        rule: 'default',
        wwwAuthenticate:
          'Bearer error="insufficient_scope", error_description="the token lacks a scope this operation needs", scope="tools:write", resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp"',
      },
    });
    // A role mismatch is not a scope failure: no challenge.
    expect((await t.call('write_file', {}, { principal: principal(['auditor'], []) })).response?.error?.data).toEqual({ rule: 'default' });
  });

  it('matches resources, prompts, methods and claims with globs', async () => {
    const t = chainWith();
    const user = { principal: principal(['user']) };
    const req = async (method: string, params: Record<string, unknown>, init: object) => (await t.run({ id: 1, method, params }, init)).response?.error?.data?.rule ?? 'allow';
    expect(await req('resources/read', { uri: 'file:///docs/guides/a.md' }, user)).toBe('allow');
    expect(await req('resources/read', { uri: 'file:///etc/passwd' }, user)).toBe('default');
    expect(await req('resources/subscribe', { uri: 'file:///docs/x' }, user)).toBe('allow');
    expect(await req('prompts/get', { name: 'summarize' }, user)).toBe('allow');
    expect(await req('prompts/get', { name: 'translate' }, user)).toBe('default');
    expect(await req('tools/list', {}, {})).toBe('allow');
    expect(await req('initialize', {}, {})).toBe('allow');
    const acme = { principal: principal([], [], { tenant: 'acme' }) };
    expect(await req('resources/read', { uri: 'acme://reports/q1' }, acme)).toBe('allow');
    expect(await req('resources/read', { uri: 'acme://reports/q1' }, { principal: principal([], [], { tenant: 'other' }) })).toBe('default');
    expect(await req('resources/subscribe', { uri: 'acme://reports/q1' }, acme)).toBe('default');
  });

  it('drops denied notifications and leaves responses and outbound traffic alone', async () => {
    const t = chainWith();
    await t.run({ method: 'notifications/initialized' });
    await t.run({ method: 'custom/notify' });
    expect(t.forwarded.map((f) => f.message)).toEqual([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
    expect(t.chain.getStats().droppedNotifications).toBe(1);
    expect((await t.run({ id: 5, method: 'sampling/createMessage' }, { direction: 'outbound' })).response?.result).toEqual({ ok: true });
  });
});

describe('authorization: list filtering', () => {
  const list = async (t: ReturnType<typeof chainWith>, method: string, p?: Principal) =>
    (await t.run({ id: 1, method }, p === undefined ? {} : { principal: p })).response?.result;

  it('shows each principal only the tools, prompts, resources and templates it may use', async () => {
    const t = chainWith();
    const names = (result: Record<string, unknown> | undefined, field: string, key = 'name') =>
      (result?.[field] as Array<Record<string, unknown>>).map((item) => item[key]);
    expect(names(await list(t, 'tools/list', principal(['user'])), 'tools')).toEqual(['search', 'read_file']);
    expect(names(await list(t, 'tools/list', principal(['user'], ['tools:write'])), 'tools')).toEqual(['search', 'read_file', 'write_file']);
    expect(names(await list(t, 'tools/list', principal(['admin'])), 'tools')).toEqual(['search', 'read_file', 'write_file', 'delete_db', 'exec']);
    expect(names(await list(t, 'tools/list'), 'tools')).toEqual([]);
    expect(await list(t, 'tools/list', principal(['user']))).toMatchObject({ nextCursor: 'c2' });
    expect(names(await list(t, 'prompts/list', principal(['user'])), 'prompts')).toEqual(['summarize']);
    expect(names(await list(t, 'resources/list', principal(['user'])), 'resources', 'uri')).toEqual(['file:///docs/a.md']);
    expect(names(await list(t, 'resources/templates/list', principal(['user'])), 'resourceTemplates', 'uriTemplate')).toEqual(['file:///docs/{name}']);
    expect(t.filter.getStats().hiddenItems).toBe(3 + 2 + 0 + 5 + 3 + 1 + 2 + 1);
  });

  it('returns the upstream response untouched when nothing is hidden or when filterLists is off', async () => {
    const t = chainWith({ ...policy, filterLists: false });
    expect(await list(t, 'tools/list', principal(['user']))).toEqual(LISTS['tools/list']);
  });
});

describe('authorization: policy validation at load', () => {
  const issuesOf = (options: AuthorizationOptions) => {
    try {
      authorization(options);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).issues;
    }
    return [];
  };

  it('reports unknown roles, unreachable rules, duplicate and reserved names, empty lists, with paths', () => {
    expect(
      issuesOf({
        roles: ['admin', 'user'],
        rules: [
          { name: 'a', effect: 'allow', roles: ['admin', 'superuser'] },
          { name: 'b', effect: 'deny', roles: ['admin'], tools: ['x'] },
          { name: 'everything', effect: 'deny' },
          { name: 'a', effect: 'allow', methods: ['ping'] },
          { name: 'default', effect: 'allow', tools: [] },
        ],
      }),
    ).toEqual([
      { path: 'rules.0.roles.1', message: 'unknown role "superuser" (known: admin, user)' },
      { path: 'rules.1', message: 'unreachable: rule "a" (rules.0) matches everything rule "b" matches' },
      { path: 'rules.3.name', message: 'duplicate rule name "a" (also rules.0)' },
      { path: 'rules.3', message: 'unreachable: rule "everything" (rules.2) matches everything rule "a" matches' },
      { path: 'rules.4.name', message: '"default" is reserved for the implicit deny-all rule' },
      { path: 'rules.4.tools', message: 'an empty list matches nothing: omit it or list values' },
      { path: 'rules.4', message: 'unreachable: rule "everything" (rules.2) matches everything rule "default" matches' },
    ]);
  });

  it('does not call reachable rules unreachable', () => {
    const reachable = (rules: AuthorizationOptions['rules']) => validatePolicy({ rules: rules as never });
    expect(reachable([{ name: 'a', effect: 'allow', tools: ['a*'] }, { name: 'b', effect: 'deny', tools: ['b'] }])).toEqual([]);
    expect(reachable([{ name: 'a', effect: 'allow', roles: ['admin'] }, { name: 'b', effect: 'deny', roles: ['admin', 'user'] }])).toEqual([]);
    expect(reachable([{ name: 'a', effect: 'allow', scopes: ['x', 'y'] }, { name: 'b', effect: 'deny', scopes: ['x'] }])).toEqual([]);
    expect(reachable([{ name: 'a', effect: 'allow', tools: ['x'] }, { name: 'b', effect: 'deny', tools: ['x'], prompts: ['p'] }])).toEqual([]);
    expect(reachable([{ name: 'a', effect: 'allow', roles: ['*'] }, { name: 'b', effect: 'deny', methods: ['ping'] }])).toEqual([]);
    expect(reachable([{ name: 'a', effect: 'allow', claims: { t: 1 } }, { name: 'b', effect: 'deny', claims: { t: 2 } }])).toEqual([]);
    // ... and finds the ones that are.
    expect(reachable([{ name: 'a', effect: 'allow', resources: ['file:///**'] }, { name: 'b', effect: 'deny', resources: ['file:///etc/*'] }])).toHaveLength(1);
    expect(reachable([{ name: 'a', effect: 'allow', roles: ['*'] }, { name: 'b', effect: 'deny', scopes: ['s'] }])).toHaveLength(1);
    expect(reachable([{ name: 'a', effect: 'allow', scopes: ['x'] }, { name: 'b', effect: 'deny', scopes: ['x', 'y'], tools: ['t'] }])).toHaveLength(1);
    expect(reachable([{ name: 'a', effect: 'allow', methods: ['tools/*'] }, { name: 'b', effect: 'deny', methods: ['tools/call'] }])).toHaveLength(1);
  });

  it('fails FilterManager.fromConfig at construction with the config path', async () => {
    const registry = new FilterRegistry().register(family);
    const attempt = FilterManager.fromConfig(
      { engine: 'js', security: { authorization: { enabled: true, roles: ['user'], rules: [{ name: 'r', effect: 'allow', roles: ['root'] }] } } },
      { registry },
    );
    await expect(attempt).rejects.toThrow('invalid security.authorization options: rules.0.roles.0: unknown role "root" (known: user)');
  });

  it('exposes the decision procedure as Policy', () => {
    const p = new Policy([
      { name: 'w', effect: 'allow', roles: ['user'], scopes: ['w'], tools: ['write'] },
      { name: 'no', effect: 'deny', tools: ['write'] },
    ]);
    expect(p.decide(principal(['user'], ['w']), { method: 'tools/call', toolName: 'write' })).toEqual({ effect: 'allow', rule: 'w' });
    expect(p.decide(principal(['user']), { method: 'tools/call', toolName: 'write' })).toEqual({ effect: 'deny', rule: 'no', requiredScopes: ['w'] });
    expect(p.decide(principal(['user']), { method: 'tools/call', toolName: 'read' })).toEqual({ effect: 'deny', rule: 'default' });
  });
});

describe('authentication then authorization', () => {
  it('authorizes the principal the token carries, with the challenge of the authentication filter', async () => {
    const key = await makeKey('ES256', 'k');
    const t = testChain(
      [
        authentication({
          jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.jwk as never] } },
          resourceMetadata: { resource: AUDIENCE },
          realm: 'mcp',
        }),
        authorization(policy),
      ],
      { clock: new ManualClock(T0) },
    );
    open.push(t);
    const user = await signToken(key, { roles: ['user'], scope: 'mcp:read' });
    expect((await t.call('search', bearer(user))).response?.result).toEqual({ ok: true });
    expect((await t.call('delete_db', bearer(user))).response?.error?.data).toEqual({ rule: 'no-destructive' });
    expect((await t.call('write_file', bearer(user))).response?.error?.data).toEqual({
      rule: 'default',
      wwwAuthenticate:
        'Bearer realm="mcp", error="insufficient_scope", error_description="the token lacks a scope this operation needs", scope="tools:write", resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource/mcp"',
    });
    expect((await t.call('search')).response?.error?.code).toBe(401);
  });
});
