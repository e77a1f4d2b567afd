/**
 * Benchmark of the JSON-RPC envelope scanner: native (libgopher_mcp_c through koffi, one FFI call
 * per scan) against its JS twin and against JSON.parse of the same message, on realistic MCP
 * messages of about 200 B, 64 KiB and 1 MiB.
 */
import { ENVELOPE_SCAN_SLOTS } from '../../packages/core/src/engine/envelope/index.js';
import { loadEngine, type Engine } from '../../packages/core/src/index.js';
import { machineLine, markdownTable, measure, type BenchCase, type BenchResult } from './harness.js';

const command =
  'cd bench && GOPHER_MCP_LIBRARY_PATH=<optimised libgopher_mcp_c.so> node --expose-gc --import tsx -e "import(\'./src/envelope.bench.ts\').then(async m => process.stdout.write(await m.run()))"';

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** Prose / Markdown with a newline every line, some quotes and tabs, about 1% non-ASCII. */
const proseLines = [
  '## Release notes for the "gateway" service',
  '',
  'The gateway now validates every JSON-RPC envelope before a filter sees it; malformed input is',
  'answered with -32700 and the byte offset where parsing failed.\tRate limits apply per tool.',
  'Authorization rules match the tool name, the resource URI or the prompt name, so a request',
  'such as `tools/call` with {"name": "write_file"} is checked against the policy first.',
  'Known issue: the café dashboard shows naïve timestamps (UTC) until the next deploy.',
  '',
];

/** TypeScript source indented with tabs: quotes, tabs and newlines every few bytes (escape-dense). */
const codeLines = [
  'export function routeRequest(request: Request, routes: Map<string, Handler>): Response {',
  '\tconst url = new URL(request.url, "http://localhost");',
  '\tconst handler = routes.get(`${request.method} ${url.pathname}`);',
  '\tif (handler === undefined) {',
  '\t\treturn new Response(JSON.stringify({ error: "not found", path: url.pathname }), { status: 404 });',
  '\t}',
  '\treturn handler(request, { "x-request-id": crypto.randomUUID(), "content-type": "application/json" });',
  '}',
  '',
];

/** Mostly non-ASCII text (Chinese, accented Latin, emoji): the slow path of UTF-8 validation. */
const i18nLines = ['网关现在会在过滤器看到消息之前验证每个 JSON-RPC 信封。', 'Les règles d’autorisation s’appliquent à chaque outil — même « write_file ». 😀'];

function textOf(lines: readonly string[], targetBytes: number): string {
  let text = '';
  for (let i = 0; Buffer.byteLength(text) < targetBytes; i++) text += `${lines[i % lines.length]}\n`;
  return text;
}

/** A tools/call carrying a file's content as its text argument, about `targetBytes` long. */
function toolCall(targetBytes: number, lines: readonly string[]): string {
  const message = (content: string): string =>
    JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: {
        name: 'write_file',
        arguments: { path: '/workspace/docs/release-notes.md', content },
        _meta: { progressToken: 'p-7', traceparent },
      },
    });
  const overhead = Buffer.byteLength(message(''));
  return message(textOf(lines, Math.max(0, targetBytes - overhead - targetBytes / 50)));
}

/** A tools/list result with as many tools as fit in about `targetBytes`. */
function toolsList(targetBytes: number): string {
  const tools: unknown[] = [];
  const message = { jsonrpc: '2.0', id: 1, result: { tools, nextCursor: 'page-2' } };
  for (let i = 0; Buffer.byteLength(JSON.stringify(message)) < targetBytes; i++) {
    tools.push({
      name: `search_files_${i}`,
      title: `Search files (${i})`,
      description: 'Searches the workspace for files whose name or content matches a pattern. Returns at most "limit" paths.',
      inputSchema: {
        type: 'object',
        properties: {
          pattern: { type: 'string', description: 'A glob or a regular expression' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          caseSensitive: { type: 'boolean', default: false },
        },
        required: ['pattern'],
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    });
  }
  return JSON.stringify(message);
}

/** A small tools/call (about 200 B). */
function smallCall(): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 42,
    method: 'tools/call',
    params: {
      name: 'get_weather',
      arguments: { city: 'Paris', units: 'metric', days: 3 },
      _meta: { progressToken: 'abc123', traceparent },
    },
  });
}

interface Workload {
  readonly title: string;
  readonly text: string;
}

function casesFor(workload: Workload, js: Engine, native: Engine): BenchCase[] {
  const bytes = Buffer.from(workload.text, 'utf8');
  const out = new Int32Array(ENVELOPE_SCAN_SLOTS);
  const size = bytes.length;
  return [
    { name: 'JSON.parse(string)', run: () => JSON.parse(workload.text), bytes: size },
    { name: 'JSON.parse(bytes.toString())', run: () => JSON.parse(bytes.toString('utf8')), bytes: size },
    { name: 'js scanEnvelopeInto', run: () => js.scanEnvelopeInto(bytes, out), bytes: size },
    { name: 'native scanEnvelopeInto', run: () => native.scanEnvelopeInto(bytes, out), bytes: size },
    { name: 'native scanEnvelope (object form)', run: () => native.scanEnvelope(bytes), bytes: size },
  ];
}

