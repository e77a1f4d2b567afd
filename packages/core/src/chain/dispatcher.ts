import type { Logger } from '../context/logger.js';
import type { Engine } from '../engine/types.js';
import { ErrorCode } from '../errors/codes.js';
import { FilterDeniedError } from '../errors/filter-errors.js';
import type { JsonRpcErrorObject } from '../message/jsonrpc.js';
import { errorObjectView, errorView, resultView } from '../message/responses.js';
import type { MessageView } from '../message/view.js';
import { ChainExchange, PhaseFrame, type FrameHost } from './chain-exchange.js';
import type { ChainEntry, FallbackBehavior } from './entry.js';
import type { ExchangeContext, Filter, Forward, MaybePromise, PhasedFilter, RequestVerdict } from './filter.js';
import { isPromiseLike } from './promise-like.js';

/** Where an exchange goes after the last filter: the upstream. Resolves with the response of a request. */
export type Terminal = (message: MessageView, context: ExchangeContext) => MaybePromise<MessageView | undefined>;

/** The default answer of the DEFAULT fallback: a result or an error, given the failed request's id. */
export type DefaultResponse = { readonly result: Record<string, unknown> } | { readonly error: JsonRpcErrorObject };

type Response = MessageView | undefined;

/** What a {@link Dispatcher} needs from its chain. */
export interface DispatcherOptions {
  readonly engine: Engine;
  readonly logger: Logger;
  readonly fallback: FallbackBehavior | undefined;
  readonly defaultResponse: DefaultResponse | undefined;
  readonly emitFrom: (filter: string, type: string, payload: Record<string, unknown>) => void;
}

/** The fallback's "skip the failed filter" outcome. */
const SKIP: unique symbol = Symbol('skip');

const monotonic = (): number => performance.now();


function isForward(verdict: MessageView | Forward): verdict is Forward {
  return (verdict as Forward).forward !== undefined;
}

