import {
  accessLogOptionsSchema,
  ConfigError,
  parseWithSchema,
  type AccessLogConfig,
  type AccessLogConfigInput,
  type FilterDefinition,
  type FilterSetup,
  type Logger,
  type MessageView,
  type PhasedExchange,
  type PhasedFilter,
} from '@gopher-mcp/core';

import { exchangeOutcome } from '../outcome.js';
import { exchangeTimer, type ExchangeTimer } from '../timing.js';
import { CombinedFormatter } from './combined.js';
import { FileSink } from './file-sink.js';
import { recordFormatFor, type LineFormatter } from './formats.js';
import { buildRecord, type RecordOptions } from './record.js';
import { Redactor } from './redact.js';
import { LoggerSink, StreamSink, type AccessLogSink, type LineStream } from './sinks.js';

/** Options of {@link accessLog} that a config file cannot hold. */
export interface AccessLogRuntimeOptions {
  /** For `sink: 'logger'`: the pino-compatible logger to write to (default: the chain's logger). */
  readonly logger?: Logger;
  /** For `sink: 'stderr'`: another stream to write lines to (never standard output). */
  readonly stream?: LineStream;
  /** Random numbers in [0, 1) for sampling successful exchanges (default `Math.random`). */
  readonly random?: () => number;
}

/** Everything {@link accessLog} accepts: the schema's options plus the runtime ones. */
export type AccessLogOptions = AccessLogConfigInput & AccessLogRuntimeOptions;

/** Counters of the file sink (all zero for the other sinks). */
export interface AccessLogStats {
  /** Records written to the file. */
  readonly written: number;
  /** Records dropped because the file did not keep up (`sink.maxPendingBytes`). */
  readonly dropped: number;
  /** Failed writes or opens (their records are lost, and a warning logged). */
  readonly errors: number;
  /** Times the file was reopened. */
  readonly reopens: number;
}

const NO_STATS: AccessLogStats = { written: 0, dropped: 0, errors: 0, reopens: 0 };

/**
 * The access_log filter made by the chain: a phased filter (its request phase notes the start time,
 * its response phase writes the record) that you can also flush and reopen.
 */
export interface AccessLogFilter extends PhasedFilter<number> {
  readonly type: 'access_log';
  onRequest(exchange: PhasedExchange<number>): undefined;
  onResponse(exchange: PhasedExchange<number>, response: MessageView | undefined): MessageView | undefined;
  /** The file sink's counters. */
  stats(): AccessLogStats;
  /** Resolves once every record so far was written. */
  flush(): Promise<void>;
  /** Reopens the log file (after rotation); a no-op for the other sinks. */
  reopen(): Promise<void>;
}

/** What {@link accessLog} returns: a filter definition whose live filters you can flush and reopen. */
export interface AccessLogDefinition extends FilterDefinition {
  readonly type: 'access_log';
  /** The validated options. */
  readonly options: AccessLogConfig;
  create(setup: FilterSetup): AccessLogFilter;
  /** The file sink's counters, summed over the live filters made from this definition. */
  stats(): AccessLogStats;
  /** Flushes every live filter made from this definition. */
  flush(): Promise<void>;
  /**
   * Reopens the log file of every live filter made from this definition: call it from logrotate's
   * `postrotate` (through a signal: `process.on('SIGHUP', () => void log.reopen())`) or set
   * `sink.reopenOnSignal`.
   */
  reopen(): Promise<void>;
}

class AccessLogFilterImpl implements AccessLogFilter {
  readonly type = 'access_log' as const;
  private readonly timer: ExchangeTimer;
  /** The `combined` format's formatter (it writes straight from the exchange), else undefined. */
  private readonly combined: CombinedFormatter | undefined;
  /** The formatter of the other formats, from a record. */
  private readonly format: LineFormatter;
  private readonly recordOptions: RecordOptions;
  private readonly sampleRate: number;
  private readonly random: () => number;
  private readonly logger: Logger;
  private failures = 0;

  constructor(
    options: AccessLogConfig,
    private readonly sink: AccessLogSink,
    setup: FilterSetup,
    random: (() => number) | undefined,
    private readonly onClose: (filter: AccessLogFilterImpl) => void,
  ) {
    this.timer = exchangeTimer(setup.clock);
    const format = options.format === 'combined' ? undefined : recordFormatFor(options.format, options.template);
    this.combined = format === undefined ? new CombinedFormatter() : undefined;
    this.format = format?.format ?? (() => ''); // not used with `combined`
    this.recordOptions = {
      includeHeaders: options.includeHeaders,
      includeBodies: options.includeBodies,
      maxBodyBytes: options.maxBodyBytes,
      redactor: new Redactor(options.redact),
      bytesIn: format?.bytesIn ?? false,
      bytesOut: format?.bytesOut ?? true,
    };
    this.sampleRate = options.sampleRate;
    this.random = random ?? Math.random;
    this.logger = setup.logger;
  }

