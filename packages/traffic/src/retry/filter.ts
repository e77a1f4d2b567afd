import {
  errorView,
  ErrorCode,
  parseWithSchema,
  retryOptionsSchema,
  type Exchange,
  type Filter,
  type FilterDefinition,
  type FilterSetup,
  type MessageView,
  type Next,
  type RetryConfig,
  type RetryConfigInput,
} from '@gopher-mcp/core';

import { RESPONSE_STARTED } from '../shared/attributes.js';
import { retryAfterOf } from '../shared/outcome.js';
import type { RandomSource } from '../shared/random.js';
import { backoffDelay } from './backoff.js';
import { IdempotencyRules } from './idempotency.js';
import { StreamTracker, type WatchedRequest } from './stream-tracker.js';

/** What the `retry` factory takes besides its config. */
export interface RetryRuntimeOptions {
  /** Uniform random numbers in [0, 1) for the jitter (default `Math.random`); inject a seeded one in tests. */
  readonly random?: RandomSource;
  /** Overrides the idempotency rule: true / false for a request, or undefined to apply the configured rule. */
  readonly isIdempotent?: (message: MessageView) => boolean | undefined;
}

/** Options of {@link retry}: the config (see `retryOptionsSchema`) plus the runtime options. */
export type RetryOptions = RetryConfigInput & RetryRuntimeOptions;

/** The payload of the `retry` event sent before each new attempt. */
export interface RetryEvent {
  /** The attempt about to be made (2 for the first retry). */
  readonly attempt: number;
  /** The wait before it in ms. */
  readonly delayMs: number;
  /** The error code of the attempt that failed (undefined when it gave no response). */
  readonly code: number | undefined;
  readonly method: string | undefined;
}

/** Counters of one retry filter. */
export interface RetryFilterStats {
  /** Requests that went through the retry loop (safe to repeat). */
  readonly requests: number;
  /** Attempts made beyond the first. */
  readonly retries: number;
  /** Attempts abandoned by the per-attempt timeout. */
  readonly attemptTimeouts: number;
  /** Retryable failures given back because the response had started streaming. */
  readonly streamed: number;
}

/**
 * The retry filter: sends a request again when it failed with a retryable code, no response or an
 * attempt timeout, waiting an exponential backoff with full jitter (at least the error's
 * `retryAfterMs`), up to `maxAttempts` and within the overall deadline. Only requests safe to
 * repeat are retried (`safeMethods`; a `tools/call` only for a tool declared idempotent); a
 * cancelled exchange or a response that already started (see `RESPONSE_STARTED`) is never repeated.
 * Waits run on the chain's clock.
 */
export class RetryFilter implements Filter {
  readonly type = 'retry';
  private readonly rules: IdempotencyRules;
  private readonly retryable: ReadonlySet<number>;
  private readonly random: RandomSource;
  private readonly tracker = new StreamTracker();
  private counters = { requests: 0, retries: 0, attemptTimeouts: 0, streamed: 0 };

  constructor(
    private readonly config: RetryConfig,
    runtime: RetryRuntimeOptions,
    private readonly setup: FilterSetup,
  ) {
    this.rules = new IdempotencyRules(config.safeMethods, config.idempotentTools, runtime.isIdempotent);
    this.retryable = new Set(config.retryableCodes);
    this.random = runtime.random ?? Math.random;
  }

  handle(exchange: Exchange, next: Next): Promise<MessageView | undefined> | MessageView | undefined {
    const message = exchange.message;
    if (message.kind === 'notification') {
      if (message.method === 'notifications/progress' && this.tracker.size > 0) {
        this.tracker.progress(exchange.context, (message.params as { progressToken?: unknown } | undefined)?.progressToken);
      }
      return next();
    }
    if (message.kind !== 'request' || !this.rules.isSafe(message)) return next();
    return this.withRetries(exchange, next);
  }

