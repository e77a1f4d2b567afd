/** The demo's own small parts: the fast-forward clock, colour rules, the Prometheus text parser. */
import { describe, expect, it } from 'vitest';

import { parsePrometheusText, summaryRows } from '../src/mcp-example/metrics-table.js';
import { painter, stepLine, useColour } from '../src/mcp-example/render.js';
import { StoryClock } from '../src/mcp-example/story-clock.js';

describe('StoryClock', () => {
  it('runs in real time and skips ahead, firing the timers that fall due, in order, once', () => {
    const clock = new StoryClock();
    const fired: string[] = [];
    const before = clock.now();
    expect(Math.abs(before - Date.now())).toBeLessThan(50);
    clock.setTimer(5_000, () => fired.push('5s'));
    clock.setTimer(1_000, () => fired.push('1s'));
    const cancelled = clock.setTimer(2_000, () => fired.push('cancelled'));
    clock.setTimer(60_000, () => fired.push('60s'));
    cancelled.cancel();
    clock.skip(10_000);
    expect(fired).toEqual(['1s', '5s']);
    expect(clock.now() - before).toBeGreaterThanOrEqual(10_000);
    expect(clock.skippedMs).toBe(10_000);
    clock.skip(10_000);
    expect(fired).toEqual(['1s', '5s']); // nothing fires twice; 60 s is not due yet
    clock.skip(40_000);
    expect(fired).toEqual(['1s', '5s', '60s']);
  });

  it('fires a timer in real time too', async () => {
    const clock = new StoryClock();
    await new Promise<void>((resolve) => clock.setTimer(5, resolve));
  });
});

describe('colour', () => {
  it('is on only for a terminal without NO_COLOR', () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColour({ isTTY: true }, { NO_COLOR: '' })).toBe(true); // no-color.org: an empty value does not count
    expect(useColour({ isTTY: false }, {})).toBe(false);
    expect(useColour({}, {})).toBe(false);
  });

  it('keeps the columns aligned whether painted or not', () => {
    const step = { n: 7, who: 'anonymous', what: 'initialize (no token)', outcome: 'denied' as const, code: 401, latencyMs: 3.25, detail: 'unauthorized' };
    const plain = stepLine(step, painter(false));
    expect(plain).toBe('  7  anonymous initialize (no token)             denied     401     3.3 ms  unauthorized');
    const painted = stepLine(step, painter(true));
    expect(painted).toContain('\u001b[33mdenied ');
    expect(painted.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });
});

describe('the Prometheus text parser', () => {
  const text = [
    '# HELP gopher_mcp_requests_total MCP requests',
    '# TYPE gopher_mcp_requests_total counter',
    'gopher_mcp_requests_total{direction="inbound",mcp_method_name="tools/call",gen_ai_tool_name="echo",outcome="ok"} 6',
    'gopher_mcp_requests_total{direction="outbound",mcp_method_name="ping",gen_ai_tool_name="",outcome="ok"} 1',
    'gopher_mcp_denials_total{filter="rate_limit",code="429"} 1',
    'gopher_mcp_denials_total{filter="x",code="403"} 0',
    'gopher_mcp_rate_limit_rejections_total{filter="rate_limit",limit="a \\"quoted\\" name"} 2',
    'gopher_mcp_server_operation_duration_seconds_sum{mcp_method_name="tools/call",gen_ai_tool_name="slow",error_type=""} 0.25',
    'gopher_mcp_server_operation_duration_seconds_count{mcp_method_name="tools/call",gen_ai_tool_name="slow",error_type=""} 2',
    'process_start_time_seconds 1700000000',
  ].join('\n');

  it('reads names, labels (escapes included) and values', () => {
    const samples = parsePrometheusText(text);
    expect(samples).toHaveLength(8);
    expect(samples[4]).toEqual({ name: 'gopher_mcp_rate_limit_rejections_total', labels: { filter: 'rate_limit', limit: 'a "quoted" name' }, value: 2 });
    expect(samples[7]).toEqual({ name: 'process_start_time_seconds', labels: {}, value: 1_700_000_000 });
  });

  it('summarises inbound requests, non-zero counters and mean durations', () => {
    expect(summaryRows(parsePrometheusText(text))).toEqual([
      ['requests_total', 'method=tools/call tool=echo outcome=ok', '6'],
      ['denials_total', 'filter=rate_limit code=429', '1'],
      ['rate_limit_rejections_total', 'limit=a "quoted" name', '2'],
      ['server_operation_duration_seconds', 'method=tools/call tool=slow', '2 (mean 125.0 ms)'],
    ]);
  });
});
