/**
 * The demo, run as a person runs it (a child process, from source): its story, step by step
 * (who, what, outcome, code), the metrics it scraped from its live /metrics endpoint, the trace of
 * one exchange and the access log. The child must exit 0 by itself (every server closed).
 */
import { beforeAll, describe, expect, it } from 'vitest';

import { runExample } from './run-example.js';

interface Step {
  readonly n: number;
  readonly who: string;
  readonly what: string;
  readonly outcome: string;
  readonly code: string;
  readonly latency: string;
  readonly detail: string;
}

/** A step line: `  7  anonymous initialize (no token)   denied     401    27.4 ms  unauthorized: ...`. */
const STEP = /^\s*(\d+)  (\S+)\s+(.+?)\s+(ok|denied|error|wait)\s+(-|-?\d+)\s+(-|\d+\.\d ms)  (.*)$/;

function section(lines: readonly string[], title: RegExp): string[] {
  const start = lines.findIndex((l) => title.test(l));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l === '');
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Each `(who, what, outcome, code)` of the story, in order. */
const EXPECTED_STORY: ReadonlyArray<readonly [string, string, string, string]> = [
  ['alice', 'initialize (user token)', 'ok', '-'],
  ['carol', 'initialize (admin token)', 'ok', '-'],
  ['alice', 'tools/list', 'ok', '-'],
  ['carol', 'tools/list', 'ok', '-'],
  ['alice', 'tools/call echo', 'ok', '-'],
  ['alice', 'tools/call slow {ms: 120}', 'ok', '-'],
  ['anonymous', 'initialize (no token)', 'denied', '401'],
  ['mallory', 'initialize (forged admin token)', 'denied', '401'],
  ['alice', 'tools/call admin_stats', 'denied', '403'],
  ['carol', 'tools/call admin_stats', 'ok', '-'],
  ['alice', 'tools/call echo (burst 1/5)', 'ok', '-'],
  ['alice', 'tools/call echo (burst 2/5)', 'ok', '-'],
  ['alice', 'tools/call echo (burst 3/5)', 'ok', '-'],
  ['alice', 'tools/call echo (burst 4/5)', 'ok', '-'],
  ['alice', 'tools/call echo (burst 5/5)', 'denied', '429'],
  ['alice', 'tools/call slow {ms: 0}', 'ok', '-'],
  ['clock', '', 'wait', '-'],
  ['alice', 'tools/call echo', 'ok', '-'],
  ['alice', 'tools/call flaky {fail: true}', 'error', '-'],
  ['alice', 'tools/call flaky {fail: true}', 'error', '-'],
  ['alice', 'tools/call flaky {fail: true}', 'error', '-'],
  ['alice', 'tools/call flaky {fail: false}', 'denied', '503'],
  ['clock', '', 'wait', '-'],
  ['alice', 'tools/call flaky {fail: false}', 'ok', '-'],
];

