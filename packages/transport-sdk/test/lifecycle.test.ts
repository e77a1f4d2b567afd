/**
 * The decorator's own contract, on the real SDK in-memory transports of both lines: what passes
 * through untouched, what is released and when (close, timeout, cancellation), ownership of the
 * manager, configuration, server-initiated traffic, duplicate ids, auth info.
 */
import {
  ConfigError,
  createJsEngine,
  ErrorCode,
  FilterManager,
  FilterRegistry,
  filterConditionSchema,
  ManualClock,
  type Filter,
  type FilterFactory,
} from '@gopher-mcp/core';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { GopherTransport, REQUEST_CANCELLED, withFilters, type GopherTransportOptions, type SdkTransport } from '../src/index.js';
import { demoServer, resultText, type DemoServer } from './fixtures/demo-server.js';
import { recorder, type SeenEntry } from './fixtures/filters.js';
import { RawClient } from './fixtures/raw-client.js';
import { RecordingTransport } from './fixtures/recording-transport.js';
import { sdkLines, type SdkLine, type TestClient, type TestServer } from './fixtures/sdk-lines.js';

const engine = createJsEngine();

interface Setup {
  readonly demo: DemoServer;
  readonly server: TestServer;
  readonly client: TestClient;
  readonly serverTransport: GopherTransport;
  readonly manager: FilterManager;
  readonly seen: SeenEntry[];
  /** What the server SDK gave its transport, and what the decorator gave the inner transport. */
  readonly above: RecordingTransport;
  readonly below: RecordingTransport;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serverSetup(line: SdkLine, options: Partial<GopherTransportOptions> = {}, filters: Filter[] = [], clientOptions: { roots?: boolean } = {}): Promise<Setup> {
  const demo = demoServer();
  const seen: SeenEntry[] = [];
  const manager = new FilterManager({ engine, filters: [recorder(seen), ...filters] });
  const [clientInner, serverInner] = line.memoryPair();
  const below = new RecordingTransport(serverInner);
  const serverTransport = new GopherTransport(below, manager, { side: 'server', transportName: 'memory', ...options });
  const above = new RecordingTransport(serverTransport);
  const server = line.server(demo.handlers);
  await server.connect(above);
  const client = line.client(clientOptions);
  await client.connect(clientInner);
  cleanups.push(async () => {
    demo.releaseHanging();
    await client.close();
    await server.close();
    await manager.close();
  });
  return { demo, server, client, serverTransport, manager, seen, above, below };
}

describe.each(sdkLines)('lifecycle and pass-through, $title', (line) => {
  it('hands the SDK the inner transport\'s extra and the inner transport the SDK\'s send options, as the same objects', async () => {
    const { client, above, below } = await serverSetup(line);
    await client.callTool('progress', { tag: 'x', steps: 2 }, { onprogress: () => undefined });
    // Inbound: every message reached the SDK with the very extra object the inner transport gave.
    expect(above.receives.length).toBeGreaterThan(0);
    for (const received of above.receives) {
      const original = below.receives.find((r) => r.message === received.message);
      expect(original).toBeDefined();
      expect(received.extra).toBe(original?.extra);
    }
    // Outbound: the progress notifications and every response left with the SDK's options object.
    expect(below.sends.length).toBe(above.sends.length);
    for (const sent of below.sends) {
      const original = above.sends.find((a) => a.message === sent.message || (('id' in a.message && 'id' in sent.message && a.message.id === sent.message.id) && !('method' in a.message)));
      expect(original).toBeDefined();
      expect(sent.options).toBe(original?.options);
    }
    const progress = below.sends.filter((s) => 'method' in s.message && s.message.method === 'notifications/progress');
    expect(progress).toHaveLength(2);
    for (const p of progress) expect(p.options?.relatedRequestId).toEqual(expect.any(Number));
  });

  it('keeps sessionId, setProtocolVersion and setSupportedProtocolVersions wired to the inner transport', async () => {
    const calls: string[] = [];
    const inner: SdkTransport = {
      sessionId: 'session-1',
      start: async () => undefined,
      send: async () => undefined,
      close: async () => undefined,
      setProtocolVersion: (version) => calls.push(`version:${version}`),
      setSupportedProtocolVersions: (versions) => calls.push(`supported:${versions.join(',')}`),
    };
    const transport = withFilters(inner, [], { side: 'client' });
    expect(transport.sessionId).toBe('session-1');
    transport.sessionId = 'session-2';
    expect(inner.sessionId).toBe('session-2');
    transport.setProtocolVersion('2025-06-18');
    transport.setSupportedProtocolVersions(['2025-06-18', '2025-11-25']);
    expect(calls).toEqual(['version:2025-06-18', 'supported:2025-06-18,2025-11-25']);
    expect(transport.protocolVersion).toBe('2025-06-18');
    expect(transport.transportName).toBe('sdk');
    await transport.close();
  });

  it('learns the negotiated protocol version from the initialize result on the server side', async () => {
    const { client, serverTransport, seen } = await serverSetup(line);
    await client.ping();
    expect(serverTransport.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(seen.find((e) => e.method === 'ping')?.protocolVersion).toBe(serverTransport.protocolVersion);
    expect(seen.every((e) => e.transport === 'memory')).toBe(true);
  });

  it('close() releases a request whose response never came, answers nothing more, and closes the manager it owns', async () => {
    const demo = demoServer();
    const seen: SeenEntry[] = [];
    const [clientInner, serverInner] = line.memoryPair();
    const serverTransport = withFilters(serverInner, [recorder(seen)], { side: 'server' });
    const server = line.server(demo.handlers);
    await server.connect(serverTransport);
    const client = line.client();
    await client.connect(clientInner);
    const hanging = client.callTool('hang', {}).catch((e: unknown) => e);
    await vi.waitFor(() => expect(demo.hanging).toBe(1));
    expect(serverTransport.getStats()).toMatchObject({ awaitingLocalResponse: 1, inFlight: 1 });

    await serverTransport.close();
    expect(serverTransport.getStats()).toMatchObject({ awaitingLocalResponse: 0, inFlight: 0 });
    expect(seen.find((e) => e.phase === 'response' && e.tool === 'hang')).toMatchObject({ kind: 'error', code: ErrorCode.UNAVAILABLE });
    expect(await hanging).toBeInstanceOf(Error); // the client saw the connection close, not an answer
    expect(() => serverTransport.chain?.add(recorder([]))).toThrow(/closed/); // owned: closed with the transport
    demo.releaseHanging();
    await server.close();
  });

  it('leaves a manager it was given open', async () => {
    const manager = new FilterManager({ engine });
    const [, serverInner] = line.memoryPair();
    const transport = withFilters(serverInner, manager, { side: 'server' });
    await transport.start();
    await transport.close();
    expect(() => manager.chain.add(recorder([]))).not.toThrow();
    await manager.close();
  });

  it('answers 504 when the exchange timeout passes (on the injected clock) and drops the late response', async () => {
    const clock = new ManualClock();
    const { demo, client, seen, serverTransport } = await serverSetup(line, { exchangeTimeoutMs: 1_000, clock });
    const call = client.callTool('hang', {}).catch((e: unknown) => e);
    await vi.waitFor(() => expect(demo.hanging).toBe(1));
    clock.advance(999);
    expect(serverTransport.getStats().awaitingLocalResponse).toBe(1);
    clock.advance(1);
    const error = await call;
    expect(line.isProtocolError(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.TIMEOUT, data: { timeoutMs: 1_000 } });
    demo.releaseHanging(); // the SDK answers late: nobody must get a second response
    await vi.waitFor(() => expect(demo.hanging).toBe(0));
    await client.ping();
    expect(client.errors).toEqual([]);
    expect(seen.filter((e) => e.phase === 'response' && e.tool === 'hang')).toEqual([expect.objectContaining({ code: ErrorCode.TIMEOUT })]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("releases a request the client cancelled, without answering it", async () => {
    const { demo, client, seen, serverTransport } = await serverSetup(line);
    const abort = new AbortController();
    const call = client.callTool('hang', {}, { signal: abort.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(demo.hanging).toBe(1));
    abort.abort(new Error('the user gave up'));
    expect(await call).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(serverTransport.getStats().awaitingLocalResponse).toBe(0));
    await client.ping();
    expect(seen.filter((e) => e.phase === 'response' && e.tool === 'hang')).toEqual([expect.objectContaining({ kind: 'error', code: REQUEST_CANCELLED })]);
    expect(client.errors).toEqual([]);
  });

  it('releases a request the SDK cancelled on the client side, without handing the SDK a response', async () => {
    const demo = demoServer();
    const seen: SeenEntry[] = [];
    const [clientInner, serverInner] = line.memoryPair();
    const server = line.server(demo.handlers);
    await server.connect(serverInner);
    const clientTransport = withFilters(clientInner, [recorder(seen)], { side: 'client' });
    const client = line.client();
    await client.connect(clientTransport);
    cleanups.push(async () => {
      demo.releaseHanging();
      await client.close();
      await server.close();
    });
    const abort = new AbortController();
    const call = client.callTool('hang', {}, { signal: abort.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(demo.hanging).toBe(1));
    abort.abort(new Error('the user gave up'));
    expect(await call).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(clientTransport.getStats().awaitingPeerResponse).toBe(0));
    await client.ping();
    expect(seen.filter((e) => e.phase === 'response' && e.tool === 'hang')).toEqual([expect.objectContaining({ code: REQUEST_CANCELLED })]);
    expect(seen.some((e) => e.method === 'notifications/cancelled')).toBe(true);
    expect(client.errors).toEqual([]);
  });

  it('lets server-initiated exchanges pass untouched by default, and runs them through the chain when asked', async () => {
    const plain = await serverSetup(line, {}, [], { roots: true });
    expect(resultText(await plain.client.callTool('ping-client', {}))).toBe('pinged');
    expect(plain.seen.filter((e) => e.direction === 'outbound')).toEqual([]);

    const both = await serverSetup(line, { directions: ['inbound', 'outbound'] }, [], { roots: true });
    expect(resultText(await both.client.callTool('ping-client', {}))).toBe('pinged');
    const outbound = both.seen.filter((e) => e.direction === 'outbound').map((e) => `${e.phase}:${e.kind}:${e.method}`);
    expect(outbound).toEqual(['request:request:ping', 'response:result:ping']);
  });

  it('refuses a second request with an id still in flight (-32600) and keeps serving the first', async () => {
    const demo = demoServer();
    const [clientInner, serverInner] = line.memoryPair();
    const server = line.server(demo.handlers);
    const manager = new FilterManager({ engine });
    await server.connect(withFilters(serverInner, manager, { side: 'server' }));
    const raw = new RawClient(clientInner);
    await raw.start();
    await raw.initialize();
    const first = raw.request(7, 'tools/call', { name: 'hang', arguments: {} });
    await vi.waitFor(() => expect(demo.hanging).toBe(1));
    const duplicate = await raw.request(7, 'tools/call', { name: 'echo', arguments: { text: 'dup' } });
    expect(duplicate).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: ErrorCode.INVALID_REQUEST, message: 'a request with this id is already in flight', data: { reason: 'duplicate id' } },
    });
    demo.releaseHanging();
    expect(await first).toMatchObject({ id: 7, result: { content: [{ type: 'text', text: 'released' }] } });
    expect(raw.received.filter((m) => 'id' in m && m.id === 7)).toHaveLength(2);
    await raw.close();
    await server.close();
    await manager.close();
  });

  it("turns the transport's auth info into the principal (without the token) unless told not to", async () => {
    for (const principalFromAuthInfo of [true, false]) {
      const seen: SeenEntry[] = [];
      const [clientInner, serverInner] = line.memoryPair();
      const server = line.server(demoServer().handlers);
      const manager = new FilterManager({ engine, filters: [recorder(seen)] });
      await server.connect(withFilters(serverInner, manager, { side: 'server', principalFromAuthInfo }));
      const raw = new RawClient(clientInner);
      await raw.start();
      await raw.initialize();
      const authInfo = { token: 'secret-xyz', clientId: 'svc-1', scopes: ['read'], expiresAt: 2_000_000_000 };
      await raw.request(1, 'tools/call', { name: 'echo', arguments: { text: 'a' } }, { authInfo } as never);
      const entry = seen.find((e) => e.phase === 'request' && e.tool === 'echo');
      expect(entry?.hasAuthInfo).toBe(true);
      if (principalFromAuthInfo) {
        expect(entry?.principal).toEqual({ subject: 'svc-1', scopes: ['read'], claims: { client_id: 'svc-1', exp: 2_000_000_000 } });
      } else {
        expect(entry?.principal).toBeUndefined();
      }
      expect(JSON.stringify(seen)).not.toContain('secret-xyz');
      await raw.close();
      await server.close();
      await manager.close();
    }
  });
});

describe('configuration', () => {
  const denyFactory: FilterFactory<{ methods?: string[] }> = {
    type: 'test_deny_methods',
    schema: filterConditionSchema,
    define: (options) => ({
      type: 'test_deny_methods',
      create: () => ({
        type: 'test_deny_methods',
        handle: (exchange, next) =>
          options.methods?.includes(exchange.message.method ?? '') === true ? exchange.deny(ErrorCode.FORBIDDEN, 'denied by config', { rule: 'config' }) : next(),
      }),
    }),
  };

  it.each(sdkLines)('builds the chain of a FilterManager config at start() and closes it with the transport ($title)', async (line) => {
    const registry = new FilterRegistry().registerFactory(denyFactory);
    const [clientInner, serverInner] = line.memoryPair();
    const transport = new GopherTransport(serverInner, { engine: 'js', customFilters: [{ type: 'test_deny_methods', options: { methods: ['tools/call'] } }] }, { side: 'server', fromConfig: { registry } });
    expect(transport.chain).toBeUndefined();
    const server = line.server(demoServer().handlers);
    await server.connect(transport);
    expect(transport.chain?.names()).toEqual(['test_deny_methods']);
    const client = line.client();
    await client.connect(clientInner);
    const error = await client.callTool('echo', { text: 'a' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.FORBIDDEN, data: { rule: 'config' } });
    await client.close();
    await server.close();
    expect(() => transport.chain?.add(recorder([]))).toThrow(/closed/);
  });

  it('fails at construction on an invalid configuration, naming the path', () => {
    const [, serverInner] = sdkLines[0]?.memoryPair() ?? [];
    expect(() => new GopherTransport(serverInner as SdkTransport, { exchangeTimeoutMs: -5 }, { side: 'server' })).toThrow(ConfigError);
    expect(() => new GopherTransport(serverInner as SdkTransport, { exchangeTimeoutMs: -5 }, { side: 'server' })).toThrow(/exchangeTimeoutMs/);
    expect(() => new GopherTransport(serverInner as SdkTransport, [], { side: 'middle' as never })).toThrow(/side/);
  });

  it('fromConfig() fails before connecting when a filter type is unknown', async () => {
    const [, serverInner] = sdkLines[0]?.memoryPair() ?? [];
    const failure = GopherTransport.fromConfig(serverInner as SdkTransport, { customFilters: [{ type: 'nope' }] }, { side: 'server', fromConfig: { registry: new FilterRegistry() } });
    await expect(failure).rejects.toThrow(/customFilters\.0\.type/);
  });

  it.each(sdkLines)('never lets traffic through unfiltered when the configured chain cannot be built ($title)', async (line) => {
    const [clientInner, serverInner] = line.memoryPair();
    const transport = new GopherTransport(serverInner, { customFilters: [{ type: 'not_registered' }] }, { side: 'server', fromConfig: { registry: new FilterRegistry() } });
    const demo = demoServer();
    const server = line.server(demo.handlers);
    await expect(server.connect(transport)).rejects.toThrow(/not_registered/);
    expect(serverInner.onmessage).toBeUndefined(); // never attached: nothing reaches the SDK
    expect(transport.chain).toBeUndefined();
    await expect(transport.send({ jsonrpc: '2.0', method: 'notifications/test/mark' })).rejects.toThrow(/start the transport/);
    const raw = new RawClient(clientInner);
    await raw.start();
    await raw.notify('notifications/test/mark', { tag: 'x' }).catch(() => undefined);
    expect(demo.deliveries).toEqual([]);
    expect(raw.received).toEqual([]);
    await raw.close();
  });

  it('names the transport after the inner transport class', () => {
    const [clientInner] = sdkLines[0]?.memoryPair() ?? [];
    expect(withFilters(clientInner as SdkTransport, [], { side: 'client' }).transportName).toBe('memory');
    expect(withFilters(clientInner as SdkTransport, [], { side: 'client', transportName: 'custom' }).transportName).toBe('custom');
  });
});
