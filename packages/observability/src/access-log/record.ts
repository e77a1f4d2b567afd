import { type Direction, type ExchangeContext, type JsonRpcId, type MessageKind, type MessageView } from '@gopher-mcp/core';

import type { ExchangeOutcome, OutcomeKind } from '../outcome.js';
import { capBody, type Redactor } from './redact.js';

/**
 * One access log record: one per exchange (a request with its response, or a notification). Fields
 * that do not apply are absent. This is the object the `json` format prints and the `logger` sink
 * passes to `logger.info`.
 */
export interface AccessLogRecord {
  /** When the exchange entered the chain (ISO 8601, UTC, from the chain's clock). */
  readonly time: string;
  readonly direction: Direction;
  readonly transport: string;
  /** `request` or `notification` (or the kind of a response run through a chain on its own). */
  readonly kind: MessageKind;
  readonly session?: string;
  /** `address:port` of the peer (or the address alone). */
  readonly peer?: string;
  /** The subject of the authenticated principal. */
  readonly principal?: string;
  readonly method?: string;
  readonly tool?: string;
  readonly resource?: string;
  readonly prompt?: string;
  /** The JSON-RPC id of a request. */
  readonly id?: JsonRpcId | null;
  readonly outcome: OutcomeKind;
  /** The JSON-RPC error code of an `error` or `denied` outcome. */
  readonly code?: number;
  /** The filter that refused the exchange. */
  readonly deniedBy?: string;
  /** Time inside the access log filter (everything inside it included), ms, 3 decimals. */
  readonly durationMs: number;
  /** Size of the message in bytes (left out of a `template` record whose template does not print it). */
  readonly bytesIn: number;
  /** Size of the response in bytes (0 for a notification; likewise left out when a template does not print it). */
  readonly bytesOut: number;
  /** The peer's request headers, secrets redacted (`includeHeaders`). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** The request params, secrets redacted and size capped (`includeBodies`). */
  readonly request?: unknown;
  /** The response result or error object, secrets redacted and size capped (`includeBodies`). */
  readonly response?: unknown;
}

/** What {@link buildRecord} needs to know about the configuration. */
export interface RecordOptions {
  readonly includeHeaders: boolean;
  readonly includeBodies: boolean;
  readonly maxBodyBytes: number;
  readonly redactor: Redactor;
  /** Read the request's size for `bytesIn` (else the field is left out: the format does not print it). */
  readonly bytesIn: boolean;
  /** Read the response's size for `bytesOut` (likewise). */
  readonly bytesOut: boolean;
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

let lastTime = Number.NaN;
let lastIso = '';

/** ISO 8601 of a clock time; consecutive records mostly share a millisecond, so the last one is kept. */
function isoTime(ms: number): string {
  if (ms !== lastTime) {
    lastIso = new Date(ms).toISOString();
    lastTime = ms;
  }
  return lastIso;
}

function peerText(context: ExchangeContext): string | undefined {
  const { address, port } = context.peer;
  if (address === undefined) return undefined;
  if (port === undefined) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Makes the record of one finished exchange. */
export function buildRecord(
  message: MessageView,
  response: MessageView | undefined,
  context: ExchangeContext,
  outcome: ExchangeOutcome,
  durationMs: number,
  options: RecordOptions,
): AccessLogRecord {
  const record: Record<string, unknown> = {
    time: isoTime(context.startedAt),
    direction: context.direction,
    transport: context.transport,
    kind: message.kind,
  };
  if (context.session.id !== undefined) record.session = context.session.id;
  const peer = peerText(context);
  if (peer !== undefined) record.peer = peer;
  if (context.principal !== undefined) record.principal = context.principal.subject;
  if (message.method !== undefined) record.method = message.method;
  const tool = message.toolName;
  if (tool !== undefined) record.tool = tool;
  const resource = message.resourceUri;
  if (resource !== undefined) record.resource = resource;
  const prompt = message.promptName;
  if (prompt !== undefined) record.prompt = prompt;
  if (message.kind === 'request') record.id = message.id;
  record.outcome = outcome.outcome;
  if (outcome.code !== undefined) record.code = outcome.code;
  if (outcome.deniedBy !== undefined) record.deniedBy = outcome.deniedBy;
  record.durationMs = round3(durationMs);
  if (options.bytesIn) record.bytesIn = message.size;
  if (options.bytesOut) record.bytesOut = response === undefined || message.kind !== 'request' ? 0 : response.size;
  if (options.includeHeaders && context.peer.headers !== undefined) {
    record.headers = options.redactor.headers(context.peer.headers);
  }
  if (options.includeBodies) {
    const params = message.params;
    if (params !== undefined) record.request = capBody(options.redactor.body(params, ['params']), options.maxBodyBytes);
    if (response !== undefined && message.kind === 'request') {
      const body = response.kind === 'error' ? response.error : response.result;
      const root = response.kind === 'error' ? 'error' : 'result';
      if (body !== undefined) record.response = capBody(options.redactor.body(body, [root]), options.maxBodyBytes);
    }
  }
  return record as unknown as AccessLogRecord;
}