/** Reads a monotonic clock at most once per step: `-1` means "not read yet". */
function readOnce(now: number): number {
  return now < 0 ? monotonic() : now;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs one exchange through a snapshot of entries. Around-style filters get a frame with `next`;
 * consecutive phased filters run their request phases in one loop and their response phases in
 * one pass after the inner response, so a synchronous phase costs a call, not a promise. Values
 * stay synchronous until something inside (a filter or the upstream) is asynchronous.
 */
export class Dispatcher implements FrameHost {
  /** Exchanges refused (first denial of each) and filter failures, for the chain's statistics. */
  readonly counters = { denied: 0, filterErrors: 0 };
  readonly engine: Engine;

  constructor(private readonly options: DispatcherOptions) {
    this.engine = options.engine;
  }

  emitFrom(filter: string, type: string, payload: Record<string, unknown>): void {
    this.options.emitFrom(filter, type, payload);
  }

  /** Runs `entries` from `start` inward, then `terminal`, then the response phases outward. */
  dispatch(entries: readonly ChainEntry[], start: number, message: MessageView, context: ExchangeContext, terminal: Terminal, now = -1): MaybePromise<Response> {
    return this.runFrom(entries, start, message, context, terminal, undefined, now);
  }

  /** Counts a refusal by `entry` (the exchange's first one also sets `context.denial` and emits `denied`). */
  private recordDenial(entry: ChainEntry, message: MessageView, context: ExchangeContext, code: number): void {
    entry.counters.denied++;
    if (context.denial === undefined) {
      context.denial = { filter: entry.name, code };
      this.counters.denied++;
      this.emitFrom(entry.name, 'denied', { code, method: message.method, id: message.id });
    }
  }

  /** The request phases from `start`; `frames` are the phased filters outside it still to unwind. */
  private runFrom(
    entries: readonly ChainEntry[],
    start: number,
    message: MessageView,
    context: ExchangeContext,
    terminal: Terminal,
    frames: PhaseFrame[] | undefined,
    /** A monotonic reading taken just before (the chain's start), or -1. */
    now = -1,
  ): MaybePromise<Response> {
    for (let index = start; index < entries.length; index++) {
      const entry = entries[index] as ChainEntry;
      if (!entry.enabled) continue;
      if (entry.options.when !== undefined && !entry.matches(message, context)) {
        entry.counters.skipped++;
        continue;
      }
      const filter = entry.phased;
      if (filter === undefined) return this.unwind(frames, this.invoke(entries, index, entry, message, context, terminal));
      const frame = new PhaseFrame(this, entry, message, context);
      entry.counters.processed++;
      frame.started = now = readOnce(now);
      if (filter.onRequest === undefined) {
        (frames ??= []).push(frame);
        if (filter.runInside !== undefined) return this.enter(filter, entries, index, frame, message, terminal, frames, now);
        continue;
      }
      let verdict: RequestVerdict | PromiseLike<RequestVerdict>;
      try {
        verdict = filter.onRequest(frame);
      } catch (error) {
        const outcome = this.requestFailed(frame, error);
        if (outcome === SKIP) continue;
        return this.unwind(frames, outcome);
      }
      if (verdict === undefined) {
        (frames ??= []).push(frame);
        if (filter.runInside !== undefined) return this.enter(filter, entries, index, frame, message, terminal, frames, now);
        continue;
      }
      if (isPromiseLike(verdict)) {
        const rest = Promise.resolve(verdict).then(
          (settled) => this.afterAsyncRequest(entries, index, frame, settled, terminal),
          (error: unknown) => {
            const outcome = this.requestFailed(frame, error);
            return outcome === SKIP ? this.runFrom(entries, index + 1, message, context, terminal, undefined) : outcome;
          },
        );
        return this.unwind(frames, rest);
      }
      if (isForward(verdict)) {
        message = verdict.forward;
        (frames ??= []).push(frame);
        if (filter.runInside !== undefined) return this.enter(filter, entries, index, frame, message, terminal, frames, now);
        continue;
      }
      this.settle(frame, verdict, -1);
      return this.unwind(frames, verdict);
    }
    return this.callTerminal(message, context, terminal, frames);
  }

  private afterAsyncRequest(entries: readonly ChainEntry[], index: number, frame: PhaseFrame, verdict: RequestVerdict, terminal: Terminal): MaybePromise<Response> {
    if (verdict !== undefined && !isForward(verdict)) {
      this.settle(frame, verdict, -1);
      return verdict;
    }
    const message = verdict === undefined ? frame.message : verdict.forward;
    const filter = frame.entry.phased as PhasedFilter;
    if (filter.runInside !== undefined) return this.enter(filter, entries, index, frame, message, terminal, [frame], -1);
    return this.runFrom(entries, index + 1, message, frame.context, terminal, [frame]);
  }

  /**
   * The rest of the chain inside `filter.runInside`; `frames` ends with the filter's own frame.
   * The filter's own response phase runs with the inside (within its scope, in the same
   * continuation); the response phases of the filters outside it run after, outside the scope.
   */
  private enter(
    filter: PhasedFilter,
    entries: readonly ChainEntry[],
    index: number,
    frame: PhaseFrame,
    message: MessageView,
    terminal: Terminal,
    frames: PhaseFrame[],
    /** This run's clock reading when the request phase was synchronous (the inner run reuses it), else -1. */
    now: number,
  ): MaybePromise<Response> {
    frames.pop();
    let ran = false;
    const inside = (): MaybePromise<Response> => {
      ran = true;
      return this.runFrom(entries, index + 1, message, frame.context, terminal, [frame], now);
    };
    let inner: MaybePromise<Response>;
    try {
      inner = (filter.runInside as NonNullable<PhasedFilter['runInside']>)(frame, inside);
    } catch (error) {
      // The filter failed around the inside: its response phase does not run.
      const outcome = this.failure(frame, error);
      if (outcome !== SKIP) inner = outcome;
      else inner = ran ? errorView(message, ErrorCode.INTERNAL_ERROR, `filter "${frame.entry.name}" failed`, { filter: frame.entry.name }) : this.runFrom(entries, index + 1, message, frame.context, terminal, undefined);
    }
    return this.unwind(frames, inner);
  }

  /** The upstream, then the response phases of `frames`, in one continuation when it is asynchronous. */
  private callTerminal(message: MessageView, context: ExchangeContext, terminal: Terminal, frames: PhaseFrame[] | undefined): MaybePromise<Response> {
    let pending: MaybePromise<Response>;
    try {
      pending = terminal(message, context);
    } catch (error) {
      return this.unwind(frames, this.upstreamFailed(message, error));
    }
    if (!isPromiseLike(pending)) return this.unwind(frames, pending);
    return Promise.resolve(pending).then(
      (response) => (frames === undefined ? response : this.unwindFrom(frames, frames.length - 1, response)),
      (error: unknown) => {
        const failed = this.upstreamFailed(message, error);
        return frames === undefined ? failed : this.unwindFrom(frames, frames.length - 1, failed);
      },
    );
  }

  private upstreamFailed(message: MessageView, error: unknown): MessageView {
    if (FilterDeniedError.is(error)) return errorView(message, error.code, error.message, error.data);
    this.options.logger.warn({ err: describe(error) }, 'gopher-mcp: upstream failed');
    return errorView(message, ErrorCode.INTERNAL_ERROR, 'upstream failed');
  }

  /** The response phases of `frames` (innermost last) once `inner` is known. */
  private unwind(frames: PhaseFrame[] | undefined, inner: MaybePromise<Response>): MaybePromise<Response> {
    if (frames === undefined || frames.length === 0) return inner;
    if (!isPromiseLike(inner)) return this.unwindFrom(frames, frames.length - 1, inner);
    return Promise.resolve(inner).then(
      (response) => this.unwindFrom(frames, frames.length - 1, response),
      // Nothing inside rejects by design (filter and upstream failures become responses); if
      // something still does, the response phases outside see a -32603 rather than never running.
      (error: unknown) => {
        const frame = frames[frames.length - 1] as PhaseFrame;
        this.options.logger.error({ err: describe(error) }, 'gopher-mcp: the inner chain failed');
        return this.unwindFrom(frames, frames.length - 1, errorView(frame.message, ErrorCode.INTERNAL_ERROR, 'the chain failed'));
      },
    );
  }

  /**
   * The response phases of `frames[from]` outward. One clock read serves the pass: it is each
   * frame's `responsePhaseAt` and the end of its latency (a run of phased filters is timed as a
   * run, not filter by filter).
   */
  private unwindFrom(frames: readonly PhaseFrame[], from: number, inner: Response): MaybePromise<Response> {
    let response = inner;
    const now = monotonic();
    for (let i = from; i >= 0; i--) {
      const frame = frames[i] as PhaseFrame;
      frame.responsePhaseAt = now;
      const filter = frame.entry.phased as PhasedFilter;
      if (filter.onResponse === undefined) {
        this.settle(frame, response, now);
        continue;
      }
      let out: Response | PromiseLike<Response>;
      try {
        out = filter.onResponse(frame, response);
      } catch (error) {
        response = this.responseFailed(frame, error, response);
        continue;
      }
      if (isPromiseLike(out)) {
        const received = response;
        return Promise.resolve(out).then(
          (settled) => {
            this.settle(frame, settled, -1);
            return this.unwindFrom(frames, i - 1, settled);
          },
          (error: unknown) => this.unwindFrom(frames, i - 1, this.responseFailed(frame, error, received)),
        );
      }
      this.settle(frame, out, now);
      response = out;
    }
    return response;
  }

  /** An around-style filter's turn: its frame, its `handle`, its outcome. */
  private invoke(
    entries: readonly ChainEntry[],
    index: number,
    entry: ChainEntry,
    message: MessageView,
    context: ExchangeContext,
    terminal: Terminal,
  ): MaybePromise<Response> {
    const frame = new ChainExchange(this, entries, index, entry, message, context, terminal);
    entry.counters.processed++;
    if (entry.latency !== undefined) frame.started = monotonic();
    let returned: ReturnType<Filter['handle']>;
    try {
      returned = (entry.filter as Filter).handle(frame, frame.next);
    } catch (error) {
      return this.aroundFailed(frame, error);
    }
    if (!isPromiseLike(returned)) {
      this.settle(frame, returned, -1);
      return returned;
    }
    return Promise.resolve(returned).then(
      (response) => {
        this.settle(frame, response, -1);
        return response;
      },
      (error: unknown) => this.aroundFailed(frame, error),
    );
  }

  /** Records a frame's latency and outcome (passed, or denied when it returns its own error). Returns the clock read. */
  private settle(frame: PhaseFrame | ChainExchange, response: Response, now: number): number {
    const entry = frame.entry;
    if (entry.latency !== undefined) {
      now = readOnce(now);
      entry.latency.record(now - frame.started);
    }
    if (frame.ownError !== undefined && response === frame.ownError) {
      this.recordDenial(entry, frame.message, frame.context, response.error?.code ?? ErrorCode.INTERNAL_ERROR);
    } else {
      entry.counters.passed++;
    }
    return now;
  }

  private aroundFailed(frame: ChainExchange, error: unknown): MaybePromise<Response> {
    const outcome = this.failure(frame, error);
    if (outcome !== SKIP) return outcome;
    // Skip the broken filter: continue inward if it never got there, else keep the inner response.
    return frame.inner ?? frame.next(frame.message);
  }

  /** A phased filter's request phase threw or rejected: its answer, or SKIP to continue inward without it. */
  private requestFailed(frame: PhaseFrame, error: unknown): MessageView | typeof SKIP {
    return this.failure(frame, error);
  }

  /** A phased filter's response phase threw or rejected: its answer, or (PASSTHROUGH) the response it received. */
  private responseFailed(frame: PhaseFrame, error: unknown, received: Response): Response {
    const outcome = this.failure(frame, error);
    return outcome === SKIP ? received : outcome;
  }

  /** A filter failed: a denial it threw, else the fallback's answer (or SKIP for PASSTHROUGH). */
  private failure(frame: PhaseFrame | ChainExchange, error: unknown): MessageView | typeof SKIP {
    const { entry, message, context } = frame;
    if (entry.latency !== undefined) entry.latency.record(monotonic() - frame.started);
    if (FilterDeniedError.is(error)) {
      this.recordDenial(entry, message, context, error.code);
      return errorView(message, error.code, error.message, error.data);
    }
    entry.counters.errors++;
    this.counters.filterErrors++;
    const behavior = entry.failClosed ? 'REJECT' : (entry.options.fallback ?? this.options.fallback ?? 'REJECT');
    this.options.logger.error({ filter: entry.name, err: describe(error), fallback: behavior }, 'gopher-mcp: filter failed');
    this.emitFrom(entry.name, 'filter_error', { error: describe(error), fallback: behavior, method: message.method });
    if (behavior === 'PASSTHROUGH') return SKIP;
    const fallbackResponse = this.options.defaultResponse;
    if (behavior === 'DEFAULT' && fallbackResponse !== undefined && message.kind === 'request') {
      return 'result' in fallbackResponse ? resultView(message, fallbackResponse.result) : errorObjectView(message, fallbackResponse.error);
    }
    this.recordDenial(entry, message, context, ErrorCode.INTERNAL_ERROR);
    return errorView(message, ErrorCode.INTERNAL_ERROR, `filter "${entry.name}" failed`, { filter: entry.name });
  }
}
