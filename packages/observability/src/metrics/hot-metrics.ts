import type { Direction, MessageKind } from '@gopher-mcp/core';

import type { OutcomeKind } from '../outcome.js';

/** How the per-exchange metrics are counted (the exposition is the same either way). */
export type MetricsRecorder = 'engine' | 'prom-client';

/** A label set: label name to value. */
export type Labels = Record<string, string>;

/**
 * The series of one (method, tool) label pair: requests by direction and outcome, durations by
 * direction and error type. Made once per pair and kept, so counting an exchange looks up no key.
 */
export interface HotRoute {
  /** A request of this method and tool ended with `outcome`. */
  request(direction: Direction, outcome: OutcomeKind): void;
  /** An exchange of this method and tool took `seconds` (`errorType` '' when it succeeded). */
  duration(direction: Direction, errorType: string, seconds: number): void;
}

/**
 * The metrics counted on every exchange: requests, durations, in-flight exchanges, messages and
 * bytes. Everything rarer (denials, circuit states) goes straight to prom-client.
 */
export interface HotMetrics {
  readonly recorder: MetricsRecorder;
  /** A message entered (in flight +1, message and bytes counted). */
  started(direction: Direction, kind: MessageKind, bytes: number): void;
  /** The exchange left the filter (in flight -1). */
  ended(direction: Direction): void;
  /** A response message travelled back. */
  message(direction: Direction, kind: MessageKind, bytes: number): void;
  /** The series of a method and tool label pair (values already bounded), made on first use. */
  route(method: string, tool: string): HotRoute;
}

/** What both recorders need to name and label their series. */
export interface HotMetricsConfig {
  readonly namespace: string;
  readonly buckets: readonly number[];
  readonly constLabels: Readonly<Record<string, string>>;
}

/** The help texts of the hot metrics. */
export const HOT_HELP = {
  requests: 'MCP requests by direction, method, tool and outcome (ok, tool_error, error, denied).',
  server:
    'Duration of inbound MCP requests and notifications as the chain saw them, from receipt until the result or ack (mcp.server.operation.duration).',
  client: 'Duration of outbound MCP requests and notifications, from sending until the response or ack (mcp.client.operation.duration).',
  inFlight: 'MCP exchanges inside the metrics filter now.',
  messages: 'MCP messages by the direction they travel and their kind.',
  bytes: 'Bytes of MCP messages by the direction they travel and their kind.',
} as const;

/** 0 for inbound, 1 for outbound: the index of per-direction slots. */
export const directionIndex = (direction: Direction): number => (direction === 'inbound' ? 0 : 1);

const KIND_INDEX: Readonly<Record<MessageKind, number>> = { request: 0, notification: 1, result: 2, error: 3 };
const OUTCOME_INDEX: Readonly<Record<OutcomeKind, number>> = { ok: 0, tool_error: 1, error: 2, denied: 3 };

/** The index of a (direction, kind) slot, in [0, 8). */
export const kindSlot = (direction: Direction, kind: MessageKind): number => directionIndex(direction) * 4 + KIND_INDEX[kind];

/** The index of a (direction, outcome) slot, in [0, 8). */
export const outcomeSlot = (direction: Direction, outcome: OutcomeKind): number => directionIndex(direction) * 4 + OUTCOME_INDEX[outcome];

/**
 * Per-direction durations by error type: the success series (error type '') in a slot of its own,
 * the others in a map (error types are bounded by a label limiter).
 */
export class DurationSlots<T> {
  private readonly ok: Array<T | undefined> = [undefined, undefined];
  private readonly failed: Array<Map<string, T> | undefined> = [undefined, undefined];

  /** The series of `direction` and `errorType`, made with `make` on first use. */
  get(direction: Direction, errorType: string, make: () => T): T {
    const d = directionIndex(direction);
    if (errorType === '') return (this.ok[d] ??= make());
    const byType = (this.failed[d] ??= new Map());
    let series = byType.get(errorType);
    if (series === undefined) {
      series = make();
      byType.set(errorType, series);
    }
    return series;
  }
}
