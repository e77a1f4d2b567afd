import { headerValue, type ExchangeContext } from '@gopher-mcp/core';

import { escapeField } from './escape.js';
import type { AccessLogRecord } from './record.js';

/** Turns a record into one log line (without the newline); the context gives the values that are not record fields. */
export type LineFormatter = (record: AccessLogRecord, context: ExchangeContext) => string;

/** The access log formats. */
export type AccessLogFormat = 'json' | 'text' | 'combined' | 'template';

/** `json`: the record as one line of JSON, fields in a fixed order. */
export const formatJson: LineFormatter = (record) => JSON.stringify(record);

const BARE_VALUE = /^[^\s"=\\\u0000-\u001f\u007f]+$/;

function logfmtValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return BARE_VALUE.test(text) ? text : JSON.stringify(text);
}

/** `text`: logfmt, `key=value` pairs in the record's field order; values with spaces or quotes are JSON-quoted. */
export const formatText: LineFormatter = (record) => {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    parts.push(`${key}=${logfmtValue(value)}`);
  }
  return parts.join(' ');
};

/** The target of an exchange: the tool, prompt or resource it is about. */
export function targetOf(record: AccessLogRecord): string | undefined {
  return record.tool ?? record.prompt ?? record.resource;
}

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** The value of a template field (see ACCESS_LOG_TEMPLATE_FIELDS in core), or undefined. */
function templateValue(field: string, record: AccessLogRecord, context: ExchangeContext): unknown {
  switch (field) {
    case 'peerAddress':
      return context.peer.address;
    case 'peerPort':
      return context.peer.port;
    case 'userAgent':
      return headerValue(context.peer.headers, 'user-agent');
    case 'target':
      return targetOf(record);
    default:
      return (record as unknown as Record<string, unknown>)[field];
  }
}

/** A record format: its formatter and which sizes it prints (reading a size may serialise a message). */
export interface RecordFormat {
  readonly format: LineFormatter;
  /** Whether the record needs `bytesIn` (the request's size). */
  readonly bytesIn: boolean;
  /** Whether the record needs `bytesOut` (the response's size). */
  readonly bytesOut: boolean;
}

/**
 * `template`: the configured template with every `${field}` replaced by its value (`-` when
 * absent); control characters in values are escaped (`\xHH`) so a peer cannot forge log lines.
 */
export function templateFormat(template: string): RecordFormat {
  const pieces: Array<string | { field: string }> = [];
  const fields = new Set<string>();
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    const field = match[1] ?? '';
    pieces.push(template.slice(last, match.index), { field });
    fields.add(field);
    last = match.index + match[0].length;
  }
  pieces.push(template.slice(last));
  const format: LineFormatter = (record, context) => {
    let line = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        line += piece;
        continue;
      }
      const value = templateValue(piece.field, record, context);
      line += value === undefined ? '-' : escapeField(typeof value === 'string' ? value : JSON.stringify(value), 'controls');
    }
    return line;
  };
  return { format, bytesIn: fields.has('bytesIn'), bytesOut: fields.has('bytesOut') };
}

/** The record format of `format` (`template` needs its template); `combined` has its own formatter. */
export function recordFormatFor(format: Exclude<AccessLogFormat, 'combined'>, template: string | undefined): RecordFormat {
  switch (format) {
    case 'json':
      return { format: formatJson, bytesIn: true, bytesOut: true };
    case 'text':
      return { format: formatText, bytesIn: true, bytesOut: true };
    case 'template':
      return templateFormat(template ?? '');
  }
}
