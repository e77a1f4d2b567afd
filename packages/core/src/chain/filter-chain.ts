import { systemClock, type Clock } from '../context/clock.js';
import { silentLogger, type Logger } from '../context/logger.js';
import { getDefaultEngine } from '../engine/loader.js';
import type { Engine } from '../engine/types.js';
import { ErrorCode } from '../errors/codes.js';
import { FilterDeniedError } from '../errors/filter-errors.js';
import type { JsonRpcErrorObject } from '../message/jsonrpc.js';
import { errorObjectView, errorView, resultView } from '../message/responses.js';
import type { MessageView } from '../message/view.js';
import { ChainExchange } from './chain-exchange.js';
import { ChainEntry, type EntryOptions, type FallbackBehavior } from './entry.js';
import type { ChainEventSink } from './events.js';
import {
  isDefinition,
  isObserver,
  type ExchangeContext,
  type Filter,
  type FilterLike,
  type FilterSetup,
  type ObserverFilter,
} from './filter.js';
import type { ChainStats, FilterStats, LatencyRecorder } from './stats.js';

/** Where an exchange goes after the last filter: the upstream. Resolves with the response of a request. */
export type Terminal = (message: MessageView, context: ExchangeContext) => Promise<MessageView | undefined>;

/** The default answer of the DEFAULT fallback: a result or an error, given the failed request's id. */
export type DefaultResponse = { readonly result: Record<string, unknown> } | { readonly error: JsonRpcErrorObject };

/** Options of a {@link FilterChain}. */
export interface ChainOptions {
  /** Engine for filters that use native primitives (default: the process's default engine). */
  readonly engine?: Engine;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** The one sink for every filter's events. */
  readonly events?: ChainEventSink;
  /** What to do when a filter throws (default REJECT). Fail-closed filters always REJECT. */
  readonly fallback?: FallbackBehavior;
  /** The answer of the DEFAULT fallback. */
  readonly defaultResponse?: DefaultResponse;
  /** Makes a latency recorder per filter and one for the chain; omit to measure nothing. */
  readonly latency?: (name: string) => LatencyRecorder;
}

interface Snapshot {
  readonly filters: readonly ChainEntry[];
  readonly observers: readonly ChainEntry[];
  active: number;
  retired: boolean;
}

/** Where to put a filter added to a chain. */
export type Position = { readonly before: string } | { readonly after: string } | 'first' | 'last';

const monotonic = (): number => performance.now();

/**
 * An onion of filters. Each exchange runs on the snapshot of filters it started with, so adding,
 * removing, replacing or reconfiguring filters while traffic flows never disturbs in-flight
 * exchanges; a removed filter is closed once the last exchange that can reach it is done.
 */
export class FilterChain {
  readonly engine: Engine;
  readonly clock: Clock;
  readonly logger: Logger;
  private readonly options: ChainOptions;
  private snapshot: Snapshot = { filters: [], observers: [], active: 0, retired: false };
  /** Retired snapshots that in-flight exchanges still run on. */
  private readonly liveRetired = new Set<Snapshot>();
  /** Removed or replaced filters waiting for the last exchange that can reach them. */
  private readonly pendingClose = new Set<ChainEntry>();
  private readonly chainLatency: LatencyRecorder | undefined;
  private closed = false;
  private counters = {
    exchanges: 0,
    requests: 0,
    notifications: 0,
    succeeded: 0,
    failed: 0,
    denied: 0,
    droppedNotifications: 0,
    filterErrors: 0,
    inFlight: 0,
  };

  constructor(options: ChainOptions = {}) {
    this.options = options;
    this.engine = options.engine ?? getDefaultEngine();
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.chainLatency = options.latency?.('chain');
  }

  // ---------------------------------------------------------------------------------------------
  // Composition
  // ---------------------------------------------------------------------------------------------

  /** Adds a filter at `position` (default: last, i.e. innermost). Returns its name in the chain. */
  add(filter: FilterLike, options: EntryOptions = {}, position: Position = 'last'): string {
    this.assertOpen();
    const name = this.uniqueName(options.name ?? (isDefinition(filter) ? filter.name : undefined) ?? filter.type);
    const entry = new ChainEntry(name, this.instantiate(filter, name), options, this.options.latency?.(name));
    const list = [...this.snapshot.filters, ...this.snapshot.observers];
    const index = this.insertionIndex(list, position);
    list.splice(index, 0, entry);
    this.publish(list);
    return name;
  }

