import { createJsEngine, FilterManager, ManualClock, ObjectMessageView, type JsonRpcMessage } from '@gopher-mcp/core';
import { describe, expect, it } from 'vitest';

import { ClfTimeCache, clfTime } from '../src/access-log/clf-time.js';
import { escapeField, LastEscaped } from '../src/access-log/escape.js';
import { secondsText } from '../src/access-log/seconds.js';
import { accessLog, type AccessLogOptions } from '../src/index.js';
import { seededRandom } from './helpers.js';
import { Lines, request, result, toolCall } from './helpers.js';

const engine = createJsEngine();

/** A view that counts how often its size is read (reading it may serialise the message). */
class CountingView extends ObjectMessageView {
  sizeReads = 0;
  override get size(): number {
    this.sizeReads++;
    return super.size;
  }
}

function chain(options: AccessLogOptions, clock: ManualClock) {
  const lines = new Lines();
  const manager = new FilterManager({ engine, clock, filters: [accessLog({ stream: lines, ...options })] });
  return { lines, manager };
}

describe('access_log combined date cache', () => {
  it('formats the CLF time once per second of the chain clock, and a new second gets a new date', async () => {
    const clock = new ManualClock(Date.UTC(2025, 11, 31, 23, 59, 58, 100));
    const { lines, manager } = chain({ format: 'combined' }, clock);
    const at = async (id: number) => manager.handle(request(id, 'ping'), (m) => result(m.id as number, {}));
    await at(1); // 23:59:58.100
    clock.advance(899);
    await at(2); // 23:59:58.999: same second, same date
    clock.advance(1);
    await at(3); // 23:59:59.000: the next second
    clock.advance(1000);
    await at(4); // 00:00:00.000 of the next day, month and year
    clock.advance(61_500);
    await at(5); // 00:01:01.500
    expect(lines.lines.map((l) => /\[([^\]]+)\]/.exec(l)?.[1])).toEqual([
      '31/Dec/2025:23:59:58 +0000',
      '31/Dec/2025:23:59:58 +0000',
      '31/Dec/2025:23:59:59 +0000',
      '01/Jan/2026:00:00:00 +0000',
      '01/Jan/2026:00:01:01 +0000',
    ]);
    await manager.close();
  });

  it('ClfTimeCache agrees with clfTime, reusing the string within a second and following the clock back too', () => {
    const cache = new ClfTimeCache();
    const t = Date.UTC(2000, 9, 10, 13, 55, 36, 0);
    const first = cache.of(t + 10);
    expect(first).toBe('10/Oct/2000:13:55:36 +0000');
    expect(cache.of(t + 999)).toBe(first);
    expect(cache.of(t + 1000)).toBe('10/Oct/2000:13:55:37 +0000');
    expect(cache.of(t - 1)).toBe('10/Oct/2000:13:55:35 +0000');
    expect(cache.of(t - 1)).toBe(clfTime(t - 1));
    expect(clfTime(Date.UTC(2024, 1, 29, 7, 5, 9))).toBe('29/Feb/2024:07:05:09 +0000');
  });
});

