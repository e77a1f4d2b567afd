/** One event of a chain: a filter's state change, a denial, a failure, a dropped notification. */
export interface ChainEvent {
  /** The filter's name in the chain (or `chain` for the chain's own events). */
  readonly filter: string;
  /** What happened, e.g. `denied`, `filter_error`, `notification_dropped`, `circuit_state`. */
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** Clock time of the event in ms. */
  readonly time: number;
}

/** The chain-level event sink: one function for every filter's events. */
export type ChainEventSink = (event: ChainEvent) => void;