  /** Removes the filter named `name`; it is closed once no in-flight exchange can reach it. */
  remove(name: string): void {
    const entry = this.entry(name);
    this.publish(this.allEntries().filter((e) => e !== entry), [entry]);
  }

  /**
   * Replaces the filter named `name` (same place, same options, same statistics) with a new one,
   * e.g. reconfigured. In-flight exchanges finish on the old one, which is closed after them.
   */
  replace(name: string, filter: FilterLike): void {
    const old = this.entry(name);
    const entry = new ChainEntry(name, this.instantiate(filter, name), old.options, old.latency, old.counters);
    entry.enabled = old.enabled;
    this.publish(
      this.allEntries().map((e) => (e === old ? entry : e)),
      [old],
    );
  }

  /** Turns a filter on; it applies to exchanges that reach it from now on. */
  enable(name: string): void {
    this.entry(name).enabled = true;
  }

  /** Turns a filter off; exchanges step over it from now on. */
  disable(name: string): void {
    this.entry(name).enabled = false;
  }

  /** Whether the filter named `name` is enabled. */
  isEnabled(name: string): boolean {
    return this.entry(name).enabled;
  }

  /** The filter names, outermost first (observers last). */
  names(): string[] {
    return this.allEntries().map((e) => e.name);
  }

  /** The filter instance named `name`. */
  get(name: string): Filter | ObserverFilter {
    return this.entry(name).filter;
  }

  // ---------------------------------------------------------------------------------------------
  // Execution
  // ---------------------------------------------------------------------------------------------

  /**
   * Runs one exchange: the request phases outside in, then `terminal`, then the response phases
   * inside out. Resolves with the response of a request (an error response when refused; never
   * nothing), or `undefined` for a notification (forwarded, or dropped when refused: see
   * `context.denial`).
   */
  async run(message: MessageView, context: ExchangeContext, terminal: Terminal): Promise<MessageView | undefined> {
    this.assertOpen();
    const snapshot = this.snapshot;
    snapshot.active++;
    this.counters.exchanges++;
    this.counters.inFlight++;
    const isNotification = message.kind === 'notification';
    if (isNotification) this.counters.notifications++;
    else if (message.kind === 'request') this.counters.requests++;
    const timed = this.chainLatency !== undefined || snapshot.observers.length > 0;
    const started = timed ? monotonic() : 0;
    let response: MessageView | undefined;
    try {
      response = await this.dispatch(snapshot.filters, 0, message, context, terminal);
      if (isNotification && response !== undefined) {
        if (response.kind === 'error') this.dropNotification(message, context);
        response = undefined;
      }
      if (message.kind === 'request') {
        if (response === undefined) response = errorView(message, ErrorCode.INTERNAL_ERROR, 'the upstream gave no response');
        if (response.kind === 'result') this.counters.succeeded++;
        else this.counters.failed++;
      }
      return response;
    } finally {
      this.counters.inFlight--;
      this.release(snapshot);
      if (timed) {
        const durationMs = monotonic() - started;
        this.chainLatency?.record(durationMs);
        if (snapshot.observers.length > 0) this.notifyObservers(snapshot.observers, message, response, context, durationMs);
      }
    }
  }

  /** Runs the chain from `start` inward (for frames; not part of the public API). */
  dispatch(
    entries: readonly ChainEntry[],
    start: number,
    message: MessageView,
    context: ExchangeContext,
    terminal: Terminal,
  ): Promise<MessageView | undefined> {
    for (let index = start; index < entries.length; index++) {
      const entry = entries[index] as ChainEntry;
      if (!entry.enabled) continue;
      if (entry.options.when !== undefined && !entry.matches(message, context)) {
        entry.counters.skipped++;
        continue;
      }
      return this.invoke(entries, index, entry, message, context, terminal);
    }
    return this.callTerminal(message, context, terminal);
  }

  private callTerminal(message: MessageView, context: ExchangeContext, terminal: Terminal): Promise<MessageView | undefined> {
    let pending: Promise<MessageView | undefined>;
    try {
      pending = terminal(message, context);
    } catch (error) {
      return Promise.resolve(this.upstreamFailed(message, error));
    }
    return pending.then(undefined, (error: unknown) => this.upstreamFailed(message, error));
  }

  private upstreamFailed(message: MessageView, error: unknown): MessageView {
    if (FilterDeniedError.is(error)) return errorView(message, error.code, error.message, error.data);
    this.logger.warn({ err: describe(error) }, 'gopher-mcp: upstream failed');
    return errorView(message, ErrorCode.INTERNAL_ERROR, 'upstream failed');
  }

