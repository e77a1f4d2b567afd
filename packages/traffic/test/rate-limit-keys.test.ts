import { describe, expect, it } from 'vitest';

import { createExchangeContext, ObjectMessageView, type Exchange, type ExchangeContextInit, type RateLimitKeyPart } from '@gopher-mcp/core';

import { compileKey } from '../src/rate-limit/keys.js';

function exchange(tool: string | undefined, init: ExchangeContextInit): Exchange {
  const params = tool === undefined ? {} : { name: tool };
  const message = new ObjectMessageView({ jsonrpc: '2.0', id: 1, method: tool === undefined ? 'tools/list' : 'tools/call', params });
  return { message, context: createExchangeContext(init) } as unknown as Exchange;
}

const principal = (subject: string) => ({ subject, scopes: [], roles: [], claims: {}, method: 'jwt' as const });

describe('rate-limit keys', () => {
  it('builds the same keys when reading again (remembered tuples) as when reading fresh', () => {
    const parts: ReadonlyArray<RateLimitKeyPart | readonly RateLimitKeyPart[]> = [
      'subject',
      ['subject', 'tool'],
      ['session', 'subject', 'tool'],
      ['client_address', { header: 'x-tenant' }],
      ['global', 'method'],
    ];
    const exchanges = [
      exchange('echo', { principal: principal('alice'), session: { id: 's1' }, peer: { address: '10.0.0.1', headers: { 'x-tenant': 't1' } } }),
      exchange('echo', { principal: principal('alice'), session: { id: 's1' }, peer: { address: '10.0.0.1', headers: { 'x-tenant': 't2' } } }),
      exchange('echo|x', { principal: principal('alice'), session: { id: 's1' } }),
      exchange('x', { principal: principal('alice|echo') }),
      exchange(undefined, { principal: principal('bob') }),
      exchange('echo', {}),
      exchange('echo', { principal: principal('alice'), session: { id: 's1' }, peer: { address: '10.0.0.1', headers: { 'x-tenant': 't1' } } }),
    ];
    for (const missing of ['shared', 'skip'] as const) {
      for (const key of parts) {
        const reader = compileKey(key, missing, {}, 'key');
        const seen = exchanges.map((e) => reader(e));
        // Every exchange read by a new reader (nothing remembered) gives the same key.
        expect(exchanges.map((e) => compileKey(key, missing, {}, 'key')(e))).toEqual(seen);
        // And reading each exchange twice in a row gives it again.
        expect(exchanges.map((e) => (reader(e), reader(e)))).toEqual(seen);
      }
    }
    const pair = compileKey(['subject', 'tool'], 'shared', {}, 'key');
    expect(exchanges.map((e) => pair(e))).toEqual(['5:alice|4:echo', '5:alice|4:echo', '5:alice|6:echo|x', '10:alice|echo|1:x', '3:bob|-', '-|4:echo', '5:alice|4:echo']);
    const skipped = compileKey(['subject', 'tool'], 'skip', {}, 'key');
    expect(exchanges.map((e) => skipped(e))).toEqual(['5:alice|4:echo', '5:alice|4:echo', '5:alice|6:echo|x', '10:alice|echo|1:x', undefined, undefined, '5:alice|4:echo']);
  });
});
