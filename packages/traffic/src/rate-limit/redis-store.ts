import { createHash } from 'node:crypto';

import type { Clock } from '@gopher-mcp/core';

import { RATE_LIMIT_SCRIPT, RATE_LIMIT_SCRIPT_SHA } from './redis-script.js';
import { combineDecisions, type Charge, type RateLimitStore, type StoreDecision, type StoreLimit } from './store.js';

/**
 * The part of a Redis client the store uses. An ioredis 5 `Redis` (or `Cluster`) fits; it is the
 * application's client, passed in, and stays the application's to close.
 */
export interface RedisClientLike {
  evalsha(sha1: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  /** ioredis connection status; when present, a decision waits (within the timeout) for `ready`. */
  readonly status?: string;
  once?(event: 'ready', listener: () => void): unknown;
  removeListener?(event: 'ready', listener: () => void): unknown;
}

/** Options of the Redis store. */
export interface RedisStoreOptions {
  /** A client to use (the application keeps ownership). */
  readonly client?: RedisClientLike;
  /** Or a `redis://` URL: the store opens (and closes) its own ioredis client. */
  readonly url?: string;
  readonly keyPrefix: string;
  readonly hashKeys: boolean;
  /** A decision not answered within this many ms of real time counts as Redis being down. */
  readonly timeoutMs: number;
  /** After a failure, Redis is asked again only after this many ms of real time. */
  readonly recheckMs: number;
  /**
   * Use this clock's time instead of the Redis server's TIME. For tests only: processes sharing a
   * quota must all use the server's time.
   */
  readonly clockForTesting?: Clock;
  /** Told when Redis becomes unreachable (with the reason) and when it answers again. */
  readonly onAvailability?: (available: boolean, reason?: string) => void;
  /** Receives errors of the store's own client (connection refused, ...), which ioredis would otherwise print. */
  readonly onClientError?: (error: Error) => void;
}

const ALGORITHM_CODES: Record<StoreLimit['algorithm'], number> = {
  token_bucket: 1,
  sliding_window: 2,
  fixed_window: 3,
  leaky_bucket: 4,
};

/** The time after which a key's state equals a new key's (the engine's default idle time). */
function idleTimeMs(limit: StoreLimit, perMs: number): number {
  if (limit.algorithm === 'fixed_window') return limit.windowMs;
  if (limit.algorithm === 'sliding_window') return 2 * limit.windowMs;
  const capacityMicro = limit.capacity * 1e6;
  let ms = Math.ceil(capacityMicro / perMs);
  if (ms * perMs < capacityMicro) ms += 1;
  return Math.max(1, ms);
}

/** The script arguments of one limit: algorithm, limit or capacity, per-ms rate or window, ttl. */
function limitArguments(limit: StoreLimit): readonly string[] {
  const code = ALGORITHM_CODES[limit.algorithm];
  if (limit.algorithm === 'token_bucket' || limit.algorithm === 'leaky_bucket') {
    const perMs = ((limit.limit * 1000) / limit.windowMs) * 1000;
    return [String(code), String(limit.capacity), String(perMs), String(idleTimeMs(limit, perMs))];
  }
  return [String(code), String(limit.limit), String(limit.windowMs), String(idleTimeMs(limit, 0))];
}

/** Redis did not answer in time. */
class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
}

