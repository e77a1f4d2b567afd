/**
 * The security filters over messages built from bytes by each engine's envelope scanner (the
 * tool name, resource URI, prompt name and `_meta` the policies key on come from the scanner).
 */
import { FilterManager, ManualClock, type JsonRpcMessage, type Principal } from '@gopher-mcp/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { engineTitle, testEngines } from '../../core/test/helpers/engines.js';
import { authentication, authorization } from '../src/index.js';
import { AUDIENCE, ISSUER, makeKey, signToken, T0, type TestKey } from './helpers/keys.js';

const encoder = new TextEncoder();
const bytes = (message: object): Uint8Array => encoder.encode(JSON.stringify({ jsonrpc: '2.0', ...message }));
const user: Principal = { subject: 'u', roles: ['user'], scopes: [], claims: {}, method: 'jwt' };

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('ES256', 'k');
});

const managers: FilterManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

describe.each(testEngines())('security filters on bytes, $kind engine', (engine) => {
  it(`authorizes by the fields the scanner read (${engineTitle(engine)})`, async () => {
    const manager = new FilterManager({
      engine,
      clock: new ManualClock(T0),
      filters: [
        authorization({
          rules: [
            { name: 'lists', effect: 'allow', methods: ['tools/list'] },
            { name: 'no-delete', effect: 'deny', tools: ['delete_*'] },
            { name: 'users', effect: 'allow', roles: ['user'], tools: ['search'], resources: ['file:///docs/**'], prompts: ['summarize'], methods: ['tools/*', 'resources/*', 'prompts/*'] },
          ],
        }),
      ],
    });
    managers.push(manager);
    const upstream = (m: { id: unknown; method: string | undefined }) =>
      ({
        jsonrpc: '2.0',
        id: m.id,
        result: m.method === 'tools/list' ? { tools: [{ name: 'search' }, { name: 'delete_x' }, { name: 'other' }] } : { ok: true },
      }) as JsonRpcMessage;
    const send = (message: object) => manager.handle(bytes(message), upstream, { principal: user });
    expect(await send({ id: 1, method: 'tools/call', params: { name: 'search' } })).toEqual({ jsonrpc: '2.0', id: 1, result: { ok: true } });
    expect(await send({ id: 2, method: 'tools/call', params: { name: 'delete_db' } })).toMatchObject({ id: 2, error: { code: 403, data: { rule: 'no-delete' } } });
    expect(await send({ id: 3, method: 'resources/read', params: { uri: 'file:///docs/a/b.md' } })).toMatchObject({ id: 3, result: { ok: true } });
    expect(await send({ id: 4, method: 'resources/read', params: { uri: 'file:///etc/passwd' } })).toMatchObject({ id: 4, error: { code: 403, data: { rule: 'default' } } });
    expect(await send({ id: 5, method: 'prompts/get', params: { name: 'summarize' } })).toMatchObject({ id: 5, result: { ok: true } });
    expect(await send({ id: 6, method: 'tools/list' })).toEqual({ jsonrpc: '2.0', id: 6, result: { tools: [{ name: 'search' }] } });
  });

  it(`authenticates a _meta token and forwards the message without it (${engineTitle(engine)})`, async () => {
    const manager = new FilterManager({
      engine,
      clock: new ManualClock(T0),
      filters: [authentication({ jwt: { issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [key.jwk as never] } }, metaTokenField: 'authorization' })],
    });
    managers.push(manager);
    const token = await signToken(key);
    const seen: unknown[] = [];
    const response = await manager.handle(
      bytes({ id: 9, method: 'tools/call', params: { name: 'search', _meta: { authorization: `Bearer ${token}`, progressToken: 'p' } } }),
      (m, context) => {
        seen.push(m.message, context.principal?.subject);
        return { jsonrpc: '2.0', id: 9, result: {} };
      },
    );
    expect(response).toEqual({ jsonrpc: '2.0', id: 9, result: {} });
    expect(seen).toEqual([{ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'search', _meta: { progressToken: 'p' } } }, 'user-1']);
    const refused = await manager.handle(bytes({ id: 10, method: 'tools/call', params: { name: 'search' } }), () => undefined);
    expect(refused).toMatchObject({ id: 10, error: { code: 401, data: { wwwAuthenticate: 'Bearer' } } });
  });
});
