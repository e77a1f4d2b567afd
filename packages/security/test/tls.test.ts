import { X509Certificate } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server, TLSSocket } from 'node:tls';

import { ConfigError, createExchangeContext, FilterChain, createJsEngine, ManualClock, ObjectMessageView, systemClock, type JsonRpcMessage } from '@gopher-mcp/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  authentication,
  CLIENT_CERTIFICATE_CHALLENGE,
  createTlsServerOptions,
  splitSubjectAltNames,
  tlsPeerInfo,
  tlsTermination,
  TlsTerminator,
  type FileWatcher,
  type TlsReloadOutcome,
} from '../src/index.js';
import { hasOpenssl, makeTestPki, type TestPki } from './helpers/certs.js';
import { testChain } from './helpers/chain.js';
import { connectTls, roundTrip } from './helpers/tls-client.js';

const openssl = hasOpenssl();
let pki: TestPki;
beforeAll(() => {
  if (openssl) pki = makeTestPki();
});
afterAll(() => pki?.remove());

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Starts an echo server (one line in, the same line out) with the terminator's options on 127.0.0.1. */
async function echoServer(terminator: TlsTerminator, onSocket?: (socket: TLSSocket) => void): Promise<{ server: Server; port: number; sockets: TLSSocket[] }> {
  const sockets: TLSSocket[] = [];
  const server = terminator.createServer((socket) => {
    sockets.push(socket);
    onSocket?.(socket);
    socket.on('error', () => undefined);
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        socket.write(`${buffer.slice(0, end)}\n`);
        buffer = buffer.slice(end + 1);
      }
    });
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

async function client(port: number, options: Parameters<typeof connectTls>[1] = {}): Promise<TLSSocket> {
  const socket = await connectTls(port, { ca: pki.ca.certPem, ...options });
  cleanup.push(() => void socket.destroy());
  return socket;
}

const cnOf = (socket: TLSSocket): string | undefined => socket.getPeerX509Certificate()?.subject.split('\n').find((l) => l.startsWith('CN='));

/** Copies server B's (or A's) files over the served ones. */
function serve(which: 'A' | 'B', paths: { cert: string; key: string }): void {
  const source = which === 'A' ? pki.serverA : pki.serverB;
  copyFileSync(source.key, paths.key);
  copyFileSync(source.cert, paths.cert);
}

function servedPaths(name: string): { cert: string; key: string } {
  const paths = { cert: `${pki.dir}/${name}.crt`, key: `${pki.dir}/${name}.key` };
  serve('A', paths);
  return paths;
}

