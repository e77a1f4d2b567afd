import type { Engine } from '../engine/types.js';
import type { JsonRpcErrorObject } from '../message/jsonrpc.js';
import { errorObjectView, errorView, resultView } from '../message/responses.js';
import type { MessageView } from '../message/view.js';
import type { ChainEntry } from './entry.js';
import type { Exchange, ExchangeContext, Next } from './filter.js';

/** What a frame needs from the chain that runs it. */
export interface FrameHost {
  readonly engine: Engine;
  dispatch(
    entries: readonly ChainEntry[],
    start: number,
    message: MessageView,
    context: ExchangeContext,
    terminal: (message: MessageView, context: ExchangeContext) => Promise<MessageView | undefined>,
  ): Promise<MessageView | undefined>;
  emitFrom(filter: string, type: string, payload: Record<string, unknown>): void;
}

/**
 * One filter's view of one exchange, and the frame the chain keeps for it: the {@link Exchange}
 * the filter is handed plus its `next` and what happened (did it call next, did it deny).
 */
export class ChainExchange implements Exchange {
  /** The error response this filter made itself, if any (a denial). */
  ownError: MessageView | undefined;
  /** The last call of `next()`, resolving with the inner response. */
  inner: Promise<MessageView | undefined> | undefined;

  constructor(
    private readonly host: FrameHost,
    private readonly entries: readonly ChainEntry[],
    private readonly index: number,
    readonly entry: ChainEntry,
    readonly message: MessageView,
    readonly context: ExchangeContext,
    private readonly terminal: (message: MessageView, context: ExchangeContext) => Promise<MessageView | undefined>,
  ) {}

  get engine(): Engine {
    return this.host.engine;
  }

  /** Passes the exchange to the rest of the chain. */
  readonly next: Next = (forwarded?: MessageView) => {
    this.inner = this.host.dispatch(this.entries, this.index + 1, forwarded ?? this.message, this.context, this.terminal);
    return this.inner;
  };

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
