import { FilterManager, ManualClock, type ExchangeContextInit, type JsonRpcMessage, type Upstream } from '@gopher-mcp/core';
import { circuitBreaker, rateLimit } from '@gopher-mcp/traffic';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { engineTitle, testEngines } from '../../core/test/helpers/engines.js';
import { metrics, serveMetrics } from '../src/index.js';
import { denyWhen, errorResponse, notification, request, result, toolCall } from './helpers.js';
import { parseExposition, sampleKey } from './prometheus-text.js';

const T0 = Date.UTC(2025, 5, 18, 12, 0, 0);
const size = (message: unknown): number => Buffer.byteLength(JSON.stringify(message));
const BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** The cumulative bucket samples of one histogram series, from the values observed. */
function histogram(name: string, labels: Record<string, string>, observed: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const le of BUCKETS) out[sampleKey(`${name}_bucket`, { ...labels, le: String(le) })] = observed.filter((v) => v <= le).length;
  out[sampleKey(`${name}_bucket`, { ...labels, le: '+Inf' })] = observed.length;
  out[sampleKey(`${name}_sum`, labels)] = observed.reduce((a, b) => a + b, 0);
  out[sampleKey(`${name}_count`, labels)] = observed.length;
  return out;
}

async function scrape(registry: Registry) {
  const server = await serveMetrics(registry, { port: 0 });
  try {
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(await response.text());
  } finally {
    await server.close();
  }
}