describe.skipIf(!openssl)('TLS termination (certificates made with openssl in the test)', () => {
  it('builds server options from the files and fails with the field of a missing or mismatched file', () => {
    const options = createTlsServerOptions({ certFile: pki.serverA.cert, keyFile: pki.serverA.key, minVersion: 'TLSv1.3', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    expect(options).toMatchObject({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', requestCert: false, rejectUnauthorized: false });
    expect(String(options.cert)).toBe(pki.serverA.certPem);
    expect(createTlsServerOptions({ certFile: pki.serverA.cert, keyFile: pki.serverA.key, caFile: pki.ca.cert, clientCertificate: 'required' })).toMatchObject({
      requestCert: true,
      rejectUnauthorized: true,
    });
    expect(() => createTlsServerOptions({ certFile: `${pki.dir}/missing.crt`, keyFile: pki.serverA.key })).toThrow(/^certFile: cannot read .*missing\.crt \(ENOENT\)$/);
    expect(() => createTlsServerOptions({ certFile: pki.serverA.cert, keyFile: pki.serverB.key })).toThrow(ConfigError);
    expect(() => createTlsServerOptions({ certFile: pki.serverA.cert, keyFile: pki.serverA.key, clientCertificate: 'required' })).toThrow(
      /caFile: client certificates need a caFile/,
    );
    expect(() => createTlsServerOptions({ certFile: pki.serverA.cert, keyFile: pki.serverA.key, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' })).toThrow(
      /minVersion: minVersion is above maxVersion/,
    );
  });

  it('serves TLS within the configured protocol versions', async () => {
    const terminator = new TlsTerminator({ certFile: pki.serverA.cert, keyFile: pki.serverA.key, minVersion: 'TLSv1.3', watch: false });
    cleanup.push(() => terminator.close());
    const { port } = await echoServer(terminator);
    const socket = await client(port);
    expect(socket.getProtocol()).toBe('TLSv1.3');
    expect(cnOf(socket)).toBe('CN=server-a');
    expect(await roundTrip(socket, 'hello')).toBe('hello');
    await expect(connectTls(port, { ca: pki.ca.certPem, maxVersion: 'TLSv1.2' })).rejects.toThrow(/alert|protocol version|wrong version/i);
  });

  it('requires a client certificate from the CA (mTLS) and exposes its identity', async () => {
    const terminator = new TlsTerminator({ certFile: pki.serverA.cert, keyFile: pki.serverA.key, caFile: pki.ca.cert, clientCertificate: 'required', watch: false });
    cleanup.push(() => terminator.close());
    const identities: unknown[] = [];
    const { port } = await echoServer(terminator, (socket) => identities.push(tlsPeerInfo(socket)));
    const good = await client(port, { cert: pki.client.certPem, key: pki.client.keyPem });
    expect(await roundTrip(good, 'ping')).toBe('ping');
    expect(identities).toEqual([
      {
        protocol: 'TLSv1.3',
        cipher: expect.stringMatching(/^TLS_/),
        peerCertificate: {
          subject: 'O=Gopher, CN=client',
          subjectAltNames: ['URI:spiffe://example.test/client', 'DNS:client.example.test'],
          fingerprint256: new X509Certificate(pki.client.certPem).fingerprint256,
          issuer: 'CN=Gopher Test CA',
          authorized: true,
        },
      },
    ]);
    // Without a certificate, or with one from another CA, the connection fails (TLS 1.3: at the first exchange).
    const attempt = async (options: Parameters<typeof connectTls>[1]) => {
      const socket = await connectTls(port, { ca: pki.ca.certPem, ...options });
      cleanup.push(() => void socket.destroy());
      return roundTrip(socket, 'x');
    };
    await expect(attempt({})).rejects.toThrow(/certificate required|closed|reset/i);
    await expect(attempt({ cert: pki.rogueClient.certPem, key: pki.rogueClient.keyPem })).rejects.toThrow(/unknown ca|closed|reset/i);
    expect(identities).toHaveLength(1);
  });

  it('accepts connections without a certificate when optional, marking unverified ones', async () => {
    const terminator = new TlsTerminator({ certFile: pki.serverA.cert, keyFile: pki.serverA.key, caFile: pki.ca.cert, clientCertificate: 'optional', watch: false });
    cleanup.push(() => terminator.close());
    const seen: Array<ReturnType<typeof tlsPeerInfo>> = [];
    const { port } = await echoServer(terminator, (socket) => seen.push(terminator.peerInfo(socket)));
    await roundTrip(await client(port), 'a');
    await roundTrip(await client(port, { cert: pki.rogueClient.certPem, key: pki.rogueClient.keyPem }), 'b');
    await roundTrip(await client(port, { cert: pki.client.certPem, key: pki.client.keyPem }), 'c');
    expect(seen.map((s) => s.peerCertificate?.authorized)).toEqual([undefined, false, true]);
  });

  it('swaps the certificate on reload(): the open connection survives, a new one sees the new certificate', async () => {
    const paths = servedPaths('swap');
    const outcomes: TlsReloadOutcome[] = [];
    const terminator = new TlsTerminator({ certFile: paths.cert, keyFile: paths.key, watch: false }, { onReload: (o) => outcomes.push(o) });
    cleanup.push(() => terminator.close());
    const { port } = await echoServer(terminator);
    const before = await client(port);
    expect(cnOf(before)).toBe('CN=server-a');
    expect(await roundTrip(before, 'one')).toBe('one');

    expect(terminator.reload()).toEqual({ ok: true, changed: false, generation: 1 });
    serve('B', paths);
    expect(terminator.reload()).toEqual({ ok: true, changed: true, generation: 2 });

    expect(await roundTrip(before, 'two')).toBe('two'); // the old connection is still up
    const after = await client(port);
    expect(cnOf(after)).toBe('CN=server-b');
    expect(await roundTrip(after, 'three')).toBe('three');
    expect(await roundTrip(before, 'four')).toBe('four');
    expect(outcomes.map((o) => o.changed)).toEqual([false, true]);
  });

  it('keeps the old certificate when the new files do not make a usable pair', async () => {
    const paths = servedPaths('broken');
    const terminator = new TlsTerminator({ certFile: paths.cert, keyFile: paths.key, watch: false });
    cleanup.push(() => terminator.close());
    const { port } = await echoServer(terminator);
    copyFileSync(pki.serverB.cert, paths.cert); // the key is still A's
    const outcome = terminator.reload();
    expect(outcome).toMatchObject({ ok: false, changed: false, generation: 1 });
    expect(outcome.error).toMatch(/^certFile\/keyFile: unusable TLS material/);
    expect(cnOf(await client(port))).toBe('CN=server-a');
  });

  it('reloads once per burst of file changes after the debounce (injected watcher and clock)', async () => {
    const paths = servedPaths('debounce');
    let changed: (() => void) | undefined;
    let closedWatch = false;
    const watcher: FileWatcher = {
      watch: (watched, onChange) => {
        expect(watched).toEqual([paths.cert, paths.key, pki.ca.cert]);
        changed = onChange;
        return { close: () => void (closedWatch = true) };
      },
    };
    const clock = new ManualClock(0);
    const outcomes: TlsReloadOutcome[] = [];
    const terminator = new TlsTerminator(
      { certFile: paths.cert, keyFile: paths.key, caFile: pki.ca.cert, watchDebounceMs: 200 },
      { watcher, clock, onReload: (o) => outcomes.push(o) },
    );
    const { port } = await echoServer(terminator);
    serve('B', paths);
    changed?.();
    clock.advance(150);
    changed?.();
    clock.advance(199);
    expect(outcomes).toEqual([]);
    clock.advance(1);
    expect(outcomes).toEqual([{ ok: true, changed: true, generation: 2 }]);
    expect(cnOf(await client(port))).toBe('CN=server-b');
    terminator.close();
    expect(closedWatch).toBe(true);
    changed?.();
    clock.advance(1000);
    expect(outcomes).toHaveLength(1);
  });

  it('reloads when the files change on disk (fs.watch)', async () => {
    const paths = servedPaths('watched');
    let resolveChanged: (o: TlsReloadOutcome) => void = () => undefined;
    const changed = new Promise<TlsReloadOutcome>((resolve) => (resolveChanged = resolve));
    const terminator = new TlsTerminator(
      { certFile: paths.cert, keyFile: paths.key, watchDebounceMs: 50 },
      { clock: systemClock, onReload: (o) => o.changed && resolveChanged(o) },
    );
    cleanup.push(() => terminator.close());
    const { port } = await echoServer(terminator);
    const before = await client(port);
    serve('B', paths);
    expect(await changed).toEqual({ ok: true, changed: true, generation: 2 });
    expect(cnOf(await client(port))).toBe('CN=server-b');
    expect(await roundTrip(before, 'still here')).toBe('still here');
  });
});

describe('tls_termination filter', () => {
  const identity = (authorized: boolean) => ({ subject: 'CN=client', subjectAltNames: [], fingerprint256: 'AA', authorized });
  const certFiles = { certFile: '/etc/tls/server.crt', keyFile: '/etc/tls/server.key', caFile: '/etc/tls/ca.crt' };

  it('fails closed when the exchange did not arrive over TLS as configured', async () => {
    const required = testChain([tlsTermination({ ...certFiles, clientCertificate: 'required' })]);
    const optional = testChain([tlsTermination({ ...certFiles, clientCertificate: 'optional' })]);
    const plain = testChain([tlsTermination({ ...certFiles })]);
    cleanup.push(() => required.close(), () => optional.close(), () => plain.close());
    const err = async (t: typeof plain, tls?: object) => (await t.call('x', {}, tls === undefined ? {} : { peer: { tls } })).response?.error ?? 'ok';
    expect(await err(plain)).toEqual({ code: 403, message: 'forbidden: the connection is not TLS', data: { rule: 'tls_required' } });
    expect(await err(plain, { protocol: 'TLSv1.1' })).toEqual({ code: 403, message: 'forbidden: TLS below TLSv1.2', data: { rule: 'tls_version' } });
    expect(await err(plain, { protocol: 'TLSv1.2' })).toBe('ok');
    expect(await err(required, { protocol: 'TLSv1.3' })).toEqual({
      code: 401,
      message: 'unauthorized: client certificate required',
      data: { wwwAuthenticate: CLIENT_CERTIFICATE_CHALLENGE, reason: 'client_certificate_required' },
    });
    expect(CLIENT_CERTIFICATE_CHALLENGE).toBe('ClientCertificate');
    expect(await err(required, { protocol: 'TLSv1.3', peerCertificate: identity(false) })).toMatchObject({ code: 401, data: { reason: 'client_certificate_unverified' } });
    expect(await err(required, { protocol: 'TLSv1.3', peerCertificate: identity(true) })).toBe('ok');
    expect(await err(optional, { protocol: 'TLSv1.3' })).toBe('ok');
    expect(await err(optional, { protocol: 'TLSv1.3', peerCertificate: identity(false) })).toMatchObject({ code: 401 });
    expect((await required.run({ id: 1, method: 'sampling/createMessage' }, { direction: 'outbound' })).response?.result).toEqual({ ok: true });
  });

  it('splits subject alternative names with quoted commas', () => {
    expect(splitSubjectAltNames('DNS:a.test, IP Address:127.0.0.1, URI:"spiffe://x/a,b"')).toEqual(['DNS:a.test', 'IP Address:127.0.0.1', 'URI:spiffe://x/a,b']);
    expect(splitSubjectAltNames(undefined)).toEqual([]);
  });
});

describe.skipIf(!openssl)('mTLS end to end: a real TLS connection, the chain, and the certificate as principal', () => {
  it('authenticates the client certificate as an mtls principal', async () => {
    const chain = new FilterChain({ engine: createJsEngine() });
    chain.add(tlsTermination({ certFile: pki.serverA.cert, keyFile: pki.serverA.key, caFile: pki.ca.cert, clientCertificate: 'optional' }));
    chain.add(authentication({ acceptClientCertificates: true, clientCertificateGrants: [{ subjectAltName: 'URI:spiffe://example.test/*', roles: ['service'] }] }));
    cleanup.push(() => chain.close());
    const terminator = new TlsTerminator({ certFile: pki.serverA.cert, keyFile: pki.serverA.key, caFile: pki.ca.cert, clientCertificate: 'optional', watch: false });
    cleanup.push(() => terminator.close());
    const server = terminator.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', async (chunk: Buffer) => {
        const context = createExchangeContext({ transport: 'tcp', peer: { address: socket.remoteAddress, tls: tlsPeerInfo(socket) } });
        const response = await chain.run(new ObjectMessageView(JSON.parse(chunk.toString('utf8')) as JsonRpcMessage), context, async (m, ctx) =>
          new ObjectMessageView({ jsonrpc: '2.0', id: m.id as number, result: { subject: ctx.principal?.subject, roles: ctx.principal?.roles, method: ctx.principal?.method } }),
        );
        socket.write(`${JSON.stringify(response?.message)}\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const request = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 't' } });
    const withCert = await client(port, { cert: pki.client.certPem, key: pki.client.keyPem });
    expect(JSON.parse(await roundTrip(withCert, request))).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: { subject: 'O=Gopher, CN=client', roles: ['service'], method: 'mtls' },
    });
    const rogue = await client(port, { cert: pki.rogueClient.certPem, key: pki.rogueClient.keyPem });
    expect(JSON.parse(await roundTrip(rogue, request))).toMatchObject({ id: 1, error: { code: 401, data: { reason: 'client_certificate_unverified' } } });
    const none = await client(port);
    expect(JSON.parse(await roundTrip(none, request))).toMatchObject({ id: 1, error: { code: 401, message: 'unauthorized: no credentials' } });
  });
});
