// The trace of one exchange as a tree: span names, kinds, durations and the attributes that matter.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

import type { Painter } from './render.js';

/** Attributes worth a line, in the order shown. */
const SHOWN = [
  'mcp.method.name',
  'gen_ai.tool.name',
  'jsonrpc.request.id',
  'mcp.session.id',
  'network.transport',
  'client.address',
  'error.type',
  'rpc.jsonrpc.error_code',
  'gopher_mcp.denied_by',
  'demo.sleep_ms',
] as const;

const durationMs = (span: ReadableSpan): number => span.duration[0] * 1e3 + span.duration[1] / 1e6;

function attributesOf(span: ReadableSpan): string {
  return SHOWN.filter((key) => span.attributes[key] !== undefined)
    .map((key) => {
      const value = String(span.attributes[key]);
      return `${key}=${key === 'mcp.session.id' ? `${value.slice(0, 8)}…` : value}`;
    })
    .join(' ');
}

/** One span on one line: `name  KIND  12.3 ms  [scope]`, then its attributes indented below. */
function spanLines(span: ReadableSpan, prefix: string, childPrefix: string, paint: Painter): string[] {
  const kind = SpanKind[span.kind];
  const status = span.status.code === SpanStatusCode.ERROR ? `  ${paint('red', `status ERROR: ${span.status.message ?? ''}`)}` : '';
  const head = `${prefix}${paint('bold', span.name)}  ${kind}  ${durationMs(span).toFixed(1)} ms  ${paint('dim', `(${span.instrumentationScope.name})`)}${status}`;
  const attributes = attributesOf(span);
  return attributes === '' ? [head] : [head, `${childPrefix}${paint('dim', attributes)}`];
}

/** The spans of `traceId` as a tree (parents before children), ready to print. */
export function traceTree(spans: readonly ReadableSpan[], traceId: string, paint: Painter): string[] {
  const inTrace = spans.filter((s) => s.spanContext().traceId === traceId).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  const ids = new Set(inTrace.map((s) => s.spanContext().spanId));
  const children = (parent: string | undefined) =>
    inTrace.filter((s) => {
      const p = s.parentSpanContext?.spanId;
      return parent === undefined ? p === undefined || !ids.has(p) : p === parent;
    });
  const lines: string[] = [];
  const walk = (span: ReadableSpan, depth: number) => {
    const indent = '   '.repeat(depth);
    const prefix = depth === 0 ? '  ' : `  ${indent.slice(3)}└─ `;
    lines.push(...spanLines(span, prefix, `  ${indent}   `, paint));
    for (const child of children(span.spanContext().spanId)) walk(child, depth + 1);
  };
  for (const root of children(undefined)) walk(root, 0);
  return lines;
}

/** The one-line form of a span (for a denied exchange's span). */
export function spanSummary(span: ReadableSpan, paint: Painter): string {
  return spanLines(span, '  ', '     ', paint).join('\n');
}
