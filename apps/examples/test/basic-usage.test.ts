import { describe, expect, it } from 'vitest';

import { runExample } from './run-example.js';

describe('example: basic-usage', () => {
  it('prints two forwarded calls, a 429, an exempt ping and a -32600 for invalid input', () => {
    const lines = runExample('basic-usage').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^chain: rate_limit \((native|js) engine\)$/);
    expect(lines.slice(1)).toEqual([
      'request 1: forward tools/call',
      'response 1: result {"echoed":1}',
      'request 2: forward tools/call',
      'response 2: result {"echoed":2}',
      expect.stringMatching(/^request 3: error 429 .* \{"limit":"per-session","retryAfterMs":\d+\}$/),
      'ping: result {}',
      'invalid: error -32600 invalid JSON-RPC message {"reason":"not a JSON-RPC 2.0 message object"}',
      'stats: requests=4 succeeded=3 denied=1 pending=0',
    ]);
  });
});
