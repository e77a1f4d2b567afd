import { describe, expect, it } from 'vitest';

import type { JsonRpcMessage, MessageView } from '@gopher-mcp/core';

import { engineTitle, testEngines } from '../../core/test/helpers/engines.js';
import { circuitBreaker, loadBalancer, upstreamDispatcher, type CircuitBreakerFilter, type CircuitBreakerOptions } from '../src/index.js';
import { ok, outcome, request, setup, toolCall } from './helpers.js';

/** A tools/call result the tool marked as an error. */
const toolError = (m: MessageView): JsonRpcMessage => ok(m, { content: [{ type: 'text', text: 'no such city' }], isError: true });

/** `open` when the breaker refused, else the outcome (a tool error is a result: `ok`). */
function short(response: JsonRpcMessage | undefined): string {
  return response !== undefined && 'error' in response && response.error.message === 'circuit open' ? 'open' : outcome(response);
}

for (const engine of testEngines()) {
  describe(`circuit_breaker countToolErrors — ${engineTitle(engine)}`, () => {
    let id = 1;
    const run = async (options: CircuitBreakerOptions, calls: ReadonlyArray<readonly [JsonRpcMessage, (m: MessageView) => JsonRpcMessage]>) => {
      const harness = setup(engine, [[circuitBreaker(options), { name: 'cb' }]]);
      const seq: string[] = [];
      for (const [message, answer] of calls) seq.push(short(await harness.manager.handle(message, answer)));
      // Circuits from the least to the most recently used.
      const states = (harness.manager.chain.get('cb') as CircuitBreakerFilter).snapshot().map((s) => `${s.target}:${s.state}`);
      await harness.manager.close();
      return { seq, states };
    };

    it('counts a tools/call result with isError: true as a failure when enabled', async () => {
      const calls = [0, 1, 2, 3].map(() => [toolCall(id++, 'weather'), toolError] as const);
      const counted = await run({ key: 'tool', consecutiveFailures: 2, countToolErrors: true }, calls);
      expect(counted).toEqual({ seq: ['ok', 'ok', 'open', 'open'], states: ['weather:open'] });
    });

    it('treats tool errors as successes by default (the upstream answered)', async () => {
      const calls = [0, 1, 2, 3].map(() => [toolCall(id++, 'weather'), toolError] as const);
      expect(await run({ key: 'tool', consecutiveFailures: 2 }, calls)).toEqual({ seq: ['ok', 'ok', 'ok', 'ok'], states: ['weather:closed'] });
    });

    it('resets the run of failures on a good result and ignores isError outside tools/call', async () => {
      const calls = [
        [toolCall(id++, 'weather'), toolError],
        [toolCall(id++, 'weather'), (m: MessageView) => ok(m, { content: [], isError: false })],
        [toolCall(id++, 'weather'), toolError],
        [request(id++, 'tools/list'), (m: MessageView) => ok(m, { isError: true })],
        [request(id++, 'tools/list'), (m: MessageView) => ok(m, { isError: true })],
        [toolCall(id++, 'weather'), toolError],
      ] as const;
      const result = await run({ key: 'method', consecutiveFailures: 2, countToolErrors: true }, calls);
      // tools/call: error, success, error (1 in a row), then tools/list never fails, tools/call error: 2 in a row.
      expect(result).toEqual({ seq: ['ok', 'ok', 'ok', 'ok', 'ok', 'ok'], states: ['tools/list:closed', 'tools/call:open'] });
    });

    it('counts tool errors per load-balancer target through the gate', async () => {
      const harness = setup(engine, [
        [circuitBreaker({ consecutiveFailures: 2, openMs: 5000, countToolErrors: true }), { name: 'cb' }],
        loadBalancer({ targets: [{ id: 'a' }, { id: 'b' }] }),
      ]);
      const hits: string[] = [];
      const upstream = upstreamDispatcher({
        a: (m) => (hits.push('a'), toolError(m)),
        b: (m) => (hits.push('b'), ok(m, { content: [] })),
      });
      for (let i = 0; i < 6; i++) await harness.manager.handle(toolCall(id++, 'weather'), upstream);
      expect(hits).toEqual(['a', 'b', 'a', 'b', 'b', 'b']);
      const cb = harness.manager.chain.get('cb') as CircuitBreakerFilter;
      expect(cb.snapshot().map((s) => `${s.target}:${s.state}`)).toEqual(['default:closed', 'a:open', 'b:closed']);
      await harness.manager.close();
    });
  });
}
