import { ConfigError, createJsEngine, FilterManager, ManualClock, type JsonRpcMessage, type Upstream } from '@gopher-mcp/core';
import { describe, expect, it } from 'vitest';

import { accessLog, REDACTED, type AccessLogOptions } from '../src/index.js';
import { authenticateAs, denyWhen, errorResponse, Lines, notification, principal, RecordingLogger, request, result, seededRandom, toolCall } from './helpers.js';

const T0 = Date.UTC(2025, 5, 18, 12, 0, 0);
const engine = createJsEngine();
const size = (message: unknown): number => Buffer.byteLength(JSON.stringify(message));

const HTTP_INIT = {
  transport: 'http',
  session: { id: 'sess-1', protocolVersion: '2025-06-18' },
  peer: {
    address: '203.0.113.7',
    port: 50123,
    headers: {
      'user-agent': 'inspector/1.0',
      authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl',
      cookie: 'session=abc123',
      'x-api-key': 'k-123',
      'x-tenant-secret': 'tenant-s3cret',
      'content-type': 'application/json',
    },
  },
} as const;

/** A chain: access log (outermost), an authentication stand-in, a rate limit stand-in denying tool `expensive`. */
function setup(options: AccessLogOptions, clock = new ManualClock(T0)) {
  const lines = new Lines();
  const log = accessLog({ stream: lines, ...options });
  const manager = new FilterManager({
    engine,
    clock,
    filters: [
      log,
      [authenticateAs(principal('alice')), { name: 'auth' }],
      [denyWhen(429, 'rate limited', { retryAfterMs: 1000, limit: 'per-user' }, (_m, tool) => tool === 'expensive'), { name: 'rate_limit' }],
    ],
  });
  /** An upstream that takes `ms` of the clock and answers `answer`. */
  const upstream =
    (ms: number, answer: (id: number | string) => JsonRpcMessage | undefined): Upstream =>
    (message) => {
      clock.advance(ms);
      return answer(message.id as number);
    };
  return { lines, log, manager, clock, upstream };
}

const OK_RESULT = { content: [{ type: 'text', text: 'hi' }] };

