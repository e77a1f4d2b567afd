import type { AccessLogRecord, RecordExtras } from './record.js';

/** Turns a record into one log line (without the newline). */
export type LineFormatter = (record: AccessLogRecord, extras: RecordExtras) => string;

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

const ESCAPES = {
  /** Inside a quoted field: quotes, backslashes and control characters. */
  quoted: /["\\\u0000-\u001f\u007f]/g,
  /** A field without quotes: whitespace too, so fields still split on spaces. */
  bare: /[\s"\\\u0000-\u001f\u007f]/g,
  /** Control characters only (templates), so a peer cannot forge log lines. */
  controls: /[\u0000-\u001f\u007f]/g,
} as const;

/** Escapes what a log reader would trip on, nginx style (`\xHH`). */
function escapeField(text: string, mode: keyof typeof ESCAPES): string {
  return text.replace(ESCAPES[mode], (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Common Log Format time, in UTC: `10/Oct/2000:13:55:36 +0000`. */
export function clfTime(iso: string): string {
  const d = new Date(iso);
  return `${pad2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/** The target of an exchange: the tool, prompt or resource it is about. */
export function targetOf(record: AccessLogRecord): string | undefined {
  return record.tool ?? record.prompt ?? record.resource;
}

/**
 * The status a combined line shows: 200 for a result (202 for a forwarded notification, as
 * Streamable HTTP answers one), else the error code (429, 403, -32603, ...).
 */
export function combinedStatus(record: AccessLogRecord): number {
  if (record.outcome === 'ok' || record.outcome === 'tool_error') return record.kind === 'notification' ? 202 : 200;
  return record.code ?? 500;
}

/**
 * `combined`: the Apache / nginx combined format with the MCP method and target as the request
 * line, the principal as the user, the response size as the bytes, and nginx's `$request_time`
 * (seconds) appended:
 * `127.0.0.1 - alice [10/Oct/2000:13:55:36 +0000] "tools/call echo MCP" 200 120 "-" "agent/1.0" 0.012`
 */
export const formatCombined: LineFormatter = (record, extras) => {
  const host = escapeField(extras.peerAddress ?? '-', 'bare');
  const user = escapeField(record.principal ?? '-', 'bare');
  const requestLine = escapeField(`${record.method ?? record.kind} ${targetOf(record) ?? '-'} MCP`, 'quoted');
  const agent = escapeField(extras.userAgent ?? '-', 'quoted');
  const seconds = (record.durationMs / 1000).toFixed(3);
  return `${host} - ${user} [${clfTime(record.time)}] "${requestLine}" ${combinedStatus(record)} ${record.bytesOut} "-" "${agent}" ${seconds}`;
};

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** The value of a template field (see ACCESS_LOG_TEMPLATE_FIELDS in core), or undefined. */
function templateValue(field: string, record: AccessLogRecord, extras: RecordExtras): unknown {
  switch (field) {
    case 'peerAddress':
      return extras.peerAddress;
    case 'peerPort':
      return extras.peerPort;
    case 'userAgent':
      return extras.userAgent;
    case 'target':
      return targetOf(record);
    default:
      return (record as unknown as Record<string, unknown>)[field];
  }
}

/**
 * `template`: the configured template with every `${field}` replaced by its value (`-` when
 * absent); control characters in values are escaped (`\xHH`) so a peer cannot forge log lines.
 */
export function templateFormatter(template: string): LineFormatter {
  const pieces: Array<string | { field: string }> = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    pieces.push(template.slice(last, match.index), { field: match[1] ?? '' });
    last = match.index + match[0].length;
  }
  pieces.push(template.slice(last));
  return (record, extras) => {
    let line = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        line += piece;
        continue;
      }
      const value = templateValue(piece.field, record, extras);
      line += value === undefined ? '-' : escapeField(typeof value === 'string' ? value : JSON.stringify(value), 'controls');
    }
    return line;
  };
}

/** The formatter of `format` (`template` needs its template). */
export function formatterFor(format: AccessLogFormat, template: string | undefined): LineFormatter {
  switch (format) {
    case 'json':
      return formatJson;
    case 'text':
      return formatText;
    case 'combined':
      return formatCombined;
    case 'template':
      return templateFormatter(template ?? '');
  }
}
