import { ConfigError, createJsEngine, FilterManager, ManualClock, type Filter } from '@gopher-mcp/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { combineEventSinks, metrics, metricsEventSink, OTHER_LABEL, serveMetrics } from '../src/index.js';
import { denyWhen, notification, request, result, toolCall } from './helpers.js';
import { parseExposition, sampleKey } from './prometheus-text.js';

const engine = createJsEngine();
const pong = (m: { id: unknown }) => result(m.id as number, {});

describe('metrics filter behaviour', () => {
  it('shows exchanges in flight while the upstream works', async () => {
    const registry = new Registry();
    const observability = metrics({ registry });
    const manager = new FilterManager({ engine, filters: [observability] });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pending = manager.handle(toolCall(1, 'slow'), async (m) => {
      await gate;
      return pong(m);
    });
    const during = parseExposition(await observability.scrape());
    expect(during.value('gopher_mcp_in_flight_exchanges', { direction: 'inbound' })).toBe(1);
    release();
    await pending;
    const after = parseExposition(await observability.scrape());
    expect(after.value('gopher_mcp_in_flight_exchanges', { direction: 'inbound' })).toBe(0);
    await manager.close();
  });

  it('bounds peer-chosen label values: tools and methods beyond the limits fold into "other"', async () => {
    const registry = new Registry();
    const manager = new FilterManager({ engine, filters: [metrics({ registry, maxToolLabels: 2, maxMethodLabels: 2 })] });
    for (const [id, tool] of ['a', 'b', 'c', 'd', 'a'].entries()) await manager.handle(toolCall(id, tool), pong);
    await manager.handle(request(10, 'x/one'), pong);
    await manager.handle(request(11, 'x/two'), pong);
    const scraped = parseExposition(await registry.metrics());
    const r = (method: string, tool: string) => sampleKey('gopher_mcp_requests_total', { direction: 'inbound', mcp_method_name: method, gen_ai_tool_name: tool, outcome: 'ok' });
    expect(scraped.family('gopher_mcp_requests_total')).toEqual({
      [r('tools/call', 'a')]: 2,
      [r('tools/call', 'b')]: 1,
      [r('tools/call', OTHER_LABEL)]: 2,
      [r('x/one', '')]: 1,
      [r(OTHER_LABEL, '')]: 1,
    });
    await manager.close();
  });

  it('adds constant labels to every series and honours namespace and buckets', async () => {
    const registry = new Registry();
    const clock = new ManualClock(0);
    const manager = new FilterManager({ engine, clock, filters: [metrics({ registry, namespace: 'gw', buckets: [0.5, 1], labels: { environment: 'production' } })] });
    await manager.handle(request(1, 'ping'), (m) => {
      clock.advance(700);
      return pong(m);
    });
    const scraped = parseExposition(await registry.metrics());
    const labels = { mcp_method_name: 'ping', gen_ai_tool_name: '', error_type: '', environment: 'production' };
    expect(scraped.family('gw_server_operation_duration_seconds')).toEqual({
      [sampleKey('gw_server_operation_duration_seconds_bucket', { ...labels, le: '0.5' })]: 0,
      [sampleKey('gw_server_operation_duration_seconds_bucket', { ...labels, le: '1' })]: 1,
      [sampleKey('gw_server_operation_duration_seconds_bucket', { ...labels, le: '+Inf' })]: 1,
      [sampleKey('gw_server_operation_duration_seconds_sum', labels)]: 0.7,
      [sampleKey('gw_server_operation_duration_seconds_count', labels)]: 1,
    });
    expect(scraped.value('gw_requests_total', { direction: 'inbound', mcp_method_name: 'ping', gen_ai_tool_name: '', outcome: 'ok', environment: 'production' })).toBe(1);
    await manager.close();
  });

  it('counts a denied notification once, with no response message', async () => {
    const registry = new Registry();
    const manager = new FilterManager({
      engine,
      filters: [metrics({ registry }), [denyWhen(429, 'slow down', { limit: 'notes', retryAfterMs: 5 }, () => true), { name: 'limiter' }]],
    });
    await manager.handle(notification('notifications/message', { level: 'info' }), () => undefined);
    const scraped = parseExposition(await registry.metrics());
    expect(scraped.family('gopher_mcp_messages_total')).toEqual({ [sampleKey('gopher_mcp_messages_total', { direction: 'inbound', kind: 'notification' })]: 1 });
    expect(scraped.family('gopher_mcp_denials_total')).toEqual({ [sampleKey('gopher_mcp_denials_total', { filter: 'limiter', code: '429' })]: 1 });
    expect(scraped.family('gopher_mcp_rate_limit_rejections_total')).toEqual({ [sampleKey('gopher_mcp_rate_limit_rejections_total', { filter: 'limiter', limit: 'notes' })]: 1 });
    expect(scraped.family('gopher_mcp_requests_total')).toEqual({});
    await manager.close();
  });

  it('counts filter errors from chain events, combined with the application’s own sink', async () => {
    const registry = new Registry();
    const observability = metrics({ registry });
    const seen: string[] = [];
    const broken: Filter = {
      type: 'custom',
      handle() {
        throw new Error('bug');
      },
    };
    const manager = new FilterManager({
      engine,
      fallback: 'PASSTHROUGH',
      events: combineEventSinks(observability.eventSink, (e) => seen.push(`${e.filter}:${e.type}`)),
      filters: [observability, [broken, { name: 'broken' }]],
    });
    expect(await manager.handle(request(1, 'ping'), pong)).toEqual(pong({ id: 1 }));
    expect(seen).toEqual(['broken:filter_error']);
    expect(parseExposition(await registry.metrics()).value('gopher_mcp_filter_errors_total', { filter: 'broken' })).toBe(1);
    await manager.close();
  });

  it('feeds circuit states given as events (normalising the state) through metricsEventSink', async () => {
    const registry = new Registry();
    const observability = metrics({ registry, namespace: 'cb' });
    expect(metricsEventSink(observability)).toBe(observability.eventSink);
    const sink = metricsEventSink({ registry, namespace: 'cb' }); // shares the same series
    sink({ filter: 'breaker', type: 'circuit_state', payload: { target: 'api', from: 'closed', to: 'open' }, time: 0 });
    sink({ filter: 'breaker', type: 'circuit_state', payload: { target: 'api', state: 'half-open' }, time: 1 });
    const scraped = parseExposition(await registry.metrics());
    const s = (state: string) => sampleKey('cb_circuit_state', { filter: 'breaker', target: 'api', state });
    expect(scraped.family('cb_circuit_state')).toEqual({ [s('closed')]: 0, [s('open')]: 0, [s('half_open')]: 1 });
    expect(scraped.family('cb_circuit_transitions_total')).toEqual({
      [sampleKey('cb_circuit_transitions_total', { filter: 'breaker', target: 'api', state: 'open' })]: 1,
      [sampleKey('cb_circuit_transitions_total', { filter: 'breaker', target: 'api', state: 'half_open' })]: 1,
    });
  });

  it('refuses a second configuration of the same namespace in one registry', () => {
    const registry = new Registry();
    metrics({ registry });
    expect(() => metrics({ registry })).not.toThrow(); // same options: shared
    expect(() => metrics({ registry, buckets: [1, 2] })).toThrow(ConfigError);
    expect(() => metrics({ registry, buckets: [2, 1] })).toThrow('invalid metrics options: buckets: buckets must be strictly increasing');
    expect(() => metrics({ namespace: 'bad-name' })).toThrow(/invalid metrics options: namespace/);
  });
});