describe('access_log records', () => {
  it('json (default): one exact record per exchange, ok / denied / error / tool_error / notification', async () => {
    const { lines, manager, upstream } = setup({});
    const echo = toolCall(1, 'echo', { text: 'hi' });
    await manager.handle(echo, upstream(12.5, (id) => result(id, OK_RESULT)), HTTP_INIT);
    const expensive = toolCall(2, 'expensive');
    await manager.handle(expensive, upstream(1, () => undefined), HTTP_INIT);
    const read = request('r-3', 'resources/read', { uri: 'file:///etc/motd' });
    await manager.handle(read, upstream(3, (id) => errorResponse(id, -32002, 'resource not found')), HTTP_INIT);
    await manager.handle(toolCall(4, 'flaky'), upstream(2, (id) => result(id, { content: [], isError: true })), HTTP_INIT);
    const progress = notification('notifications/progress', { progressToken: 7, progress: 1 });
    await manager.handle(progress, upstream(0, () => undefined), { transport: 'stdio' });
    const prompt = request(5, 'prompts/get', { name: 'summarize' });
    await manager.handle(prompt, upstream(0.25, (id) => result(id, { messages: [] })), { transport: 'stdio', direction: 'outbound' });

    const denied = { jsonrpc: '2.0', id: 2, error: { code: 429, message: 'rate limited', data: { retryAfterMs: 1000, limit: 'per-user' } } };
    const common = { transport: 'http', kind: 'request', session: 'sess-1', peer: '203.0.113.7:50123', principal: 'alice' };
    expect(lines.lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: '2025-06-18T12:00:00.000Z', direction: 'inbound', ...common, method: 'tools/call', tool: 'echo', id: 1, outcome: 'ok', durationMs: 12.5, bytesIn: size(echo), bytesOut: size(result(1, OK_RESULT)) },
      { time: '2025-06-18T12:00:00.012Z', direction: 'inbound', ...common, method: 'tools/call', tool: 'expensive', id: 2, outcome: 'denied', code: 429, deniedBy: 'rate_limit', durationMs: 0, bytesIn: size(expensive), bytesOut: size(denied) },
      { time: '2025-06-18T12:00:00.012Z', direction: 'inbound', ...common, method: 'resources/read', resource: 'file:///etc/motd', id: 'r-3', outcome: 'error', code: -32002, durationMs: 3, bytesIn: size(read), bytesOut: size(errorResponse('r-3', -32002, 'resource not found')) },
      { time: '2025-06-18T12:00:00.015Z', direction: 'inbound', ...common, method: 'tools/call', tool: 'flaky', id: 4, outcome: 'tool_error', durationMs: 2, bytesIn: size(toolCall(4, 'flaky')), bytesOut: size(result(4, { content: [], isError: true })) },
      { time: '2025-06-18T12:00:00.017Z', direction: 'inbound', transport: 'stdio', kind: 'notification', principal: 'alice', method: 'notifications/progress', outcome: 'ok', durationMs: 0, bytesIn: size(progress), bytesOut: 0 },
      { time: '2025-06-18T12:00:00.017Z', direction: 'outbound', transport: 'stdio', kind: 'request', principal: 'alice', method: 'prompts/get', prompt: 'summarize', id: 5, outcome: 'ok', durationMs: 0.25, bytesIn: size(prompt), bytesOut: size(result(5, { messages: [] })) },
    ]);
    // The exact text of a line: fields in a fixed order, no headers or bodies unless asked.
    expect(lines.chunks[0]).toBe(
      `{"time":"2025-06-18T12:00:00.000Z","direction":"inbound","transport":"http","kind":"request","session":"sess-1","peer":"203.0.113.7:50123","principal":"alice","method":"tools/call","tool":"echo","id":1,"outcome":"ok","durationMs":12.5,"bytesIn":${size(echo)},"bytesOut":${size(result(1, OK_RESULT))}}\n`,
    );
    await manager.close();
  });

  it('logs a denied notification (dropped) with the filter that denied it', async () => {
    const clock = new ManualClock(T0);
    const lines = new Lines();
    const manager = new FilterManager({
      engine,
      clock,
      filters: [accessLog({ stream: lines }), [denyWhen(403, 'forbidden', { rule: 'no-cancel' }, (m) => m === 'notifications/cancelled'), { name: 'authorization' }]],
    });
    const cancelled = notification('notifications/cancelled', { requestId: 9 });
    await manager.handle(cancelled, () => undefined);
    expect(lines.lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { time: '2025-06-18T12:00:00.000Z', direction: 'inbound', transport: 'memory', kind: 'notification', method: 'notifications/cancelled', outcome: 'denied', code: 403, deniedBy: 'authorization', durationMs: 0, bytesIn: size(cancelled), bytesOut: 0 },
    ]);
    expect(manager.getStats().droppedNotifications).toBe(1);
    await manager.close();
  });

  it('text: logfmt in the record order, values with spaces quoted', async () => {
    const { lines, manager, upstream } = setup({ format: 'text' });
    const echo = toolCall(1, 'echo two', { text: 'hi' });
    await manager.handle(echo, upstream(12.5, (id) => result(id, OK_RESULT)), HTTP_INIT);
    await manager.handle(toolCall(2, 'expensive'), upstream(1, () => undefined), HTTP_INIT);
    expect(lines.lines).toEqual([
      `time=2025-06-18T12:00:00.000Z direction=inbound transport=http kind=request session=sess-1 peer=203.0.113.7:50123 principal=alice method=tools/call tool="echo two" id=1 outcome=ok durationMs=12.5 bytesIn=${size(echo)} bytesOut=${size(result(1, OK_RESULT))}`,
      `time=2025-06-18T12:00:00.012Z direction=inbound transport=http kind=request session=sess-1 peer=203.0.113.7:50123 principal=alice method=tools/call tool=expensive id=2 outcome=denied code=429 deniedBy=rate_limit durationMs=0 bytesIn=${size(toolCall(2, 'expensive'))} bytesOut=118`,
    ]);
    await manager.close();
  });

  it('combined: Apache/nginx combined lines with the MCP request line and $request_time', async () => {
    const { lines, manager, upstream } = setup({ format: 'combined' });
    await manager.handle(toolCall(1, 'echo', { text: 'hi' }), upstream(12.5, (id) => result(id, OK_RESULT)), HTTP_INIT);
    await manager.handle(toolCall(2, 'expensive'), upstream(1, () => undefined), HTTP_INIT);
    await manager.handle(notification('notifications/initialized'), upstream(0, () => undefined), { transport: 'stdio' });
    // A peer-chosen name with a quote and a newline cannot break the line.
    await manager.handle(toolCall(3, 'evil"\nname'), upstream(0, (id) => result(id, {})), HTTP_INIT);
    expect(lines.lines).toEqual([
      `203.0.113.7 - alice [18/Jun/2025:12:00:00 +0000] "tools/call echo MCP" 200 ${size(result(1, OK_RESULT))} "-" "inspector/1.0" 0.013`,
      '203.0.113.7 - alice [18/Jun/2025:12:00:00 +0000] "tools/call expensive MCP" 429 118 "-" "inspector/1.0" 0.000',
      '- - alice [18/Jun/2025:12:00:00 +0000] "notifications/initialized - MCP" 202 0 "-" "-" 0.000',
      `203.0.113.7 - alice [18/Jun/2025:12:00:00 +0000] "tools/call evil\\x22\\x0Aname MCP" 200 ${size(result(3, {}))} "-" "inspector/1.0" 0.000`,
    ]);
    await manager.close();
  });

  it('template: fields replaced, absent fields as "-", control characters escaped', async () => {
    const { lines, manager, upstream } = setup({
      format: 'template',
      template: '${time} ${principal}@${peerAddress}:${peerPort} ${method} ${target} #${id} -> ${outcome}/${code} by ${deniedBy} in ${durationMs}ms ua=${userAgent} session=${session}',
    });
    await manager.handle(toolCall(1, 'echo'), upstream(12.5, (id) => result(id, OK_RESULT)), HTTP_INIT);
    await manager.handle(toolCall(2, 'expensive'), upstream(1, () => undefined), HTTP_INIT);
    await manager.handle(request(3, 'ping'), upstream(0, (id) => result(id, {})), { transport: 'stdio', session: { id: 'line\nbreak' } });
    expect(lines.lines).toEqual([
      '2025-06-18T12:00:00.000Z alice@203.0.113.7:50123 tools/call echo #1 -> ok/- by - in 12.5ms ua=inspector/1.0 session=sess-1',
      '2025-06-18T12:00:00.012Z alice@203.0.113.7:50123 tools/call expensive #2 -> denied/429 by rate_limit in 0ms ua=inspector/1.0 session=sess-1',
      '2025-06-18T12:00:00.012Z alice@-:- ping - #3 -> ok/- by - in 0ms ua=- session=line\\x0Abreak',
    ]);
    await manager.close();
  });

  it('rejects a template with an unknown field, or none, naming the path', () => {
    expect(() => accessLog({ format: 'template', template: '${method} ${password}' })).toThrow(ConfigError);
    expect(() => accessLog({ format: 'template', template: '${method} ${password}' })).toThrow('invalid access_log options: template: unknown template field ${password}');
    expect(() => accessLog({ format: 'template' })).toThrow('invalid access_log options: template: format "template" needs a template');
    expect(() => accessLog({ sampleRate: 2 })).toThrow(/invalid access_log options: sampleRate: Too big/);
  });
});