  private invoke(
    entries: readonly ChainEntry[],
    index: number,
    entry: ChainEntry,
    message: MessageView,
    context: ExchangeContext,
    terminal: Terminal,
  ): Promise<MessageView | undefined> {
    const frame = new ChainExchange(this, entries, index, entry, message, context, terminal);
    entry.counters.processed++;
    const started = entry.latency === undefined ? 0 : monotonic();
    let returned: ReturnType<Filter['handle']>;
    try {
      returned = (entry.filter as Filter).handle(frame, frame.next);
    } catch (error) {
      return Promise.resolve(this.settleFailure(frame, error, started));
    }
    if (isPromiseLike(returned)) {
      return Promise.resolve(returned).then(
        (response) => this.settleSuccess(frame, response, started),
        (error: unknown) => this.settleFailure(frame, error, started),
      );
    }
    return Promise.resolve(this.settleSuccess(frame, returned, started));
  }

  private settleSuccess(frame: ChainExchange, response: MessageView | undefined, started: number): MessageView | undefined {
    const entry = frame.entry;
    if (entry.latency !== undefined) entry.latency.record(monotonic() - started);
    if (frame.ownError !== undefined && response === frame.ownError) {
      this.recordDenial(entry, frame.message, frame.context, response.error?.code ?? ErrorCode.INTERNAL_ERROR);
    } else {
      entry.counters.passed++;
    }
    return response;
  }

  private settleFailure(frame: ChainExchange, error: unknown, started: number): Promise<MessageView | undefined> | MessageView | undefined {
    const entry = frame.entry;
    if (entry.latency !== undefined) entry.latency.record(monotonic() - started);
    if (FilterDeniedError.is(error)) {
      this.recordDenial(entry, frame.message, frame.context, error.code);
      return errorView(frame.message, error.code, error.message, error.data);
    }
    return this.fallback(frame, error);
  }

  private fallback(frame: ChainExchange, error: unknown): Promise<MessageView | undefined> | MessageView | undefined {
    const { entry, message, context } = frame;
    entry.counters.errors++;
    this.counters.filterErrors++;
    const behavior = entry.failClosed ? 'REJECT' : (entry.options.fallback ?? this.options.fallback ?? 'REJECT');
    this.logger.error({ filter: entry.name, err: describe(error), fallback: behavior }, 'gopher-mcp: filter failed');
    this.emitFrom(entry.name, 'filter_error', { error: describe(error), fallback: behavior, method: message.method });
    if (behavior === 'PASSTHROUGH') {
      // Skip the broken filter: continue inward if it never got there, else keep the inner response.
      return frame.inner ?? frame.next(message);
    }
    if (behavior === 'DEFAULT' && this.options.defaultResponse !== undefined && message.kind === 'request') {
      const fallbackResponse = this.options.defaultResponse;
      return 'result' in fallbackResponse
        ? resultView(message, fallbackResponse.result)
        : errorObjectView(message, fallbackResponse.error);
    }
    this.recordDenial(entry, message, context, ErrorCode.INTERNAL_ERROR);
    return errorView(message, ErrorCode.INTERNAL_ERROR, `filter "${entry.name}" failed`, { filter: entry.name });
  }

  private recordDenial(entry: ChainEntry, message: MessageView, context: ExchangeContext, code: number): void {
    entry.counters.denied++;
    if (context.denial === undefined) {
      context.denial = { filter: entry.name, code };
      this.counters.denied++;
      this.emitFrom(entry.name, 'denied', { code, method: message.method, id: message.id });
    }
  }

  private dropNotification(message: MessageView, context: ExchangeContext): void {
    this.counters.droppedNotifications++;
    this.emitFrom(context.denial?.filter ?? 'chain', 'notification_dropped', {
      method: message.method,
      code: context.denial?.code,
    });
  }