describe('access_log field escaping', () => {
  it('escapes nginx style and returns clean text as is', () => {
    expect(escapeField('127.0.0.1', 'bare')).toBe('127.0.0.1');
    expect(escapeField('a b"c\\d\n', 'bare')).toBe('a\\x20b\\x22c\\x5Cd\\x0A');
    expect(escapeField('a b"c\u007f', 'quoted')).toBe('a b\\x22c\\x7F');
    expect(escapeField('a "b"\t', 'controls')).toBe('a "b"\\x09');
  });

  it('LastEscaped gives the escaping of whatever text it is given, repeated or changed', () => {
    const agent = new LastEscaped('quoted');
    expect(agent.of('inspector/1.0')).toBe('inspector/1.0');
    expect(agent.of('inspector/1.0')).toBe('inspector/1.0');
    expect(agent.of('evil"agent')).toBe('evil\\x22agent');
    expect(agent.of('evil"agent')).toBe('evil\\x22agent');
    expect(agent.of('inspector/1.0')).toBe('inspector/1.0');
  });

  it('a peer that changes fields between lines gets each line escaped for itself', async () => {
    const clock = new ManualClock(Date.UTC(2025, 5, 18, 12, 0, 0));
    const { lines, manager } = chain({ format: 'combined' }, clock);
    const peer = (agent: string | string[]) => ({ transport: 'http', peer: { address: '203.0.113.7', headers: { 'user-agent': agent } } });
    await manager.handle(toolCall(1, 'echo'), (m) => result(m.id as number, {}), peer('a"1'));
    await manager.handle(toolCall(2, 'echo'), (m) => result(m.id as number, {}), peer(['plain/2', 'ignored']));
    await manager.handle(toolCall(3, 'e cho'), (m) => result(m.id as number, {}), peer('a"1'));
    expect(lines.lines.map((l) => l.replace(/ \[[^\]]+\]/, '').replace(/ 200 \d+ /, ' 200 N '))).toEqual([
      '203.0.113.7 - - "tools/call echo MCP" 200 N "-" "a\\x221" 0.000',
      '203.0.113.7 - - "tools/call echo MCP" 200 N "-" "plain/2" 0.000',
      '203.0.113.7 - - "tools/call e cho MCP" 200 N "-" "a\\x221" 0.000',
    ]);
    await manager.close();
  });
});

describe('access_log $request_time', () => {
  const reference = (ms: number): string => (Math.round(ms * 1000) / 1000 / 1000).toFixed(3);

  it('is exactly what toFixed gives, for every microsecond up to 2 s, sparser to 60 s, and for random, tied, negative and huge durations', () => {
    const mismatches: number[] = [];
    for (let micros = 0; micros < 60_000_000; micros += micros < 2_000_000 ? 1 : 997) {
      const ms = micros / 1000;
      if (secondsText(ms) !== reference(ms)) mismatches.push(ms);
    }
    const random = seededRandom(7);
    for (let i = 0; i < 200_000; i++) {
      const ms = random() * 10 ** (1 + Math.floor(random() * 9));
      if (secondsText(ms) !== reference(ms)) mismatches.push(ms);
    }
    for (const ms of [0, -0, -0.0004, -1.5, -2500, 0.5, 1.5, 2.5, 1000.5, 1e12, 1e15, 1e20, Number.NaN]) {
      if (secondsText(ms) !== reference(ms)) mismatches.push(ms);
    }
    expect(mismatches).toEqual([]);
    expect([secondsText(12.5), secondsText(1.5), secondsText(61_234.4)]).toEqual(['0.013', '0.002', '61.234']);
  });
});

describe('access_log message sizes', () => {
  const call: JsonRpcMessage = toolCall(1, 'echo', { text: 'hi' });
  const answer: JsonRpcMessage = result(1, { content: [] });

  const run = async (options: AccessLogOptions) => {
    const { lines, manager } = chain(options, new ManualClock(0));
    const message = new CountingView(call);
    const response = new CountingView(answer);
    await manager.handle(message, () => response);
    await manager.close();
    return { line: lines.lines[0] as string, reads: [message.sizeReads, response.sizeReads] };
  };

  it('reads each size at most once, and only the sizes the format prints', async () => {
    const size = (m: unknown) => Buffer.byteLength(JSON.stringify(m));
    const json = await run({});
    expect(json.reads).toEqual([1, 1]);
    expect(JSON.parse(json.line)).toMatchObject({ bytesIn: size(call), bytesOut: size(answer) });
    expect((await run({ format: 'text' })).reads).toEqual([1, 1]);
    const combined = await run({ format: 'combined' });
    expect(combined.reads).toEqual([0, 1]);
    expect(combined.line).toContain(`" 200 ${size(answer)} "-"`);
    const template = await run({ format: 'template', template: '${method} ${outcome}' });
    expect(template).toEqual({ line: 'tools/call ok', reads: [0, 0] });
    expect((await run({ format: 'template', template: '${bytesIn}' })).reads).toEqual([1, 0]);
    expect((await run({ format: 'template', template: '${bytesOut}' })).reads).toEqual([0, 1]);
  });
});
