import type { Engine } from '../engine/types.js';
import type { JsonRpcErrorObject } from '../message/jsonrpc.js';
import { errorObjectView, errorView, resultView } from '../message/responses.js';
import type { MessageView } from '../message/view.js';
import type { ChainEntry } from './entry.js';
import type { Exchange, ExchangeContext, MaybePromise, Next, PhasedExchange } from './filter.js';

/** Where an exchange goes after the last filter (the chain's `Terminal`). */
type TerminalFn = (message: MessageView, context: ExchangeContext) => MaybePromise<MessageView | undefined>;

/** What a frame needs from the chain that runs it. */
export interface FrameHost {
  readonly engine: Engine;
  dispatch(entries: readonly ChainEntry[], start: number, message: MessageView, context: ExchangeContext, terminal: TerminalFn): MaybePromise<MessageView | undefined>;
  emitFrom(filter: string, type: string, payload: Record<string, unknown>): void;
}

/** One filter's view of one exchange: the {@link Exchange} it is handed and what it did (did it deny). */
abstract class Frame implements Exchange {
  /** The error response this filter made itself, if any (a denial). */
  ownError: MessageView | undefined = undefined;
  /** When the filter's turn started (monotonic ms; 0 when its latency is not measured). */
  started = 0;

  constructor(
    protected readonly host: FrameHost,
    readonly entry: ChainEntry,
    readonly message: MessageView,
    readonly context: ExchangeContext,
  ) {}

  get engine(): Engine {
    return this.host.engine;
  }

  deny(code: number, text: string, data?: Record<string, unknown>): MessageView {
    this.ownError = errorView(this.message, code, text, data);
    return this.ownError;
  }

  respond(result: Record<string, unknown>): MessageView {
    return resultView(this.message, result);
  }

  respondError(error: JsonRpcErrorObject): MessageView {
    this.ownError = errorObjectView(this.message, error);
    return this.ownError;
  }

  emit(type: string, payload: Record<string, unknown> = {}): void {
    this.host.emitFrom(this.entry.name, type, payload);
  }
}

/** The frame of an around-style {@link Filter}: an {@link Exchange} plus its `next`. */
export class ChainExchange extends Frame {
  /** The last call of `next()`, resolving with the inner response. */
  inner: Promise<MessageView | undefined> | undefined = undefined;

  constructor(
    host: FrameHost,
    private readonly entries: readonly ChainEntry[],
    private readonly index: number,
    entry: ChainEntry,
    message: MessageView,
    context: ExchangeContext,
    private readonly terminal: TerminalFn,
  ) {
    super(host, entry, message, context);
  }

  /** Passes the exchange to the rest of the chain. */
  readonly next: Next = (forwarded?: MessageView) => {
    const inner = this.host.dispatch(this.entries, this.index + 1, forwarded ?? this.message, this.context, this.terminal);
    this.inner = inner instanceof Promise ? inner : Promise.resolve(inner);
    return this.inner;
  };
}

/** The frame of a {@link PhasedFilter}: an {@link Exchange} with the filter's per-exchange state. */
export class PhaseFrame extends Frame implements PhasedExchange {
  state: unknown = undefined;
  responsePhaseAt = Number.NaN;

  get requestPhaseAt(): number {
    return this.started;
  }
}
