import type { ChainEvent, ChainEventSink } from '@gopher-mcp/core';

import type { McpMetricFamilies } from './families.js';

/** The circuit states a `circuit_state` gauge always reports (the current one 1, the others 0). */
export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : undefined;
}

/** `half-open`, `halfOpen`, `HALF_OPEN` -> `half_open`. */
export function normalizeCircuitState(state: string): string {
  return state
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
}

/**
 * A chain event sink that turns the events filters emit into metrics:
 * - `circuit_state` (`{ state | to, target | key | upstream }`, from a circuit breaker): the
 *   `{ns}_circuit_state` gauge of that filter and target and `{ns}_circuit_transitions_total`;
 * - `filter_error` (from the chain: a filter threw): `{ns}_filter_errors_total`.
 * Other events are ignored. Denials and rate-limit rejections are counted by the metrics filter
 * itself, from the exchanges it sees, so they are never counted twice.
 */
export function eventSinkFor(families: McpMetricFamilies): ChainEventSink {
  const states = new Map<string, Set<string>>();
  return (event: ChainEvent) => {
    if (event.type === 'circuit_state') {
      const rawState = text(event.payload.state) ?? text(event.payload.to);
      if (rawState === undefined) return;
      const state = families.configured.value(normalizeCircuitState(rawState));
      const filter = families.configured.value(event.filter);
      const target = families.configured.value(text(event.payload.target) ?? text(event.payload.key) ?? text(event.payload.upstream) ?? '');
      const key = `${filter}\u0000${target}`;
      let known = states.get(key);
      if (known === undefined) {
        known = new Set(CIRCUIT_STATES);
        states.set(key, known);
      }
      known.add(state);
      for (const s of known) families.circuitState.set(families.withConst({ filter, target, state: s }), s === state ? 1 : 0);
      families.circuitTransitions.inc(families.withConst({ filter, target, state }));
    } else if (event.type === 'filter_error') {
      families.filterErrors.inc(families.withConst({ filter: families.configured.value(event.filter) }));
    }
  };
}

/** Calls every sink with each event (one that throws does not stop the others). */
export function combineEventSinks(...sinks: ReadonlyArray<ChainEventSink | undefined>): ChainEventSink {
  const list = sinks.filter((s): s is ChainEventSink => s !== undefined);
  return (event) => {
    let failure: unknown;
    for (const sink of list) {
      try {
        sink(event);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  };
}
