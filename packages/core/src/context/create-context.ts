import type { Direction, ExchangeContext, SessionInfo } from '../chain/filter.js';
import { AttributeBag } from './attributes.js';
import { systemClock, type Clock } from './clock.js';
import type { PeerInfo } from './peer.js';
import type { Principal } from './principal.js';

/** What a transport knows about an exchange when it hands it to a chain. */
export interface ExchangeContextInit {
  readonly direction?: Direction;
  readonly transport?: string;
  readonly session?: SessionInfo;
  readonly peer?: PeerInfo;
  readonly principal?: Principal;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
}

const neverAborted = new AbortController().signal;

/**
 * Makes the context of one exchange (defaults: inbound, transport `memory`, the system clock or
 * `defaultClock`).
 */
export function createExchangeContext(init: ExchangeContextInit = {}, defaultClock: Clock = systemClock): ExchangeContext {
  const clock = init.clock ?? defaultClock;
  return {
    direction: init.direction ?? 'inbound',
    transport: init.transport ?? 'memory',
    session: init.session ?? {},
    peer: init.peer ?? {},
    principal: init.principal,
    attributes: new AttributeBag(),
    clock,
    signal: init.signal ?? neverAborted,
    startedAt: clock.now(),
    denial: undefined,
  };
}