  private notifyObservers(
    observers: readonly ChainEntry[],
    message: MessageView,
    response: MessageView | undefined,
    context: ExchangeContext,
    durationMs: number,
  ): void {
    const observed = { message, response, context, durationMs };
    for (const entry of observers) {
      if (!entry.enabled || !entry.matches(message, context)) continue;
      entry.counters.processed++;
      const fail = (error: unknown): void => {
        entry.counters.errors++;
        this.counters.filterErrors++;
        this.emitFrom(entry.name, 'filter_error', { error: describe(error), fallback: 'observer' });
      };
      try {
        const pending = (entry.filter as ObserverFilter).observe(observed);
        if (pending !== undefined) pending.then(() => entry.counters.passed++, fail);
        else entry.counters.passed++;
      } catch (error) {
        fail(error);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Stats, events, lifecycle
  // ---------------------------------------------------------------------------------------------

  /** Counters of the chain and of each filter. */
  getStats(): ChainStats {
    const filters: FilterStats[] = this.allEntries().map((e) => ({
      name: e.name,
      type: e.filter.type,
      enabled: e.enabled,
      ...e.counters,
      latency: e.latency?.snapshot(),
    }));
    return { ...this.counters, latency: this.chainLatency?.snapshot(), filters };
  }

  /** Closes every filter (after no exchange is in flight on them) and refuses new exchanges. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const entries = new Set([...this.allEntries(), ...this.pendingClose]);
    this.pendingClose.clear();
    this.liveRetired.clear();
    await Promise.all([...entries].map((e) => this.closeEntry(e)));
    this.chainLatency?.close();
  }

  /** Sends an event to the sink, tagged with the filter's name (for frames; not public API). */
  readonly emitFrom = (filter: string, type: string, payload: Record<string, unknown>): void => {
    const sink = this.options.events;
    if (sink === undefined) return;
    try {
      sink({ filter, type, payload, time: this.clock.now() });
    } catch (error) {
      this.logger.warn({ err: describe(error) }, 'gopher-mcp: event sink threw');
    }
  };

  private instantiate(filter: FilterLike, name: string): Filter | ObserverFilter {
    if (!isDefinition(filter)) return filter;
    const setup: FilterSetup = {
      name,
      engine: this.engine,
      clock: this.clock,
      logger: this.logger,
      emit: (type, payload = {}) => this.emitFrom(name, type, payload),
    };
    return filter.create(setup);
  }

  private allEntries(): ChainEntry[] {
    return [...this.snapshot.filters, ...this.snapshot.observers];
  }

  private entry(name: string): ChainEntry {
    const found = this.allEntries().find((e) => e.name === name);
    if (found === undefined) throw new Error(`no filter named "${name}" in the chain (have: ${this.names().join(', ') || 'none'})`);
    return found;
  }

  private uniqueName(base: string): string {
    const taken = new Set(this.names());
    if (!taken.has(base)) return base;
    for (let i = 2; ; i++) if (!taken.has(`${base}#${i}`)) return `${base}#${i}`;
  }

  private insertionIndex(list: readonly ChainEntry[], position: Position): number {
    if (position === 'first') return 0;
    if (position === 'last') return list.length;
    const anchor = 'before' in position ? position.before : position.after;
    const index = list.findIndex((e) => e.name === anchor);
    if (index < 0) throw new Error(`no filter named "${anchor}" in the chain`);
    return 'before' in position ? index : index + 1;
  }

  private publish(entries: readonly ChainEntry[], removed: readonly ChainEntry[] = []): void {
    this.assertOpen();
    const previous = this.snapshot;
    this.snapshot = {
      filters: entries.filter((e) => !isObserver(e.filter)),
      observers: entries.filter((e) => isObserver(e.filter)),
      active: 0,
      retired: false,
    };
    previous.retired = true;
    if (previous.active > 0) this.liveRetired.add(previous);
    for (const e of removed) this.pendingClose.add(e);
    this.sweep();
  }

  private release(snapshot: Snapshot): void {
    snapshot.active--;
    if (snapshot.retired && snapshot.active === 0) {
      this.liveRetired.delete(snapshot);
      this.sweep();
    }
  }

  /** Closes the removed filters that no in-flight exchange can reach any more. */
  private sweep(): void {
    for (const entry of this.pendingClose) {
      let reachable = false;
      for (const snapshot of this.liveRetired) {
        if (snapshot.filters.includes(entry) || snapshot.observers.includes(entry)) {
          reachable = true;
          break;
        }
      }
      if (!reachable) {
        this.pendingClose.delete(entry);
        void this.closeEntry(entry);
      }
    }
  }

  private async closeEntry(entry: ChainEntry): Promise<void> {
    try {
      await entry.filter.close?.();
    } catch (error) {
      this.logger.warn({ filter: entry.name, err: describe(error) }, 'gopher-mcp: filter close failed');
    }
    // A replaced filter hands its latency recorder to its successor.
    if (!this.allEntries().some((e) => e.latency === entry.latency)) entry.latency?.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the filter chain is closed');
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | undefined)?.then === 'function';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