describe.each([
  { engine: 'js', pattern: /^ {2}engine {3}js \(selected\)$/ },
  { engine: 'auto', pattern: /^ {2}engine {3}(native \(libgopher_mcp_c .+\)|js\b.*)$/ },
])('example: mcp-example, GOPHER_MCP_ENGINE=$engine', ({ engine, pattern }) => {
  let output = '';
  let lines: string[] = [];
  let steps: Step[] = [];
  beforeAll(() => {
    // Throws when the demo exits non-zero, or does not end by itself within run-example's timeout.
    output = runExample('mcp-example', { GOPHER_MCP_ENGINE: engine });
    lines = output.trimEnd().split('\n');
    steps = section(lines, /^The story$/)
      .slice(1)
      .map((line) => {
        const m = STEP.exec(line);
        if (m === null) throw new Error(`not a step line: ${JSON.stringify(line)}`);
        return { n: Number(m[1]), who: m[2] as string, what: (m[3] as string).trim(), outcome: m[4] as string, code: m[5] as string, latency: m[6] as string, detail: m[7] as string };
      });
  }, 70_000);
  const byN = (n: number): Step => steps[n - 1] as Step;

  it('introduces the servers, all on 127.0.0.1, and the chain in its order', () => {
    expect(lines[0]).toBe('Gopher MCP demo: a protected MCP server, end to end');
    expect(lines[1]).toMatch(pattern);
    expect(lines[2]).toMatch(/^ {2}server {3}http:\/\/127\.0\.0\.1:\d+\/mcp {2}\(MCP SDK McpServer over Streamable HTTP/);
    expect(lines[3]).toMatch(/^ {2}issuer {3}http:\/\/127\.0\.0\.1:\d+ {2}\(its JWKS at \/\.well-known\/jwks\.json/);
    expect(lines[4]).toMatch(/^ {2}metrics {2}http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(lines[5]).toBe('  chain    tracing > access_log > metrics > authentication > authorization > rate_limit > circuit_breaker > McpServer');
  });

  it('plays every step with the outcome and code it must have: a 401, a 403, a 429, a 503 and the recoveries', () => {
    expect(steps.map((s) => [s.who, s.what.startsWith('+') ? '' : s.what, s.outcome, s.code])).toEqual(EXPECTED_STORY);
    expect(steps.map((s) => s.n)).toEqual(EXPECTED_STORY.map((_, i) => i + 1));
    for (const step of steps) expect(step.latency === '-').toBe(step.outcome === 'wait');

    // Allowed calls, and tools/list filtered by the policy.
    expect(byN(3).detail).toBe('echo, slow, flaky (admin_stats filtered out)');
    expect(byN(4).detail).toBe('echo, slow, flaky, admin_stats');
    expect(byN(5).detail).toBe('hello');
    expect(byN(6).detail).toBe('slept 120 ms');
    expect(Number.parseFloat(byN(6).latency)).toBeGreaterThanOrEqual(120);
    // Who may not come in, and what a user may not call.
    expect(byN(7).detail).toBe('unauthorized: no credentials (WWW-Authenticate: Bearer resource_metadata=…)');
    expect(byN(8).detail).toBe('unauthorized: the token signature is invalid (WWW-Authenticate: Bearer error="invalid_token" resource_metadata=…)');
    expect(byN(9).detail).toBe('forbidden: no rule allows this (default deny)');
    expect(byN(10).detail).toBe('tool runs: echo 1, slow 1, admin_stats 1'); // alice's refused call never ran the tool
    // The burst: the fifth echo of the minute is refused; another tool is not.
    expect(byN(15).detail).toMatch(/^rate limit "per-user-tool" exceeded, retry after (\d+\.\d) s$/);
    const retryAfter = /retry after (\d+\.\d) s/.exec(byN(15).detail)?.[1];
    expect(Number(retryAfter)).toBeGreaterThan(0); // 12 s per token, less what already refilled since step 5
    expect(Number(retryAfter)).toBeLessThanOrEqual(12);
    expect(byN(16).detail).toBe('slept 0 ms (other tools keep their own quota)');
    expect(byN(17).what).toBe(`+${retryAfter} s`);
    expect(byN(18).detail).toBe('hello again (recovered: the bucket refilled)');
    // The breaker: three tool errors (counted as failures: countToolErrors) open the circuit, a good
    // call is refused, the probe closes it.
    expect(byN(19).detail).toBe('tool error: backend unavailable');
    expect(byN(21).detail).toBe('tool error: backend unavailable; circuit flaky: closed -> open');
    expect(byN(22).detail).toBe('circuit open (flaky), retry after 10.0 s');
    expect(byN(23).what).toBe('+10.0 s');
    expect(byN(24).detail).toBe('backend answered (the half-open probe succeeded); circuit flaky: open -> half_open, circuit flaky: half_open -> closed');
  });

  it('shows the metrics scraped from the live /metrics endpoint', () => {
    const rows = section(lines, /^Metrics \(scraped from http:\/\/127\.0\.0\.1:\d+\/metrics\)$/)
      .slice(1)
      .map((l) => l.trim().split(/ {2,}/));
    const value = (metric: string, labels: string) => rows.find((r) => r[0] === metric && r[1] === labels)?.[2];
    const counters = rows.filter((r) => r[0] !== 'server_operation_duration_seconds');
    expect(counters).toEqual([
      ['requests_total', 'method=initialize outcome=ok', '2'],
      ['requests_total', 'method=tools/list outcome=ok', '2'],
      ['requests_total', 'method=tools/call tool=echo outcome=ok', '6'],
      ['requests_total', 'method=tools/call tool=slow outcome=ok', '2'],
      ['requests_total', 'method=initialize outcome=denied', '2'],
      ['requests_total', 'method=tools/call tool=admin_stats outcome=denied', '1'],
      ['requests_total', 'method=tools/call tool=admin_stats outcome=ok', '1'],
      ['requests_total', 'method=tools/call tool=echo outcome=denied', '1'],
      ['requests_total', 'method=tools/call tool=flaky outcome=tool_error', '3'],
      ['requests_total', 'method=tools/call tool=flaky outcome=denied', '1'],
      ['requests_total', 'method=tools/call tool=flaky outcome=ok', '1'],
      ['denials_total', 'filter=authentication code=401', '2'],
      ['denials_total', 'filter=authorization code=403', '1'],
      ['denials_total', 'filter=rate_limit code=429', '1'],
      ['denials_total', 'filter=circuit_breaker code=503', '1'],
      ['rate_limit_rejections_total', 'limit=per-user-tool', '1'],
      ['circuit_transitions_total', 'target=flaky state=open', '1'],
      ['circuit_transitions_total', 'target=flaky state=half_open', '1'],
      ['circuit_transitions_total', 'target=flaky state=closed', '1'],
      ['circuit_state', 'target=flaky state=closed', '1'],
    ]);
    expect(value('server_operation_duration_seconds', 'method=tools/call tool=echo')).toMatch(/^6 \(mean \d+\.\d ms\)$/);
    expect(value('server_operation_duration_seconds', 'method=tools/call tool=echo error=429')).toMatch(/^1 \(mean /);
    expect(value('server_operation_duration_seconds', 'method=tools/call tool=flaky error=tool_error')).toMatch(/^3 \(mean /);
    expect(value('server_operation_duration_seconds', 'method=tools/call tool=flaky error=503')).toMatch(/^1 \(mean /);
    expect(value('server_operation_duration_seconds', 'method=initialize error=401')).toMatch(/^2 \(mean /);
    const slowMean = /mean (\d+\.\d) ms/.exec(value('server_operation_duration_seconds', 'method=tools/call tool=slow') ?? '')?.[1];
    expect(Number(slowMean)).toBeGreaterThanOrEqual(60); // (120 ms + 0 ms) / 2, measured inside the chain
  });

  it('shows the trace of the traced step: client span, the tracing filter\'s server span, the tool\'s span', () => {
    const title = lines.find((l) => l.startsWith('Trace of step '));
    expect(title).toMatch(/^Trace of step 6 \(tools\/call slow\), trace id [0-9a-f]{32}$/);
    const trace = section(lines, /^Trace of step /);
    expect(trace).toHaveLength(6);
    expect(trace[0]).toMatch(/^ {2}tools\/call slow {2}CLIENT {2}\d+\.\d ms {2}\(gopher-mcp-demo-client\)$/);
    expect(trace[1]).toBe('     mcp.method.name=tools/call gen_ai.tool.name=slow');
    expect(trace[2]).toMatch(/^ {2}└─ tools\/call slow {2}SERVER {2}\d+\.\d ms {2}\(@gopher-mcp\/observability\)$/);
    expect(trace[3]).toMatch(
      /^ {8}mcp\.method\.name=tools\/call gen_ai\.tool\.name=slow jsonrpc\.request\.id=\d+ mcp\.session\.id=[0-9a-f]{8}… network\.transport=tcp client\.address=127\.0\.0\.1$/,
    );
    expect(trace[4]).toMatch(/^ {5}└─ slow\.work {2}INTERNAL {2}\d+\.\d ms {2}\(gopher-mcp-demo-server\)$/);
    expect(trace[5]).toBe('           demo.sleep_ms=120');
    const ms = (line: string | undefined) => Number(/ (\d+\.\d) ms/.exec(line ?? '')?.[1]);
    expect(ms(trace[0])).toBeGreaterThanOrEqual(ms(trace[2]));
    expect(ms(trace[2])).toBeGreaterThanOrEqual(ms(trace[4]));
    expect(ms(trace[4])).toBeGreaterThanOrEqual(120);

    const denied = section(lines, /^The span of the 429$/);
    expect(denied[0]).toMatch(/^ {2}tools\/call echo {2}SERVER {2}\d+\.\d ms {2}\(@gopher-mcp\/observability\) {2}status ERROR: rate limit "per-user-tool" exceeded$/);
    expect(denied[1]).toMatch(/ error\.type=429 rpc\.jsonrpc\.error_code=429 gopher_mcp\.denied_by=rate_limit$/);
  });

  it('shows the access log, one line per status, and never a token', () => {
    const title = lines.find((l) => l.startsWith('Access log'));
    expect(title).toBe('Access log (combined format, 24 lines; the first of each status)');
    const log = section(lines, /^Access log/);
    const requests = log.map((l) => /^ {2}127\.0\.0\.1 - (\S+) \[[^\]]+\] "([^"]+)" (-?\d+) \d+ "-" "node" \d+\.\d{3}$/.exec(l)?.slice(1));
    expect(requests).toEqual([
      ['alice', 'initialize - MCP', '200'],
      ['alice', 'notifications/initialized - MCP', '202'],
      ['-', 'initialize - MCP', '401'],
      ['alice', 'tools/call admin_stats MCP', '403'],
      ['alice', 'tools/call echo MCP', '429'],
      ['alice', 'tools/call flaky MCP', '503'],
    ]);
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT anywhere in the output
    expect(output).not.toMatch(/Bearer ey/);
  });

  it('ends with the time it took, every server closed, no colour when stdout is not a terminal', () => {
    expect(lines.at(-1)).toMatch(/^done in \d+\.\d s \(the story clock skipped \d+\.\d s\); every server closed$/);
    // The clock skipped exactly the two waits of the story: the 429's retryAfterMs and the circuit's openMs.
    const skipped = Number(/skipped (\d+\.\d) s/.exec(lines.at(-1) ?? '')?.[1]);
    const waits = steps.filter((s) => s.outcome === 'wait').map((s) => Number.parseFloat(s.what.slice(1)));
    expect(skipped).toBeCloseTo((waits[0] ?? 0) + (waits[1] ?? 0), 0);
    expect(Number(/done in (\d+\.\d) s/.exec(lines.at(-1) ?? '')?.[1])).toBeLessThan(20); // a few seconds; generous for a loaded machine
    expect(output).not.toContain('\u001b[');
  });
});
