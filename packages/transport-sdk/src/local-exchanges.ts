import {
  AwaitingResponses,
  type Clock,
  type Direction,
  exchangeKey,
  type JsonRpcMessage,
  LazyAbort,
  type MessageView,
  ObjectMessageView,
  type ReleaseReason,
  type Terminal,
} from '@gopher-mcp/core';

import { SEND_OPTIONS } from './context.js';
import { cancelledRequestId, deferred, releasedResponse, runExchange, type ExchangeHost } from './exchange-host.js';
import type { SdkMessageExtraInfo, SdkSendOptions } from './sdk-types.js';
import { Sequencer } from './sequencer.js';

/** A request of the local SDK sent to the peer, waiting for the peer's response. */
interface SentRequest {
  /** The `extra` the inner transport handed over with the response. */
  responseExtra: SdkMessageExtraInfo | undefined;
  released: ReleaseReason | undefined;
}

/**
 * Exchanges the local SDK opens: its requests and notifications run the request phase and leave
 * through the inner transport (with the SDK's send options, untouched) in the order the SDK sent
 * them; the peer's response (matched by id) runs the response phase and reaches the SDK. A refused
 * request is answered to the SDK with the chain's error response, so the caller's promise rejects
 * with the SDK's own error type (`McpError` / `ProtocolError`) carrying the code and data.
 */
export class LocalExchanges {
  private readonly order = new Sequencer();
  private readonly awaiting: AwaitingResponses;
  private readonly sent = new Map<string, SentRequest>();

  constructor(
    private readonly host: ExchangeHost,
    private readonly direction: Direction,
    clock: Clock,
  ) {
    this.awaiting = new AwaitingResponses(clock, host.exchangeTimeoutMs);
  }

  /** Requests waiting for the peer's response. */
  get waiting(): number {
    return this.awaiting.size;
  }

  /**
   * A request or notification the local SDK sends. Resolves once it left through the inner
   * transport, or once the chain answered it without sending it (refused: the error response was
   * handed to the SDK); rejects with the inner transport's error when it could not be sent.
   */
  send(message: JsonRpcMessage, options: SdkSendOptions | undefined): Promise<void> {
    let view: MessageView;
    try {
      view = new ObjectMessageView(message);
    } catch {
      return this.host.forward(message, options);
    }
    const ticket = this.order.take();
    const abort = new LazyAbort();
    this.host.begin(abort);
    const context = this.host.context(this.direction, abort, undefined);
    if (options !== undefined) context.attributes.set(SEND_OPTIONS, options);
    const state: SentRequest = { responseExtra: undefined, released: undefined };
    const sending = deferred<void>();
    const sentKeys: string[] = [];
    let handedOn = false;
    let delivered = false;
    let sendError: unknown;
    let stopWatchingSignal: (() => void) | undefined;

    const handOn = (forwarded: MessageView): Promise<MessageView | undefined> => {
      handedOn = true;
      if (this.host.closing) {
        ticket.release();
        return Promise.resolve(forwarded.kind === 'request' ? releasedResponse(forwarded, 'closed', 0) : undefined);
      }
      let response: Promise<MessageView> | undefined;
      let key: string | undefined;
      if (forwarded.kind === 'request') {
        key = exchangeKey(undefined, forwarded.id);
        sentKeys.push(key);
        this.sent.set(key, state);
        response = this.awaiting.wait(key, abort, (reason) => {
          state.released = reason;
          return releasedResponse(forwarded, reason, this.host.exchangeTimeoutMs);
        });
        stopWatchingSignal ??= this.watchRequestSignal(options, key);
      }
      const forwarding = this.host.forward(forwarded.message, options);
      ticket.release();
      return forwarding.then(
        () => {
          delivered = true;
          sending.resolve();
          if (response !== undefined) return response;
          const cancelled = cancelledRequestId(forwarded);
          if (cancelled !== undefined) this.awaiting.release(exchangeKey(undefined, cancelled), 'cancelled');
          return undefined;
        },
        (error: unknown) => {
          sendError = error;
          if (key === undefined) return releasedResponse(forwarded, 'unsent', 0);
          this.awaiting.release(key, 'unsent');
          return response;
        },
      );
    };
    // Send in the SDK's order: wait for the turn only when an earlier message is still in its filters.
    const terminal: Terminal = (forwarded) => (handedOn || ticket.ready ? handOn(forwarded) : ticket.turn.then(() => handOn(forwarded)));

    runExchange(this.host, view, context, terminal, (final) => {
      ticket.release();
      this.host.end(abort);
      stopWatchingSignal?.();
      for (const key of sentKeys) if (this.sent.get(key) === state) this.sent.delete(key);
      // Never sent, and it could not be: the SDK hears of it through its send().
      const failed = !delivered && sendError !== undefined;
      if (failed) sending.reject(sendError);
      else sending.resolve();
      if (view.kind !== 'request' || failed || final === undefined) return;
      if (state.released === 'cancelled' || state.released === 'closed' || this.host.closing) return;
      this.host.observeResponse(view, final);
      this.host.deliver(final.message, state.responseExtra);
    });
    return sending.promise;
  }

  /**
   * A response of the peer. True when it answered a request of this flow (it runs the response
   * phase) or came after its exchange ended (dropped); false when the caller should hand it on.
   */
  receiveResponse(message: JsonRpcMessage, extra: SdkMessageExtraInfo | undefined): boolean {
    if (!('id' in message) || message.id === null || message.id === undefined) return false;
    const key = exchangeKey(undefined, message.id);
    let view: MessageView;
    try {
      view = new ObjectMessageView(message);
    } catch {
      return false;
    }
    const state = this.sent.get(key);
    if (state !== undefined) state.responseExtra = extra;
    const outcome = this.awaiting.settle(key, view);
    if (outcome === 'late') this.host.logger.debug({ id: message.id }, 'gopher-mcp: dropped a response that came after its exchange ended');
    return outcome !== 'none';
  }

  /** Ends every wait for the peer (the transport is closing). */
  releaseAll(): void {
    this.awaiting.releaseAll('closed');
  }

  /** SDK 2.x cancels a request on a per-request stream by aborting `requestSignal`: release its wait. */
  private watchRequestSignal(options: SdkSendOptions | undefined, key: string): (() => void) | undefined {
    const signal = options?.requestSignal;
    if (signal === undefined) return undefined;
    const onAbort = (): void => {
      this.awaiting.release(key, 'cancelled');
    };
    if (signal.aborted) {
      onAbort();
      return undefined;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }
}
