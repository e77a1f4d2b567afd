import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createJsEngine, FilterManager, ManualClock } from '@gopher-mcp/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { accessLog } from '../src/index.js';
import { RecordingLogger, request, result } from './helpers.js';

const T0 = Date.UTC(2025, 5, 18, 12, 0, 0);
const engine = createJsEngine();
const ping = (id: number) => request(id, 'ping');
const pong = (m: { id: unknown }) => result(m.id as number, {});
const idsIn = async (path: string): Promise<number[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as { id: number }).id);

describe('access_log file sink', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gmcp-access-log-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('buffers until the flush interval of the chain clock, then appends', async () => {
    const path = join(dir, 'access.log');
    const clock = new ManualClock(T0);
    const log = accessLog({ sink: { file: path, flushIntervalMs: 1000 } });
    const manager = new FilterManager({ engine, clock, filters: [log] });
    await manager.handle(ping(1), pong);
    await manager.handle(ping(2), pong);
    expect(clock.pendingTimers).toBe(1);
    expect(existsSync(path)).toBe(false); // nothing written yet: the file opens with the first batch
    clock.advance(999);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1); // the timer fires and starts the write
    expect(clock.pendingTimers).toBe(0);
    await log.flush();
    expect(await idsIn(path)).toEqual([1, 2]);
    expect(log.stats()).toEqual({ written: 2, dropped: 0, errors: 0, reopens: 0 });
    await manager.close();
  });

  it('writes as soon as bufferBytes are waiting', async () => {
    const path = join(dir, 'access.log');
    const clock = new ManualClock(T0);
    const log = accessLog({ sink: { file: path, bufferBytes: 1 } });
    const manager = new FilterManager({ engine, clock, filters: [log] });
    await manager.handle(ping(1), pong);
    expect(clock.pendingTimers).toBe(0); // no timer: the write already started
    await log.flush();
    expect(await idsIn(path)).toEqual([1]);
    await manager.close();
  });

  it('reopen() lets go of a rotated file and starts a new one; close() flushes', async () => {
    const path = join(dir, 'access.log');
    const log = accessLog({ sink: { file: path } });
    const manager = new FilterManager({ engine, clock: new ManualClock(T0), filters: [log] });
    await manager.handle(ping(1), pong);
    await log.flush();
    await rename(path, `${path}.1`); // logrotate moves the file away...
    await manager.handle(ping(2), pong);
    await log.flush(); // ...and the open file still gets the records until reopened
    await log.reopen();
    await manager.handle(ping(3), pong);
    await manager.close(); // flushes what is buffered
    expect(await idsIn(`${path}.1`)).toEqual([1, 2]);
    expect(await idsIn(path)).toEqual([3]);
  });

  it('reopens on SIGHUP when configured, and removes its signal handler on close', async () => {
    const path = join(dir, 'access.log');
    const before = process.listenerCount('SIGHUP');
    const log = accessLog({ sink: { file: path, reopenOnSignal: 'SIGHUP' } });
    const manager = new FilterManager({ engine, clock: new ManualClock(T0), filters: [log] });
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    await manager.handle(ping(1), pong);
    await log.flush();
    await rename(path, `${path}.1`);
    const delivered = new Promise((resolve) => process.once('SIGHUP', resolve));
    process.kill(process.pid, 'SIGHUP'); // a real signal: without the handler the test process would die
    await delivered;
    await manager.handle(ping(2), pong);
    await log.flush();
    expect(log.stats().reopens).toBe(1);
    await manager.close();
    expect(process.listenerCount('SIGHUP')).toBe(before);
    expect(await idsIn(`${path}.1`)).toEqual([1]);
    expect(await idsIn(path)).toEqual([2]);
  });

  it('drops and counts records beyond maxPendingBytes, warning once, without failing exchanges', async () => {
    const path = join(dir, 'access.log');
    const logger = new RecordingLogger();
    const log = accessLog({ sink: { file: path, maxPendingBytes: 300, bufferBytes: 1_000_000 } });
    const manager = new FilterManager({ engine, clock: new ManualClock(T0), logger, filters: [log] });
    for (let id = 1; id <= 3; id++) expect(await manager.handle(ping(id), pong)).toEqual(result(id, {}));
    await log.flush();
    expect(await idsIn(path)).toEqual([1]);
    expect(log.stats()).toEqual({ written: 1, dropped: 2, errors: 0, reopens: 0 });
    expect(logger.calls.filter((c) => c.level === 'warn').map((c) => c.message)).toEqual(['gopher-mcp: access log file is not keeping up; dropping records']);
    await manager.close();
  });

  it('counts a failed write, logs a warning, and never fails the exchange', async () => {
    const path = join(dir, 'missing-dir', 'access.log');
    const logger = new RecordingLogger();
    const log = accessLog({ sink: { file: path } });
    const manager = new FilterManager({ engine, clock: new ManualClock(T0), logger, filters: [log] });
    expect(await manager.handle(ping(1), pong)).toEqual(result(1, {}));
    await log.flush();
    expect(log.stats()).toEqual({ written: 0, dropped: 0, errors: 1, reopens: 0 });
    expect(logger.calls.filter((c) => c.level === 'warn').map((c) => [c.message, c.object?.lost])).toEqual([['gopher-mcp: access log write failed', 1]]);
    await manager.close();
  });
});

describe('access_log default sink', () => {
  it('writes to standard error, never standard output (in a child process)', async () => {
    const packageDir = fileURLToPath(new URL('..', import.meta.url));
    const script = `
      const { accessLog } = await import('./src/index.ts');
      const core = await import('@gopher-mcp/core');
      const manager = new core.FilterManager({ engine: core.createJsEngine(), clock: new core.ManualClock(${T0}), filters: [accessLog()] });
      await manager.handle({ jsonrpc: '2.0', id: 1, method: 'ping' }, () => ({ jsonrpc: '2.0', id: 1, result: {} }));
      await manager.close();
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stdout, stderr }).toEqual({
      code: 0,
      stdout: '',
      stderr: '{"time":"2025-06-18T12:00:00.000Z","direction":"inbound","transport":"memory","kind":"request","method":"ping","id":1,"outcome":"ok","durationMs":0,"bytesIn":40,"bytesOut":36}\n',
    });
  });
});