describe('access_log headers and bodies', () => {
  it('never logs headers or bodies unless asked', async () => {
    const { lines, manager, upstream } = setup({});
    await manager.handle(toolCall(1, 'login', { password: 'hunter2' }), upstream(0, (id) => result(id, { accessToken: 'tok' })), HTTP_INIT);
    expect(lines.chunks.join('')).not.toMatch(/hunter2|tok"|authorization|Bearer/);
    await manager.close();
  });

  it('redacts secret headers, secret keys, credential values and configured names and paths', async () => {
    const { lines, manager, upstream } = setup({ includeHeaders: true, includeBodies: true, redact: ['x-tenant-secret', 'ssn', 'params.arguments.card.number', 'result.accounts.*.iban'] });
    const call = toolCall(
      1,
      'pay',
      {
        user: 'alice',
        password: 'hunter2',
        note: 'Bearer abc.def',
        ssn: '078-05-1120',
        card: { number: '4111111111111111', expiry: '12/30' },
        nested: [{ client_secret: 's', api_key: 'k', maxTokens: 100, jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig' }],
      },
      { progressToken: 'p-1' },
    );
    await manager.handle(
      call,
      upstream(1, (id) => result(id, { accessToken: 'at-1', refresh_token: 'rt-1', accounts: [{ iban: 'DE89370400440532013000', name: 'main' }], content: [] })),
      HTTP_INIT,
    );
    const record = JSON.parse(lines.lines[0] as string) as Record<string, unknown>;
    expect(record.headers).toEqual({
      'user-agent': 'inspector/1.0',
      authorization: REDACTED,
      cookie: REDACTED,
      'x-api-key': REDACTED,
      'x-tenant-secret': REDACTED,
      'content-type': 'application/json',
    });
    expect(record.request).toEqual({
      name: 'pay',
      arguments: {
        user: 'alice',
        password: REDACTED,
        note: REDACTED,
        ssn: REDACTED,
        card: { number: REDACTED, expiry: '12/30' },
        nested: [{ client_secret: REDACTED, api_key: REDACTED, maxTokens: 100, jwt: REDACTED }],
      },
      _meta: { progressToken: 'p-1' },
    });
    expect(record.response).toEqual({ accessToken: REDACTED, refresh_token: REDACTED, accounts: [{ iban: REDACTED, name: 'main' }], content: [] });
    expect(lines.chunks.join('')).not.toMatch(/hunter2|4111111111111111|078-05-1120|tenant-s3cret|abc123|k-123|at-1|rt-1|DE8937/);
    await manager.close();
  });

  it('logs an error response body and caps bodies at maxBodyBytes on a character boundary', async () => {
    const { lines, manager, upstream } = setup({ includeBodies: true, maxBodyBytes: 40 });
    await manager.handle(toolCall(1, 'echo', { text: 'ééééééééééééééééééééé' }), upstream(0, (id) => errorResponse(id, -32602, 'bad')), HTTP_INIT);
    const record = JSON.parse(lines.lines[0] as string) as Record<string, unknown>;
    const full = JSON.stringify({ name: 'echo', arguments: { text: 'ééééééééééééééééééééé' } });
    // 40 bytes: `{"name":"echo","arguments":{"text":"` is 36 bytes, then two 2-byte é.
    expect(record.request).toBe(`{"name":"echo","arguments":{"text":"éé…[truncated, ${Buffer.byteLength(full)} bytes]`);
    expect(record.response).toEqual({ code: -32602, message: 'bad' });
    await manager.close();
  });
});

describe('access_log sampling and sinks', () => {
  it('samples successful exchanges with the injected random source and always logs failures', async () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 8 }, seededRandom(42));
    const { lines, manager, upstream } = setup({ sampleRate: 0.5, random });
    for (let id = 1; id <= 8; id++) await manager.handle(toolCall(id, 'echo'), upstream(0, (i) => result(i, {})), HTTP_INIT);
    await manager.handle(toolCall(9, 'expensive'), upstream(0, () => undefined), HTTP_INIT);
    await manager.handle(toolCall(10, 'echo'), upstream(0, (i) => errorResponse(i, -32603, 'boom')), HTTP_INIT);
    const expectedOk = draws.map((d, i) => (d < 0.5 ? i + 1 : undefined)).filter((id) => id !== undefined);
    expect(expectedOk.length).toBeGreaterThan(0);
    expect(expectedOk.length).toBeLessThan(8);
    expect(lines.lines.map((l) => (JSON.parse(l) as { id: number }).id)).toEqual([...expectedOk, 9, 10]);
    await manager.close();
  });

  it('sampleRate 0 logs only failures', async () => {
    const { lines, manager, upstream } = setup({ sampleRate: 0 });
    await manager.handle(toolCall(1, 'echo'), upstream(0, (i) => result(i, {})), HTTP_INIT);
    await manager.handle(toolCall(2, 'expensive'), upstream(0, () => undefined), HTTP_INIT);
    expect(lines.lines.map((l) => (JSON.parse(l) as { outcome: string }).outcome)).toEqual(['denied']);
    await manager.close();
  });

  it('logger sink: hands the record to a pino-compatible logger (json) or the line (other formats)', async () => {
    const logger = new RecordingLogger();
    const clock = new ManualClock(T0);
    const json = new FilterManager({ engine, clock, filters: [accessLog({ sink: 'logger', logger })] });
    await json.handle(request(1, 'ping'), (m) => result(m.id as number, {}));
    const text = new FilterManager({ engine, clock, logger, filters: [accessLog({ sink: 'logger', format: 'combined' })] });
    await text.handle(request(2, 'ping'), (m) => result(m.id as number, {}));
    expect(logger.calls).toEqual([
      {
        level: 'info',
        object: { startTime: '2025-06-18T12:00:00.000Z', direction: 'inbound', transport: 'memory', kind: 'request', method: 'ping', id: 1, outcome: 'ok', durationMs: 0, bytesIn: 40, bytesOut: 36 },
        message: 'mcp exchange',
      },
      { level: 'info', object: undefined, message: '- - - [18/Jun/2025:12:00:00 +0000] "ping - MCP" 200 36 "-" "-" 0.000' },
    ]);
    await json.close();
    await text.close();
  });

  it('never fails an exchange when the sink throws: warns once', async () => {
    const logger = new RecordingLogger();
    const broken = {
      write(): boolean {
        throw new Error('EPIPE');
      },
    };
    const manager = new FilterManager({ engine, clock: new ManualClock(T0), logger, filters: [accessLog({ stream: broken })] });
    expect(await manager.handle(request(1, 'ping'), (m) => result(m.id as number, {}))).toEqual(result(1, {}));
    expect(await manager.handle(request(2, 'ping'), (m) => result(m.id as number, {}))).toEqual(result(2, {}));
    expect(logger.calls).toEqual([{ level: 'warn', object: { err: 'EPIPE' }, message: 'gopher-mcp: access log record failed; exchanges are unaffected' }]);
    expect(manager.getStats().filterErrors).toBe(0);
    await manager.close();
  });

  it('refuses standard output', () => {
    expect(() => accessLog({ stream: process.stdout })).toThrow('the access log never writes to standard output');
  });
});