  /** The filter's counters. */
  stats(): RetryFilterStats {
    return { ...this.counters };
  }

  private async withRetries(exchange: Exchange, next: Next): Promise<MessageView | undefined> {
    this.counters.requests++;
    const { context, message } = exchange;
    const clock = this.setup.clock;
    const deadline = context.startedAt + this.config.deadlineMs;
    const token = message.progressToken;
    const watched = token === undefined ? undefined : this.tracker.watch(context, token);
    try {
      for (let attempt = 1; ; attempt++) {
        const response = await this.attempt(exchange, next, deadline);
        if (!this.shouldRetry(response)) return this.learn(message, response);
        if (attempt >= this.config.maxAttempts || context.signal.aborted) return response;
        if (this.started(exchange, watched)) {
          this.counters.streamed++;
          return response;
        }
        let delay = backoffDelay(this.config, attempt, this.random);
        const hint = this.config.respectRetryAfter ? retryAfterOf(response) : undefined;
        if (hint !== undefined && hint > delay) delay = Math.ceil(hint);
        if (clock.now() + delay > deadline) return response;
        const event: RetryEvent = { attempt: attempt + 1, delayMs: delay, code: response?.error?.code, method: message.method };
        exchange.emit('retry', { ...event });
        if (!(await this.sleep(delay, context.signal))) return response;
        this.counters.retries++;
      }
    } finally {
      watched?.release();
    }
  }

  private shouldRetry(response: MessageView | undefined): boolean {
    if (response === undefined) return true;
    if (response.kind !== 'error') return false;
    const code = response.error?.code;
    return code !== undefined && this.retryable.has(code);
  }

  private started(exchange: Exchange, watched: WatchedRequest | undefined): boolean {
    return exchange.context.attributes.get(RESPONSE_STARTED) === true || watched?.started === true;
  }

  private learn(message: MessageView, response: MessageView | undefined): MessageView | undefined {
    if (this.config.trustToolAnnotations && message.method === 'tools/list' && response?.kind === 'result') this.rules.learnFrom(response.result);
    return response;
  }

  /** One attempt; with a per-attempt timeout, an attempt that overruns is abandoned for a 504. */
  private attempt(exchange: Exchange, next: Next, deadline: number): Promise<MessageView | undefined> {
    const limit = this.config.attemptTimeoutMs;
    if (limit === undefined) return next();
    const clock = this.setup.clock;
    const timeoutMs = Math.max(0, Math.min(limit, deadline - clock.now()));
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = clock.setTimer(timeoutMs, () => {
        if (settled) return;
        settled = true;
        this.counters.attemptTimeouts++;
        resolve(errorView(exchange.message, ErrorCode.TIMEOUT, 'upstream attempt timed out', { timeoutMs }));
      });
      next().then(
        (response) => {
          if (settled) return;
          settled = true;
          timer.cancel();
          resolve(response);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          timer.cancel();
          reject(error);
        },
      );
    });
  }

  /** Waits `ms` on the clock; resolves false when the exchange is cancelled first. */
  private sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        timer.cancel();
        resolve(false);
      };
      const timer = this.setup.clock.setTimer(ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Makes the filter definition from validated config and the runtime options. */
export function defineRetry(config: RetryConfig, runtime: RetryRuntimeOptions = {}): FilterDefinition {
  return {
    type: 'retry',
    ...(config.name === undefined ? {} : { name: config.name }),
    create: (setup: FilterSetup) => new RetryFilter(config, runtime, setup),
  };
}

/** The retry filter factory: validates `options` and returns the filter definition. */
export function retry(options: RetryOptions = {}): FilterDefinition {
  const { random, isIdempotent, ...config } = options;
  const parsed = parseWithSchema(retryOptionsSchema, config, 'retry options');
  return defineRetry(parsed, {
    ...(random === undefined ? {} : { random }),
    ...(isIdempotent === undefined ? {} : { isIdempotent }),
  });
}
