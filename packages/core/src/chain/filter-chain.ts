import { systemClock, type Clock } from '../context/clock.js';
import { silentLogger, type Logger } from '../context/logger.js';
import { getDefaultEngine } from '../engine/loader.js';
import type { Engine } from '../engine/types.js';
import { ErrorCode } from '../errors/codes.js';
import { errorView } from '../message/responses.js';
import type { MessageView } from '../message/view.js';
import { Dispatcher, type DefaultResponse, type Terminal } from './dispatcher.js';
import { ChainEntry, type EntryOptions, type FallbackBehavior } from './entry.js';
import type { ChainEventSink } from './events.js';
import {
  isDefinition,
  isObserver,
  type ChainFilter,
  type ExchangeContext,
  type FilterLike,
  type FilterSetup,
  type MaybePromise,
  type ObserverFilter,
} from './filter.js';
import type { ChainStats, FilterStats, LatencyRecorder } from './stats.js';

export type { DefaultResponse, Terminal } from './dispatcher.js';

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
    droppedNotifications: 0,
    inFlight: 0,
  };
  private readonly dispatcher: Dispatcher;

  constructor(options: ChainOptions = {}) {
    this.options = options;
    this.engine = options.engine ?? getDefaultEngine();
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.chainLatency = options.latency?.('chain');
    this.dispatcher = new Dispatcher({
      engine: this.engine,
      logger: this.logger,
      fallback: options.fallback,
      defaultResponse: options.defaultResponse,
      emitFrom: this.emitFrom,
    });
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
  get(name: string): ChainFilter {
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
  run(message: MessageView, context: ExchangeContext, terminal: Terminal): Promise<MessageView | undefined> {
    try {
      const outcome = this.execute(message, context, terminal);
      return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * {@link run} without the promise when nothing in the exchange was asynchronous (for the
   * manager and transports on the hot path). Throws when the chain is closed.
   */
  execute(message: MessageView, context: ExchangeContext, terminal: Terminal): MaybePromise<MessageView | undefined> {
    this.assertOpen();
    const snapshot = this.snapshot;
    snapshot.active++;
    this.counters.exchanges++;
    this.counters.inFlight++;
    if (message.kind === 'notification') this.counters.notifications++;
    else if (message.kind === 'request') this.counters.requests++;
    const started = this.chainLatency !== undefined || snapshot.observers.length > 0 ? monotonic() : -1;
    let outcome: MaybePromise<MessageView | undefined>;
    try {
      outcome = this.dispatcher.dispatch(snapshot.filters, 0, message, context, terminal, started);
    } catch (error) {
      this.finish(snapshot, message, undefined, context, started);
      throw error;
    }
    if (!(outcome instanceof Promise)) return this.finish(snapshot, message, outcome, context, started);
    return outcome.then(
      (response) => this.finish(snapshot, message, response, context, started),
      (error: unknown) => {
        this.finish(snapshot, message, undefined, context, started);
        throw error;
      },
    );
  }

  /** Settles an exchange: what a notification or request ends as, the counters, latency and observers. */
  private finish(snapshot: Snapshot, message: MessageView, inner: MessageView | undefined, context: ExchangeContext, started: number): MessageView | undefined {
    let response = inner;
    if (message.kind === 'notification' && response !== undefined) {
      if (response.kind === 'error') this.dropNotification(message, context);
      response = undefined;
    } else if (message.kind === 'request') {
      if (response === undefined) response = errorView(message, ErrorCode.INTERNAL_ERROR, 'the upstream gave no response');
      if (response.kind === 'result') this.counters.succeeded++;
      else this.counters.failed++;
    }
    this.counters.inFlight--;
    this.release(snapshot);
    if (started >= 0) {
      const durationMs = monotonic() - started;
      this.chainLatency?.record(durationMs);
      if (snapshot.observers.length > 0) this.notifyObservers(snapshot.observers, message, response, context, durationMs);
    }
    return response;
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
        this.dispatcher.counters.filterErrors++;
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
    return { ...this.counters, ...this.dispatcher.counters, latency: this.chainLatency?.snapshot(), filters };
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

  private instantiate(filter: FilterLike, name: string): ChainFilter {
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

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
