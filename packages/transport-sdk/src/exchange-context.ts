import {
  AttributeBag,
  type Clock,
  type Denial,
  type Direction,
  type ExchangeContext,
  type LazyAbort,
  type PeerInfo,
  type Principal,
  type SessionInfo,
} from '@gopher-mcp/core';


/**
 * The context of one exchange of a GopherTransport: core's `ExchangeContext`, with a signal made
 * only when a filter reads it (an AbortController per message is one of its dearest parts).
 */
export class TransportExchangeContext implements ExchangeContext {
  readonly attributes = new AttributeBag();
  readonly startedAt: number;
  denial: Denial | undefined = undefined;

  constructor(
    readonly direction: Direction,
    readonly transport: string,
    readonly session: SessionInfo,
    readonly peer: PeerInfo,
    public principal: Principal | undefined,
    readonly clock: Clock,
    private readonly abort: LazyAbort,
  ) {
    this.startedAt = clock.now();
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }
}
