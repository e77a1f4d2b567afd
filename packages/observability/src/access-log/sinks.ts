import type { Logger } from '@gopher-mcp/core';

import type { AccessLogRecord } from './record.js';

/** Where access log lines go. */
export interface AccessLogSink {
  /**
   * Takes one formatted line (no newline) and its record (undefined for the `combined` format,
   * which is written straight from the exchange); never blocks the exchange.
   */
  write(line: string, record: AccessLogRecord | undefined): void;
  /** Resolves once everything written so far reached its destination. */
  flush(): Promise<void>;
  /** Reopens the destination (a file moved away by log rotation); a no-op for streams and loggers. */
  reopen(): Promise<void>;
  /** Flushes and releases the destination. */
  close(): Promise<void>;
}

/** Anything with a `write(string)`: `process.stderr` (the default), a socket, a test's collector. */
export interface LineStream {
  write(chunk: string): unknown;
}

/** Writes each line, newline-terminated, to a stream (standard error by default). */
export class StreamSink implements AccessLogSink {
  constructor(private readonly stream: LineStream) {}

  write(line: string): void {
    this.stream.write(`${line}\n`);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  reopen(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Hands each record to a pino-compatible logger at `info`: the record's fields for the `json`
 * format (the logger serialises them; `time` becomes `startTime`, since loggers write their own
 * `time`), the formatted line as the message for the others.
 */
export class LoggerSink implements AccessLogSink {
  constructor(
    private readonly logger: Logger,
    private readonly structured: boolean,
  ) {}

  write(line: string, record: AccessLogRecord | undefined): void {
    if (this.structured && record !== undefined) {
      const { time, ...fields } = record;
      this.logger.info({ startTime: time, ...fields }, 'mcp exchange');
    }
    else this.logger.info(line);
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  reopen(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