describe('metrics recorders', () => {
  it.each([Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE])('engine and prom-client recorders expose byte-identical text (%s)', async (contentType) => {
    const exposition = async (recorder: 'engine' | 'prom-client') => {
      const clock = new ManualClock(0);
      const registry = new Registry<typeof contentType>();
      registry.setContentType(contentType);
      const manager = new FilterManager({
        engine,
        clock,
        filters: [metrics({ registry, recorder, labels: { env: 'test' } }), [denyWhen(429, 'slow down', { limit: 'l' }, (_m, tool) => tool === 'busy'), { name: 'limiter' }]],
      });
      const slow = (ms: number) => (m: { id: unknown }) => {
        clock.advance(ms);
        return pong(m);
      };
      await manager.handle(request(1, 'sampling/createMessage'), slow(3), { direction: 'outbound' });
      await manager.handle(toolCall(2, 'echo'), slow(40));
      await manager.handle(toolCall(3, 'busy'), slow(0));
      await manager.handle(notification('notifications/initialized'), () => undefined);
      await manager.handle(toolCall(4, 'echo'), slow(2500));
      const text = await registry.metrics();
      await manager.close();
      return text;
    };
    const viaEngine = await exposition('engine');
    expect(viaEngine).toBe(await exposition('prom-client'));
    expect(viaEngine).toContain('gopher_mcp_server_operation_duration_seconds_bucket{le="0.05",mcp_method_name="tools/call",gen_ai_tool_name="echo",error_type="",env="test"} 1');
  });
});

describe('/metrics endpoint', () => {
  it('the serve option starts an endpoint with the first filter and stops it with the last', async () => {
    const observability = metrics({ serve: { port: 0 } });
    expect(await observability.server()).toBeUndefined(); // nothing until a chain creates the filter
    const manager = new FilterManager({ engine, filters: [observability] });
    const server = await observability.server();
    expect(server?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await manager.handle(request(1, 'ping'), pong);
    const body = await (await fetch(server?.url as string)).text();
    expect(parseExposition(body).value('gopher_mcp_requests_total', { direction: 'inbound', mcp_method_name: 'ping', gen_ai_tool_name: '', outcome: 'ok' })).toBe(1);
    await manager.close();
    await expect(fetch(server?.url as string)).rejects.toThrow();
  });

  it('answers 404 elsewhere, 405 to other methods, and HEAD without a body', async () => {
    const registry = new Registry();
    await using server = await serveMetrics(registry, { port: 0, path: '/prom' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/prom`);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
    const post = await fetch(server.url, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    const head = await fetch(server.url, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
  });
});