  onRequest(exchange: PhasedExchange<number>): undefined {
    exchange.state = this.timer.start(exchange);
    return undefined;
  }

  onResponse(exchange: PhasedExchange<number>, response: MessageView | undefined): MessageView | undefined {
    // Logging must never fail an exchange: a sink or formatter that throws is reported, not rethrown.
    try {
      const { message, context } = exchange;
      const durationMs = this.timer.end(exchange) - (exchange.state as number);
      const outcome = exchangeOutcome(message, response, context);
      if (outcome.outcome === 'ok' && this.sampleRate < 1 && !(this.random() < this.sampleRate)) return response;
      const combined = this.combined;
      if (combined !== undefined) {
        this.sink.write(combined.line(message, response, context, outcome, durationMs), undefined);
      } else {
        const record = buildRecord(message, response, context, outcome, durationMs, this.recordOptions);
        this.sink.write(this.format(record, context), record);
      }
    } catch (error) {
      if (this.failures++ === 0) {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'gopher-mcp: access log record failed; exchanges are unaffected');
      }
    }
    return response;
  }

  stats(): AccessLogStats {
    return this.sink instanceof FileSink ? this.sink.stats() : NO_STATS;
  }

  flush(): Promise<void> {
    return this.sink.flush();
  }

  reopen(): Promise<void> {
    return this.sink.reopen();
  }

  async close(): Promise<void> {
    this.onClose(this);
    await this.sink.close();
  }
}

function makeSink(options: AccessLogConfig, runtime: AccessLogRuntimeOptions, setup: FilterSetup): AccessLogSink {
  const sink = options.sink;
  if (sink === 'logger') return new LoggerSink(runtime.logger ?? setup.logger, options.format === 'json');
  if (sink === 'stderr') return new StreamSink(runtime.stream ?? process.stderr);
  return new FileSink(
    {
      path: sink.file,
      bufferBytes: sink.bufferBytes,
      flushIntervalMs: sink.flushIntervalMs,
      maxPendingBytes: sink.maxPendingBytes,
      reopenOnSignal: sink.reopenOnSignal,
    },
    setup.clock,
    setup.logger,
  );
}

/** Makes the access_log definition from validated options (what the family's factory calls). */
export function defineAccessLog(options: AccessLogConfig, runtime: AccessLogRuntimeOptions = {}): AccessLogDefinition {
  if (runtime.stream !== undefined && runtime.stream === (process.stdout as LineStream)) {
    throw new ConfigError('access_log options: stream: the access log never writes to standard output (the stdio transport owns it)', [
      { path: 'stream', message: 'standard output is not allowed' },
    ]);
  }
  const live = new Set<AccessLogFilterImpl>();
  return {
    type: 'access_log',
    ...(options.name === undefined ? {} : { name: options.name }),
    options,
    create(setup: FilterSetup): AccessLogFilter {
      const filter = new AccessLogFilterImpl(options, makeSink(options, runtime, setup), setup, runtime.random, (f) => live.delete(f));
      live.add(filter);
      return filter;
    },
    stats() {
      const total = { written: 0, dropped: 0, errors: 0, reopens: 0 };
      for (const filter of live) {
        const s = filter.stats();
        total.written += s.written;
        total.dropped += s.dropped;
        total.errors += s.errors;
        total.reopens += s.reopens;
      }
      return total;
    },
    async flush() {
      await Promise.all([...live].map((f) => f.flush()));
    },
    async reopen() {
      await Promise.all([...live].map((f) => f.reopen()));
    },
  };
}

/**
 * The access_log filter: one record per exchange (and per notification) with its time, direction,
 * session, peer, principal, method, tool / resource / prompt, id, outcome (ok, error code, or the
 * filter that denied it), duration and sizes; as JSON (default), logfmt text, an Apache/nginx
 * combined line or a template; to standard error (default), a buffered file or a logger. Headers
 * and bodies only when asked, secrets redacted. Put it outermost to see every filter's denials.
 * Throws ConfigError naming the path of an invalid option.
 */
export function accessLog(options: AccessLogOptions = {}): AccessLogDefinition {
  const { logger, stream, random, ...config } = options;
  const parsed = parseWithSchema(accessLogOptionsSchema, config, 'access_log options');
  return defineAccessLog(parsed, {
    ...(logger === undefined ? {} : { logger }),
    ...(stream === undefined ? {} : { stream }),
    ...(random === undefined ? {} : { random }),
  });
}
