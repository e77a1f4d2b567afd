import { createJsEngine, FilterManager, ObjectMessageView, type Direction, type MessageKind } from '@gopher-mcp/core';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import type { HotMetrics, HotRoute } from '../src/metrics/hot-metrics.js';
import { LabelLimiter } from '../src/metrics/label-limiter.js';
import { RouteTable } from '../src/metrics/route-table.js';
import { metrics, OTHER_LABEL } from '../src/index.js';
import { RecordingLogger, request, result, toolCall } from './helpers.js';
import { parseExposition, sampleKey } from './prometheus-text.js';

const engine = createJsEngine();
const pong = (m: { id: unknown }) => result(m.id as number, {});

/** Hot metrics that only hand out routes, recording which label pairs were asked for. */
class RouteRecorder implements HotMetrics {
  readonly recorder = 'engine' as const;
  readonly asked: string[] = [];
  private readonly routes = new Map<string, HotRoute>();
  started(_d: Direction, _k: MessageKind, _b: number): void {}
  ended(_d: Direction): void {}
  message(_d: Direction, _k: MessageKind, _b: number): void {}
  route(method: string, tool: string): HotRoute {
    this.asked.push(`${method}|${tool}`);
    const key = `${method}|${tool}`;
    let route = this.routes.get(key);
    if (route === undefined) {
      route = { request: () => undefined, duration: () => undefined };
      this.routes.set(key, route);
    }
    return route;
  }
}

describe('metrics route table', () => {
  it('caches the routes of admitted values (absent ones included), never those folded into "other"', () => {
    const hot = new RouteRecorder();
    const table = new RouteTable(hot, new LabelLimiter(2), new LabelLimiter(1));
    const echo = table.route('tools/call', 'echo');
    expect(table.route('tools/call', 'echo')).toBe(echo);
    const ping = table.route('ping', undefined);
    expect(table.route('ping', undefined)).toBe(ping);
    const none = table.route(undefined, undefined);
    expect(table.route(undefined, undefined)).toBe(none);
    // Tool limit (1) reached: "grep" folds into other, and is asked for every time (not cached by its raw value).
    const folded = table.route('tools/call', 'grep');
    expect(table.route('tools/call', 'grep')).toBe(folded);
    // Method limit (2) reached: a new method folds too.
    table.route('x/new', undefined);
    table.route('x/new', undefined);
    expect(hot.asked).toEqual(['tools/call|echo', 'ping|', '|', `tools/call|${OTHER_LABEL}`, `tools/call|${OTHER_LABEL}`, `${OTHER_LABEL}|`, `${OTHER_LABEL}|`]);
  });

  it('an empty name and an absent one share the label "" but only the empty name takes a limiter slot, as before', async () => {
    const registry = new Registry();
    const manager = new FilterManager({ engine, filters: [metrics({ registry, maxToolLabels: 1 })] });
    await manager.handle(toolCall(1, ''), pong); // tool '' takes the only slot
    await manager.handle(request(2, 'ping'), pong); // no tool: label '' without a slot
    await manager.handle(toolCall(3, 'echo'), pong); // no slot left: other
    await manager.handle(toolCall(4, ''), pong);
    const scraped = parseExposition(await registry.metrics());
    const r = (method: string, tool: string) => sampleKey('gopher_mcp_requests_total', { direction: 'inbound', mcp_method_name: method, gen_ai_tool_name: tool, outcome: 'ok' });
    expect(scraped.family('gopher_mcp_requests_total')).toEqual({ [r('tools/call', '')]: 2, [r('ping', '')]: 1, [r('tools/call', OTHER_LABEL)]: 1 });
    await manager.close();
  });
});

describe('metrics phases', () => {
  /** A request whose size cannot be read (its serialisation throws). */
  class BrokenSize extends ObjectMessageView {
    override get size(): number {
      throw new Error('cannot serialise');
    }
  }

  it('an exchange whose start could not be counted is not counted out either: in flight stays 0, the rest is counted', async () => {
    const registry = new Registry();
    const logger = new RecordingLogger();
    const manager = new FilterManager({ engine, logger, filters: [metrics({ registry })] });
    await manager.handle(new BrokenSize(request(1, 'ping')), pong);
    await manager.handle(new BrokenSize(request(2, 'ping')), pong);
    await manager.handle(request(3, 'ping'), pong);
    const scraped = parseExposition(await registry.metrics());
    expect(scraped.value('gopher_mcp_in_flight_exchanges', { direction: 'inbound' })).toBe(0);
    expect(scraped.value('gopher_mcp_requests_total', { direction: 'inbound', mcp_method_name: 'ping', gen_ai_tool_name: '', outcome: 'ok' })).toBe(3);
    expect(scraped.value('gopher_mcp_messages_total', { direction: 'inbound', kind: 'request' })).toBe(1);
    expect(scraped.value('gopher_mcp_messages_total', { direction: 'outbound', kind: 'result' })).toBe(3);
    expect(logger.calls.filter((c) => c.level === 'warn').map((c) => c.message)).toEqual(['gopher-mcp: metrics recording failed; exchanges are unaffected']);
    expect(manager.getStats().filterErrors).toBe(0);
    await manager.close();
  });

  it('reads each message size once', async () => {
    class Counting extends ObjectMessageView {
      reads = 0;
      override get size(): number {
        this.reads++;
        return super.size;
      }
    }
    const manager = new FilterManager({ engine, filters: [metrics({ registry: new Registry() })] });
    const message = new Counting(request(1, 'ping'));
    const response = new Counting(pong({ id: 1 }));
    await manager.handle(message, () => response);
    expect([message.reads, response.reads]).toEqual([1, 1]);
    await manager.close();
  });
});
