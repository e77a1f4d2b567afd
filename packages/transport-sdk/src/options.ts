import type { Clock, Direction, EntryOptions, FilterChain, FilterLike, FilterManager, FilterManagerConfigInput, FromConfigOptions, Logger } from '@gopher-mcp/core';

import type { PeerSource } from './context.js';

/** Which end of the MCP connection the decorated transport belongs to. */
export type Side = 'server' | 'client';

/**
 * The filters a {@link GopherTransport} runs: a `FilterManager` (its chain is used), a
 * `FilterChain`, a list of filters (outermost first, each optionally with its placement options),
 * or a `FilterManagerConfig` object (validated at construction, built at `start()`).
 */
export type FiltersInput =
  | FilterManager
  | FilterChain
  | ReadonlyArray<FilterLike | readonly [FilterLike, EntryOptions]>
  | FilterManagerConfigInput;

/** Options of a {@link GopherTransport}. */
export interface GopherTransportOptions {
  /**
   * `server`: the inner transport belongs to an MCP server (requests arrive through it);
   * `client`: it belongs to an MCP client (requests leave through it).
   */
  readonly side: Side;
  /**
   * `ExchangeContext.transport` (default: named after the inner transport's class: `stdio`,
   * `http`, `sse`, `memory`, `websocket`, else `sdk`).
   */
  readonly transportName?: string;
  /**
   * Which exchanges run through the chain, by `ExchangeContext.direction`: `inbound` are the
   * exchanges the MCP client opens (its requests and notifications to the server), `outbound`
   * the ones the server opens (sampling, elicitation, roots requests; log, progress and
   * list-changed notifications). Default `['inbound']`: the chain guards the server, and
   * server-initiated traffic passes untouched. Exchanges not chosen are forwarded as they are.
   */
  readonly directions?: readonly Direction[];
  /**
   * The peer's address and port for `ExchangeContext.peer` (the SDK transports do not expose the
   * socket): fixed for this transport (e.g. from `req.socket` when a Streamable HTTP transport is
   * made per session), or computed per message from the SDK's `extra`. HTTP headers are added
   * from each message's `extra` either way.
   */
  readonly peer?: PeerSource;
  /**
   * Sets `ExchangeContext.principal` from the SDK's `authInfo` when a transport carries one
   * (e.g. the SDK's bearer-auth middleware verified a token). Default true.
   */
  readonly principalFromAuthInfo?: boolean;
  /**
   * A request handed on whose response has not come after this long is answered with 504 and
   * released; its late response is dropped. Default 0: no timer of its own, since the SDK owns
   * request timeouts (and resets them on progress) and signals cancellation, which the decorator
   * follows.
   */
  readonly exchangeTimeoutMs?: number;
  /**
   * Close the manager (or chain) when the transport closes. Default: true when the transport
   * made the manager (from a config or a list of filters), false for a manager or chain given.
   */
  readonly closeManager?: boolean;
  /** How long `close()` waits for in-flight exchanges to finish their response phases (default 5000 ms). */
  readonly drainTimeoutMs?: number;
  /** Runtime parts (registry, engine, clock, logger, events) for a manager built from a config. */
  readonly fromConfig?: FromConfigOptions;
  /** Clock of the exchange timers (default: the chain's clock). */
  readonly clock?: Clock;
  /** Logger of the decorator itself (default: the chain's logger). */
  readonly logger?: Logger;
}
