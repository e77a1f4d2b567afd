import {
  AwaitingResponses,
  type Clock,
  type Direction,
  ErrorCode,
  errorResponse,
  errorView,
  exchangeKey,
  type JsonRpcMessage,
  LazyAbort,
  type MessageView,
  ObjectMessageView,
  type ReleaseReason,
  type Terminal,
} from '@gopher-mcp/core';

import { MESSAGE_EXTRA } from './context.js';
import { asError, cancelledRequestId, deferred, NOTHING, releasedResponse, runExchange, type Deferred, type ExchangeHost } from './exchange-host.js';
import type { SdkMessageExtraInfo, SdkSendOptions } from './sdk-types.js';
import { Sequencer } from './sequencer.js';

/** A request of the peer handed to the local SDK, waiting for the SDK's response. */
interface HandedRequest {
  /** The key of the id the SDK saw (a filter may have changed it). */
  key: string | undefined;
  /** True once the SDK sent its response. */
  answeredBySdk: boolean;
  /** The options the SDK sent its response with: the final response goes out with them. */
  sdkOptions: SdkSendOptions | undefined;
  /** Made when the SDK answers: settles once the final response left (what the SDK's `send` awaits). */
  sent: Deferred<void> | undefined;
  released: ReleaseReason | undefined;
}

const newHandedRequest = (): HandedRequest => ({ key: undefined, answeredBySdk: false, sdkOptions: undefined, sent: undefined, released: undefined });

/**
 * Exchanges the peer opens: its requests and notifications arrive through the inner transport,
 * run the request phase, and reach the local SDK in arrival order; the SDK's response (matched by
 * id) runs the response phase and leaves through the inner transport with the options the SDK gave
 * it. A refused request is answered through the inner transport with the chain's error response.
 */
export class PeerExchanges {
  private readonly order = new Sequencer();
  private readonly awaiting: AwaitingResponses;
  /** Requests from arrival until answered, by key (a second request with the same id is refused). */
  private readonly open = new Set<string>();
  /** Requests handed to the SDK, by the key of the id the SDK saw. */
  private readonly handed = new Map<string, HandedRequest>();

  constructor(
    private readonly host: ExchangeHost,
    private readonly direction: Direction,
    clock: Clock,
  ) {
    this.awaiting = new AwaitingResponses(clock, host.exchangeTimeoutMs);
  }

  /** Requests waiting for the SDK's response. */
  get waiting(): number {
    return this.awaiting.size;
  }

  /** A request or notification the peer sent. */
  receive(message: JsonRpcMessage, extra: SdkMessageExtraInfo | undefined): void {
    if (this.host.closing) {
      this.refuseWhileClosing(message);
      return;
    }
    let view: MessageView;
    try {
      view = new ObjectMessageView(message);
    } catch {
      this.host.deliver(message, extra); // not JSON-RPC: the SDK reports it
      return;
    }
    const key = view.kind === 'request' ? exchangeKey(undefined, view.id) : undefined;
    if (key !== undefined) {
      if (this.open.has(key)) {
        this.answerDuplicate(view);
        return;
      }
      this.open.add(key);
    }
    const ticket = this.order.take();
    const abort = new LazyAbort();
    this.host.begin(abort);
    const context = this.host.context(this.direction, abort, extra);
    if (extra !== undefined) context.attributes.set(MESSAGE_EXTRA, extra);
    const state = key === undefined ? undefined : newHandedRequest();
    let handedOn = false;

    const handOn = (forwarded: MessageView): Promise<MessageView | undefined> => {
      handedOn = true;
      if (this.host.closing) {
        ticket.release();
        return Promise.resolve(forwarded.kind === 'request' ? releasedResponse(forwarded, 'closed', 0) : undefined);
      }
      if (forwarded.kind === 'request') {
        const forwardedKey = forwarded === view && key !== undefined ? key : exchangeKey(undefined, forwarded.id);
        if (this.awaiting.has(forwardedKey)) {
          ticket.release();
          return Promise.resolve(errorView(forwarded, ErrorCode.INTERNAL_ERROR, 'a filter forwarded this request again while it was in flight'));
        }
        const handed = state ?? newHandedRequest();
        handed.key = forwardedKey;
        this.handed.set(forwardedKey, handed);
        const response = this.awaiting.wait(forwardedKey, abort, (reason) => {
          handed.released = reason;
          return releasedResponse(forwarded, reason, this.host.exchangeTimeoutMs);
        });
        this.host.deliver(forwarded.message, extra);
        ticket.release();
        return response;
      }
      this.host.deliver(forwarded.message, extra);
      ticket.release();
      const cancelled = cancelledRequestId(forwarded);
      if (cancelled !== undefined) this.awaiting.release(exchangeKey(undefined, cancelled), 'cancelled');
      return NOTHING;
    };
    // Hand on in arrival order: wait for the turn only when an earlier message is still in its filters.
    const terminal: Terminal = (forwarded) => (handedOn || ticket.ready ? handOn(forwarded) : ticket.turn.then(() => handOn(forwarded)));

    runExchange(this.host, view, context, terminal, (final) => {
      ticket.release();
      this.host.end(abort);
      if (key === undefined || state === undefined) return;
      this.open.delete(key);
      if (state.key !== undefined && this.handed.get(state.key) === state) this.handed.delete(state.key);
      this.answer(view, final, state);
    });
  }

