import { open, type FileHandle } from 'node:fs/promises';

import type { Clock, ClockTimer, Logger } from '@gopher-mcp/core';

import type { AccessLogSink } from './sinks.js';

/** Options of a {@link FileSink}. */
export interface FileSinkOptions {
  readonly path: string;
  /** Buffered bytes that trigger a write. */
  readonly bufferBytes: number;
  /** Longest a line waits in the buffer, in ms of `clock`. */
  readonly flushIntervalMs: number;
  /** Lines beyond this many bytes waiting to be written are dropped and counted. */
  readonly maxPendingBytes: number;
  /** Reopen the file when the process gets this signal. */
  readonly reopenOnSignal?: NodeJS.Signals | undefined;
}

/** Counters of a {@link FileSink}. */
export interface FileSinkStats {
  /** Lines written to the file. */
  readonly written: number;
  /** Lines dropped because too much was waiting (the disk did not keep up). */
  readonly dropped: number;
  /** Failed writes or opens (their lines are lost). */
  readonly errors: number;
  /** Times the file was reopened. */
  readonly reopens: number;
}

/**
 * Appends lines to a file without ever blocking an exchange: lines are buffered and written in
 * batches (when `bufferBytes` are waiting or `flushIntervalMs` after the first one), one write at a
 * time, with `O_APPEND`. {@link reopen} writes what is buffered, closes the file and opens the path
 * afresh, so a rotated file (`mv access.log access.log.1`) is let go and a new one started
 * (what logrotate's `postrotate` or a SIGHUP handler calls).
 */
export class FileSink implements AccessLogSink {
  private lines: string[] = [];
  private pendingBytes = 0;
  private handle: FileHandle | undefined;
  private timer: ClockTimer | undefined;
  /** The chain of file operations: writes, reopens and closes happen one after another. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** A flush is queued and has not started: later writes ride on it. */
  private flushQueued = false;
  private readonly counters = { written: 0, dropped: 0, errors: 0, reopens: 0 };
  private readonly onSignal: (() => void) | undefined;

  constructor(
    private readonly options: FileSinkOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    if (options.reopenOnSignal !== undefined) {
      this.onSignal = () => void this.reopen();
      process.on(options.reopenOnSignal, this.onSignal);
    }
  }

  write(line: string): void {
    if (this.closed) return;
    const bytes = Buffer.byteLength(line) + 1;
    if (this.pendingBytes + bytes > this.options.maxPendingBytes) {
      if (this.counters.dropped++ === 0) this.logger.warn({ path: this.options.path }, 'gopher-mcp: access log file is not keeping up; dropping records');
      return;
    }
    this.lines.push(`${line}\n`);
    this.pendingBytes += bytes;
    if (this.pendingBytes >= this.options.bufferBytes) void this.flush();
    else this.timer ??= this.clock.setTimer(this.options.flushIntervalMs, () => {
      this.timer = undefined;
      void this.flush();
    });
  }

  flush(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.flushQueued) return this.queue;
    this.flushQueued = true;
    return this.enqueue(() => {
      this.flushQueued = false;
      return this.writeBuffered();
    });
  }

  reopen(): Promise<void> {
    return this.enqueue(async () => {
      await this.writeBuffered();
      await this.closeHandle();
      this.counters.reopens++;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return this.queue;
    this.closed = true;
    if (this.onSignal !== undefined && this.options.reopenOnSignal !== undefined) process.off(this.options.reopenOnSignal, this.onSignal);
    await this.flush();
    return this.enqueue(() => this.closeHandle());
  }

  /** Lines written, dropped, failed; reopens. */
  stats(): FileSinkStats {
    return { ...this.counters };
  }

  private enqueue(operation: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(operation, operation);
    return this.queue;
  }

  private async writeBuffered(): Promise<void> {
    if (this.lines.length === 0) return;
    const lines = this.lines;
    const data = lines.join('');
    this.lines = [];
    try {
      this.handle ??= await open(this.options.path, 'a');
      await this.handle.write(data);
      this.counters.written += lines.length;
    } catch (error) {
      this.counters.errors++;
      this.logger.warn({ path: this.options.path, err: error instanceof Error ? error.message : String(error), lost: lines.length }, 'gopher-mcp: access log write failed');
    } finally {
      this.pendingBytes -= Buffer.byteLength(data);
    }
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    try {
      await handle?.close();
    } catch (error) {
      this.counters.errors++;
      this.logger.warn({ path: this.options.path, err: error instanceof Error ? error.message : String(error) }, 'gopher-mcp: access log close failed');
    }
  }
}