/** Runs every case for about 300 ms so that JIT tiers settle before measuring. */
function warmUp(cases: readonly BenchCase[]): void {
  for (const c of cases) {
    const until = process.hrtime.bigint() + 300_000_000n;
    while (process.hrtime.bigint() < until) for (let i = 0; i < 16; i++) c.run();
  }
}

function ratio(results: readonly BenchResult[], slow: string, fast: string): number {
  const a = results.find((r) => r.name === slow);
  const b = results.find((r) => r.name === fast);
  return a && b ? a.medianNs / b.medianNs : Number.NaN;
}

function conclusion(versusTwin: readonly number[], below5x: readonly string[]): string {
  const slowest = Math.min(...versusTwin);
  const twin =
    slowest > 1
      ? `Native beats the JS twin on every message (by ${slowest.toFixed(2)}x at least).`
      : `Native does NOT beat the JS twin on every message (worst ratio ${slowest.toFixed(2)}x).`;
  const parse =
    below5x.length === 0
      ? 'At 64 KiB it is at least 5x faster than JSON.parse of the already-decoded string on every message.'
      : `At 64 KiB it is at least 5x faster than JSON.parse of the already-decoded string except: ${below5x.join('; ')} ` +
        '(V8 parses a string that is already UTF-16, while the scanner must validate the UTF-8 bytes).';
  return `**Conclusion.** ${twin} ${parse}`;
}

/** Runs the benchmark and returns its Markdown section. */
export async function run(): Promise<string> {
  const js = loadEngine({ engine: 'js' }).engine;
  const nativeReport = loadEngine({ engine: 'native' });
  const native = nativeReport.engine;
  const workloads: Workload[] = [
    { title: 'tools/call, 200 B', text: smallCall() },
    { title: 'tools/call with a 64 KiB text argument (prose, ~1% non-ASCII)', text: toolCall(64 * 1024, proseLines) },
    { title: 'tools/list result, 64 KiB', text: toolsList(64 * 1024) },
    { title: 'tools/call with a 64 KiB text argument (source code, escape-dense)', text: toolCall(64 * 1024, codeLines) },
    { title: 'tools/call with a 64 KiB text argument (mostly non-ASCII)', text: toolCall(64 * 1024, i18nLines) },
    { title: 'tools/call with a 1 MiB text argument (prose, ~1% non-ASCII)', text: toolCall(1024 * 1024, proseLines) },
    { title: 'tools/list result, 1 MiB', text: toolsList(1024 * 1024) },
  ];
  const sections: string[] = [];
  const versusTwin: number[] = [];
  const below5x: string[] = [];
  const summary: string[] = ['| message | native vs JSON.parse(string) | native vs JSON.parse(bytes.toString()) | native vs JS twin | JS twin vs JSON.parse(string) |', '|---|---:|---:|---:|---:|'];
  for (const workload of workloads) {
    const check = native.scanEnvelope(Buffer.from(workload.text));
    if (!check.ok) throw new Error(`benchmark message rejected: ${check.message}`);
    const size = Buffer.byteLength(workload.text);
    const cases = casesFor(workload, js, native);
    warmUp(cases);
    const results = measure(cases, { samples: size > 500_000 ? 21 : 41, sampleMs: 25 });
    sections.push(`### ${workload.title} (${size} bytes)\n\n${markdownTable(results, 'JSON.parse(string)')}`);
    const fmt = (value: number): string => `${value.toFixed(2)}x`;
    versusTwin.push(ratio(results, 'js scanEnvelopeInto', 'native scanEnvelopeInto'));
    const versusParse = ratio(results, 'JSON.parse(string)', 'native scanEnvelopeInto');
    if (workload.title.includes('64 KiB') && versusParse < 5) below5x.push(`${workload.title}: ${fmt(versusParse)}`);
    summary.push(
      `| ${workload.title} | ${fmt(ratio(results, 'JSON.parse(string)', 'native scanEnvelopeInto'))} | ${fmt(
        ratio(results, 'JSON.parse(bytes.toString())', 'native scanEnvelopeInto'),
      )} | ${fmt(ratio(results, 'js scanEnvelopeInto', 'native scanEnvelopeInto'))} | ${fmt(
        ratio(results, 'JSON.parse(string)', 'js scanEnvelopeInto'),
      )} |`,
    );
  }
  return [
    '## Envelope scanner',
    '',
    machineLine(),
    '',
    `Command: \`${command}\``,
    '',
    `Native library: ${native.source}. Each case scans (or parses) one whole message; medians of interleaved samples, per message. ` +
      '"JSON.parse(string)" gets the text already decoded (the strictest baseline); "JSON.parse(bytes.toString())" is what a consumer of bytes pays (UTF-8 decode, then parse). ' +
      'Every case is warmed up first (the JS twin must be JIT-compiled before it is measured).',
    '',
    '### Ratios (medians; > 1 means the first is faster)',
    '',
    ...summary,
    '',
    conclusion(versusTwin, below5x),
    '',
    ...sections.flatMap((section) => [section, '']),
  ].join('\n');
}
