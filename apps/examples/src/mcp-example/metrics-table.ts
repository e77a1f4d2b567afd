// The summary of what the metrics filter counted, read back from the live /metrics endpoint.

/** One sample of the Prometheus text exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (version 0.0.4): every sample line, comments skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key as string] = (raw as string).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Fetches the endpoint and parses it. */
export async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return parsePrometheusText(await response.text());
}

/** The rows the demo shows: [metric, labels, value]. */
export function summaryRows(samples: readonly Sample[], namespace = 'gopher_mcp'): string[][] {
  const rows: string[][] = [];
  const of = (metric: string) => samples.filter((s) => s.name === `${namespace}_${metric}` && s.value !== 0);
  const labels = (sample: Sample, keys: ReadonlyArray<readonly [string, string]>) =>
    keys
      .filter(([key]) => (sample.labels[key] ?? '') !== '')
      .map(([key, shown]) => `${shown}=${sample.labels[key] ?? ''}`)
      .join(' ');
  for (const s of of('requests_total').filter((s) => s.labels.direction === 'inbound')) {
    rows.push(['requests_total', labels(s, [['mcp_method_name', 'method'], ['gen_ai_tool_name', 'tool'], ['outcome', 'outcome']]), String(s.value)]);
  }
  for (const s of of('denials_total')) rows.push(['denials_total', labels(s, [['filter', 'filter'], ['code', 'code']]), String(s.value)]);
  for (const s of of('rate_limit_rejections_total')) rows.push(['rate_limit_rejections_total', labels(s, [['limit', 'limit']]), String(s.value)]);
  for (const s of of('circuit_transitions_total')) rows.push(['circuit_transitions_total', labels(s, [['target', 'target'], ['state', 'state']]), String(s.value)]);
  for (const s of of('circuit_state').filter((s) => s.value === 1)) rows.push(['circuit_state', labels(s, [['target', 'target'], ['state', 'state']]), '1']);
  // Mean server-side duration per tool and error type, from the histogram's _sum and _count.
  for (const count of of('server_operation_duration_seconds_count')) {
    const sum = samples.find(
      (s) => s.name === `${namespace}_server_operation_duration_seconds_sum` && JSON.stringify(s.labels) === JSON.stringify(count.labels),
    );
    const meanMs = sum === undefined ? 0 : (sum.value / count.value) * 1000;
    const shown = labels(count, [['mcp_method_name', 'method'], ['gen_ai_tool_name', 'tool'], ['error_type', 'error']]);
    rows.push(['server_operation_duration_seconds', shown, `${count.value} (mean ${meanMs.toFixed(1)} ms)`]);
  }
  return rows;
}
