import type { Engine } from '../engine/types.js';
import type { JsonRpcErrorObject } from '../message/jsonrpc.js';
import { errorObjectView, errorView, resultView } from '../message/responses.js';
import type { MessageView } from '../message/view.js';
import type { Exchange, ExchangeContext } from './filter.js';

/** The {@link Exchange} a chain hands one filter. Records whether the filter answered by itself. */
export class ChainExchange implements Exchange {
  /** The error response this filter made itself, if any (a denial). */
  ownError: MessageView | undefined;

  constructor(
    readonly message: MessageView,
    readonly context: ExchangeContext,
    readonly engine: Engine,
    private readonly filterName: string,
    private readonly emitEvent: (filter: string, type: string, payload: Record<string, unknown>) => void,
  ) {}

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
    this.emitEvent(this.filterName, type, payload);
  }
}