for (const engine of testEngines()) {
  describe(`metrics scraped from /metrics — ${engineTitle(engine)}`, () => {
    it.each(['engine', 'prom-client'] as const)('counts a known sequence of exchanges (recorder %s), denials by the real rate limit and circuit breaker, and circuit states', async (recorder) => {
      const clock = new ManualClock(T0);
      const registry = new Registry();
      const observability = metrics({ registry, recorder });
      const manager = new FilterManager({
        engine,
        clock,
        events: observability.eventSink,
        filters: [
          observability,
          rateLimit({ limits: [{ name: 'per-window', algorithm: 'fixed_window', limit: 2, windowMs: 1000, key: 'global', methods: ['tools/call'] }] }),
          circuitBreaker({ key: 'tool', consecutiveFailures: 2 }),
          [denyWhen(403, 'forbidden', { rule: 'admins-only' }, (_m, tool) => tool === 'admin'), { name: 'authorization' }],
        ],
      });
      const sent: { inbound: number[]; outbound: number[] } = { inbound: [], outbound: [] };
      const send = async (message: JsonRpcMessage, upstream: Upstream, init: ExchangeContextInit = {}) => {
        const direction = init.direction ?? 'inbound';
        sent[direction].push(size(message));
        const response = await manager.handle(message, upstream, init);
        if (response !== undefined) sent[direction === 'inbound' ? 'outbound' : 'inbound'].push(size(response));
        return response;
      };
      const after = (ms: number, answer: (id: number) => JsonRpcMessage | undefined): Upstream => (m) => {
        clock.advance(ms);
        return answer(m.id as number);
      };
      const ok = (id: number) => result(id, { content: [] });

      await send(toolCall(1, 'echo'), after(5, ok));
      await send(toolCall(2, 'echo'), after(30, ok));
      expect(await send(toolCall(3, 'echo'), after(0, ok))).toMatchObject({ error: { code: 429, data: { limit: 'per-window' } } });
      clock.advance(1000);
      await send(request(4, 'tools/list'), after(150, (id) => result(id, { tools: [] })));
      expect(await send(toolCall(5, 'admin'), after(0, ok))).toMatchObject({ error: { code: 403 } });
      await send(notification('notifications/initialized'), after(0, () => undefined));
      await send(request(6, 'sampling/createMessage', { messages: [], maxTokens: 10 }), after(1200, (id) => result(id, { role: 'assistant' })), { direction: 'outbound' });
      clock.advance(1000);
      await send(toolCall(7, 'flaky'), after(2, (id) => errorResponse(id, -32603, 'upstream broke')));
      await send(toolCall(8, 'flaky'), after(2, (id) => errorResponse(id, -32603, 'upstream broke')));
      clock.advance(1000);
      expect(await send(toolCall(9, 'flaky'), after(0, ok))).toMatchObject({ error: { code: 503, message: 'circuit open' } });

      const scraped = await scrape(registry);
      const ns = 'gopher_mcp';
      const requests = (direction: string, method: string, tool: string, outcome: string) =>
        sampleKey(`${ns}_requests_total`, { direction, mcp_method_name: method, gen_ai_tool_name: tool, outcome });
      expect(scraped.family(`${ns}_requests_total`)).toEqual({
        [requests('inbound', 'tools/call', 'echo', 'ok')]: 2,
        [requests('inbound', 'tools/call', 'echo', 'denied')]: 1,
        [requests('inbound', 'tools/list', '', 'ok')]: 1,
        [requests('inbound', 'tools/call', 'admin', 'denied')]: 1,
        [requests('outbound', 'sampling/createMessage', '', 'ok')]: 1,
        [requests('inbound', 'tools/call', 'flaky', 'error')]: 2,
        [requests('inbound', 'tools/call', 'flaky', 'denied')]: 1,
      });
      const server = `${ns}_server_operation_duration_seconds`;
      const d = (method: string, tool: string, errorType: string) => ({ mcp_method_name: method, gen_ai_tool_name: tool, error_type: errorType });
      expect(scraped.family(server)).toEqual({
        ...histogram(server, d('tools/call', 'echo', ''), [0.005, 0.03]),
        ...histogram(server, d('tools/call', 'echo', '429'), [0]),
        ...histogram(server, d('tools/list', '', ''), [0.15]),
        ...histogram(server, d('tools/call', 'admin', '403'), [0]),
        ...histogram(server, d('notifications/initialized', '', ''), [0]),
        ...histogram(server, d('tools/call', 'flaky', '-32603'), [0.002, 0.002]),
        ...histogram(server, d('tools/call', 'flaky', '503'), [0]),
      });
      const client = `${ns}_client_operation_duration_seconds`;
      expect(scraped.family(client)).toEqual(histogram(client, d('sampling/createMessage', '', ''), [1.2]));
      expect(scraped.family(`${ns}_in_flight_exchanges`)).toEqual({
        [sampleKey(`${ns}_in_flight_exchanges`, { direction: 'inbound' })]: 0,
        [sampleKey(`${ns}_in_flight_exchanges`, { direction: 'outbound' })]: 0,
      });
      const m = (direction: string, kind: string) => sampleKey(`${ns}_messages_total`, { direction, kind });
      expect(scraped.family(`${ns}_messages_total`)).toEqual({
        [m('inbound', 'request')]: 8,
        [m('outbound', 'result')]: 3,
        [m('outbound', 'error')]: 5,
        [m('inbound', 'notification')]: 1,
        [m('outbound', 'request')]: 1,
        [m('inbound', 'result')]: 1,
      });
      const bytes = scraped.family(`${ns}_message_bytes_total`);
      const bytesBy = (direction: string) => Object.entries(bytes).filter(([k]) => k.includes(`direction="${direction}"`)).reduce((a, [, v]) => a + v, 0);
      expect(bytesBy('inbound')).toBe(sent.inbound.reduce((a, b) => a + b, 0));
      expect(bytesBy('outbound')).toBe(sent.outbound.reduce((a, b) => a + b, 0));
      expect(scraped.family(`${ns}_denials_total`)).toEqual({
        [sampleKey(`${ns}_denials_total`, { filter: 'rate_limit', code: '429' })]: 1,
        [sampleKey(`${ns}_denials_total`, { filter: 'authorization', code: '403' })]: 1,
        [sampleKey(`${ns}_denials_total`, { filter: 'circuit_breaker', code: '503' })]: 1,
      });
      expect(scraped.family(`${ns}_rate_limit_rejections_total`)).toEqual({
        [sampleKey(`${ns}_rate_limit_rejections_total`, { filter: 'rate_limit', limit: 'per-window' })]: 1,
      });
      const circuit = (state: string) => sampleKey(`${ns}_circuit_state`, { filter: 'circuit_breaker', target: 'flaky', state });
      expect(scraped.family(`${ns}_circuit_state`)).toEqual({ [circuit('closed')]: 0, [circuit('open')]: 1, [circuit('half_open')]: 0 });
      expect(scraped.family(`${ns}_circuit_transitions_total`)).toEqual({
        [sampleKey(`${ns}_circuit_transitions_total`, { filter: 'circuit_breaker', target: 'flaky', state: 'open' })]: 1,
      });
      expect(scraped.value(`${ns}_engine_info`, { kind: engine.kind, source: engine.source })).toBe(1);
      expect(Object.fromEntries([...scraped.types].filter(([name]) => name.startsWith(ns)))).toEqual({
        [`${ns}_requests_total`]: 'counter',
        [`${ns}_server_operation_duration_seconds`]: 'histogram',
        [`${ns}_client_operation_duration_seconds`]: 'histogram',
        [`${ns}_in_flight_exchanges`]: 'gauge',
        [`${ns}_messages_total`]: 'counter',
        [`${ns}_message_bytes_total`]: 'counter',
        [`${ns}_denials_total`]: 'counter',
        [`${ns}_rate_limit_rejections_total`]: 'counter',
        [`${ns}_circuit_state`]: 'gauge',
        [`${ns}_circuit_transitions_total`]: 'counter',
        [`${ns}_filter_errors_total`]: 'counter',
        [`${ns}_engine_info`]: 'gauge',
      });
      await manager.close();
    });

    it('exports buffer pool statistics at scrape time', async () => {
      const pool = engine.createBufferPool({ slabSize: 1024, maxSlabs: 4 });
      const registry = new Registry();
      const observability = metrics({ registry, namespace: 'edge', bufferPools: { ingress: pool } });
      const manager = new FilterManager({ engine, filters: [observability] });
      const buffer = pool.createBuffer();
      buffer.add(new Uint8Array(1500)); // two slabs
      const scraped = await scrape(registry);
      expect(scraped.family('edge_buffer_pool')).toEqual({
        'edge_buffer_pool_slabs{pool="ingress",state="in_use"}': 2,
        'edge_buffer_pool_slabs{pool="ingress",state="free"}': 0,
        'edge_buffer_pool_slabs_max{pool="ingress"}': 4,
        'edge_buffer_pool_slabs_high_water{pool="ingress"}': 2,
        'edge_buffer_pool_slab_size_bytes{pool="ingress"}': 1024,
        'edge_buffer_pool_acquires_total{pool="ingress"}': 2,
        'edge_buffer_pool_releases_total{pool="ingress"}': 0,
        'edge_buffer_pool_failed_acquires_total{pool="ingress"}': 0,
      });
      expect(scraped.types.get('edge_buffer_pool_acquires_total')).toBe('counter');
      buffer.close();
      pool.close();
      expect((await scrape(registry)).family('edge_buffer_pool')).toEqual({}); // a closed pool reports nothing
      await manager.close();
    });
  });
}