/**
 * The Redis store: every decision is one atomic Lua script (EVALSHA, falling back to EVAL when the
 * server does not have it cached) that charges all of a request's limits together or none, at the
 * server's time. Quotas are shared by every process that uses the same Redis, key prefix and limit
 * names. When Redis does not answer within `timeoutMs` (or fails), `decide` resolves undefined and
 * Redis is left alone for `recheckMs`; the filter then applies its fail mode.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private client: RedisClientLike | undefined;
  private connecting: Promise<RedisClientLike> | undefined;
  private readonly owned: boolean;
  private readonly limitArgs: ReadonlyArray<readonly string[]>;
  private readonly keyHeads: readonly string[];
  private downUntil = 0;
  private available = true;
  private closed = false;
  private ownedClient: { disconnect(): void } | undefined;

  constructor(
    limits: readonly StoreLimit[],
    private readonly options: RedisStoreOptions,
  ) {
    if (options.client === undefined && options.url === undefined) {
      throw new TypeError('the Redis rate-limit store needs a client (option redis) or store.url');
    }
    this.client = options.client;
    this.owned = options.client === undefined;
    this.limitArgs = limits.map(limitArguments);
    this.keyHeads = limits.map((l) => `${options.keyPrefix}${l.name}:${ALGORITHM_CODES[l.algorithm]}:`);
  }

  /** Whether Redis answered the last decision (false while it is considered down). */
  get isAvailable(): boolean {
    return this.available;
  }

  async decide(charges: readonly Charge[], cost: number, _nowMs: number): Promise<StoreDecision | undefined> {
    if (this.closed) return undefined;
    if (this.downUntil > 0 && performance.now() < this.downUntil) return undefined;
    const keys: string[] = [];
    const args: Array<string | number> = [this.options.clockForTesting === undefined ? '' : Math.floor(this.options.clockForTesting.now()), cost];
    for (const charge of charges) {
      keys.push(this.redisKey(charge));
      for (const arg of this.limitArgs[charge.index] as readonly string[]) args.push(arg);
    }
    let reply: unknown;
    try {
      reply = await this.withTimeout(async (remaining) => {
        const client = await this.readyClient(remaining);
        return this.run(client, keys, args);
      });
    } catch (error) {
      this.markDown(error);
      return undefined;
    }
    if (!this.available) {
      this.available = true;
      this.downUntil = 0;
      this.options.onAvailability?.(true);
    }
    return parseReply(reply, charges.length);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) {
      if (this.connecting !== undefined) await this.connecting.catch(() => undefined);
      this.ownedClient?.disconnect();
    }
  }

  private redisKey(charge: Charge): string {
    const head = this.keyHeads[charge.index] as string;
    if (!this.options.hashKeys) return head + charge.key;
    return head + createHash('sha256').update(charge.key).digest('base64url');
  }

  private async run(client: RedisClientLike, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(RATE_LIMIT_SCRIPT_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(RATE_LIMIT_SCRIPT, keys.length, ...keys, ...args);
    }
  }

  /** Runs `work` with the real-time budget `timeoutMs`; rejects with RedisTimeoutError past it. */
  private withTimeout<T>(work: (deadline: number) => Promise<T>): Promise<T> {
    const deadline = performance.now() + this.options.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new RedisTimeoutError(`no answer from Redis within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      timer.unref?.();
      work(deadline).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** The client, once connected: never queue a charge on a client that is not ready (it would be applied late). */
  private async readyClient(deadline: number): Promise<RedisClientLike> {
    const client = this.client ?? (await this.openOwnClient());
    // `wait`: a lazyConnect client that connects on its first command.
    if (client.status === undefined || client.status === 'ready' || client.status === 'wait' || client.once === undefined) return client;
    if (client.status === 'end' || client.status === 'close') throw new Error(`Redis connection is ${client.status}`);
    await new Promise<void>((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        client.removeListener?.('ready', onReady);
        reject(new RedisTimeoutError(`Redis not ready (${client.status ?? 'unknown'})`));
      }, Math.max(0, deadline - performance.now()));
      timer.unref?.();
      client.once?.('ready', onReady);
    });
    return client;
  }

  private openOwnClient(): Promise<RedisClientLike> {
    this.connecting ??= (async () => {
      const { Redis } = await import('ioredis');
      const client = new Redis(this.options.url as string, {
        // A charge must never wait in a queue while Redis is away and be applied after the fail mode decided.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: Math.max(1, this.options.timeoutMs),
        connectTimeout: Math.max(1000, this.options.timeoutMs),
        retryStrategy: (times: number) => Math.min(50 * times, 1000),
      });
      client.on('error', (error: Error) => this.options.onClientError?.(error));
      this.ownedClient = client;
      if (this.closed) client.disconnect();
      this.client = client as unknown as RedisClientLike;
      return this.client;
    })();
    return this.connecting;
  }

  private markDown(error: unknown): void {
    this.downUntil = performance.now() + this.options.recheckMs;
    if (this.available) {
      this.available = false;
      this.options.onAvailability?.(false, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  }
}

function parseReply(reply: unknown, count: number): StoreDecision {
  if (!Array.isArray(reply) || reply.length !== 1 + count * 3) throw new Error('unexpected reply from the rate-limit script');
  const results: Array<{ allowed: boolean; remaining: number; retryAfterMs: number }> = [];
  for (let i = 0; i < count; i++) {
    results.push({
      allowed: Number(reply[1 + i * 3]) === 1,
      remaining: Number(reply[2 + i * 3]),
      retryAfterMs: Number(reply[3 + i * 3]),
    });
  }
  return combineDecisions(results);
}