  /**
   * The local SDK's response to a request of the peer. Resolves once the final response left
   * through the inner transport; `undefined` when the response answers no exchange of this flow
   * (the caller forwards it as is).
   */
  respond(message: JsonRpcMessage, options: SdkSendOptions | undefined): Promise<void> | undefined {
    if (!('id' in message) || message.id === null || message.id === undefined) return undefined;
    const key = exchangeKey(undefined, message.id);
    const state = this.handed.get(key);
    let view: MessageView;
    try {
      view = new ObjectMessageView(message);
    } catch {
      return undefined;
    }
    const outcome = this.awaiting.settle(key, view);
    if (outcome === 'settled' && state !== undefined) {
      state.answeredBySdk = true;
      state.sdkOptions = options;
      state.sent?.resolve(); // an earlier answer a retrying filter did not keep
      state.sent = deferred<void>();
      return state.sent.promise;
    }
    if (outcome === 'late') {
      this.host.logger.debug({ id: message.id }, 'gopher-mcp: dropped a response that came after its exchange ended');
      return Promise.resolve();
    }
    return undefined;
  }

  /** Ends every wait for the SDK (the transport is closing). */
  releaseAll(): void {
    this.awaiting.releaseAll('closed');
  }

  private answer(request: MessageView, final: MessageView | undefined, state: HandedRequest): void {
    const sent = state.sent;
    if (state.released === 'cancelled' || state.released === 'closed' || this.host.closing || final === undefined) {
      sent?.resolve(); // no answer on the wire: cancelled, or the transport is gone
      return;
    }
    this.host.observeResponse(request, final);
    // The SDK's own options when it answered; a refusal goes out related to the request it answers.
    const options = state.answeredBySdk ? state.sdkOptions : ({ relatedRequestId: request.id ?? undefined } satisfies SdkSendOptions);
    this.host.forward(final.message, options).then(
      () => sent?.resolve(),
      (error: unknown) => {
        if (sent !== undefined) sent.reject(error); // the SDK's send() rejects
        else this.host.reportError(asError(error)); // nobody else hears of it
      },
    );
  }

  /** The transport is closing: a request is answered 503 (best effort), a notification dropped. */
  private refuseWhileClosing(message: JsonRpcMessage): void {
    if (!('id' in message) || message.id === undefined || message.id === null) return;
    const response = errorResponse(message.id, ErrorCode.UNAVAILABLE, 'the transport is closing');
    this.host.forward(response, { relatedRequestId: message.id }).catch(() => undefined);
  }

  private answerDuplicate(view: MessageView): void {
    const id = view.id ?? null;
    const response = errorResponse(id, ErrorCode.INVALID_REQUEST, 'a request with this id is already in flight', { reason: 'duplicate id' });
    this.host.forward(response, { relatedRequestId: id ?? undefined }).catch((error: unknown) => this.host.reportError(asError(error)));
  }
}
