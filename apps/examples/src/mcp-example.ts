// The demo: a protected MCP server, end to end. A real MCP server (the official SDK's McpServer
// over Streamable HTTP on 127.0.0.1) behind the standard chain (access log, tracing, metrics,
// JWT authentication, RBAC, rate limits, a circuit breaker), and real MCP clients playing a short
// story against it. Then the metrics scraped from the live /metrics endpoint, the trace of one
// exchange, and the access log. Run: node dist/mcp-example.js (or `pnpm demo` at the root).
import { loadEngine, type ChainEvent } from '@gopher-mcp/core';
import { serveMetrics } from '@gopher-mcp/observability';

import { startAuthorizationServer } from './mcp-example/authorization-server.js';
import { LIMITS, standardChain } from './mcp-example/chain.js';
import { startMcpHttpServer } from './mcp-example/mcp-http-server.js';
import { scrape, summaryRows } from './mcp-example/metrics-table.js';
import { heading, painter, stepHeader, stepLine, table, useColour } from './mcp-example/render.js';
import { playStory } from './mcp-example/story.js';
import { StoryClock } from './mcp-example/story-clock.js';
import { startTelemetry } from './mcp-example/telemetry.js';
import { ToolLedger, createMcpServer } from './mcp-example/tools.js';
import { spanSummary, traceTree } from './mcp-example/trace-view.js';

const paint = painter(useColour(process.stdout, process.env));
let reader = true;
// `demo | head`: once the reader is gone, stop writing, and still close everything.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  reader = false;
});
const out = (line = ''): void => {
  if (reader) process.stdout.write(`${line}\n`);
};

/** The first access log line of each status, in order of appearance. */
function onePerStatus(lines: readonly string[]): string[] {
  const seen = new Set<string>();
  return lines.filter((line) => {
    const status = /" (-?\d+) \d+ "/.exec(line)?.[1] ?? '?';
    if (seen.has(status)) return false;
    seen.add(status);
    return true;
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  const engine = loadEngine();
  const clock = new StoryClock();
  const telemetry = startTelemetry();
  const closers: Array<() => Promise<void>> = [() => telemetry.shutdown()];
  try {
    const authorizationServer = await startAuthorizationServer();
    closers.unshift(() => authorizationServer.close());
    const mcp = await startMcpHttpServer();
    closers.unshift(() => mcp.close());

    const accessLines: string[] = [];
    const events: ChainEvent[] = [];
    const chain = standardChain({
      engine: engine.engine,
      clock,
      issuer: authorizationServer.issuer,
      jwksUri: authorizationServer.jwksUri,
      resource: mcp.url.href,
      tracerProvider: telemetry.provider,
      accessLogLine: (line) => accessLines.push(line),
      onEvent: (event) => events.push(event),
    });
    closers.splice(1, 0, () => chain.manager.close()); // after the sessions, before the other servers
    const metricsServer = await serveMetrics(chain.registry, { host: '127.0.0.1', port: 0 });
    closers.unshift(() => metricsServer.close());
    const ledger = new ToolLedger();
    const serverTracer = telemetry.provider.getTracer('gopher-mcp-demo-server');
    mcp.attach(chain.manager, () => createMcpServer(ledger, serverTracer), authorizationServer.issuer);

    out(paint('bold', 'Gopher MCP demo: a protected MCP server, end to end'));
    out(`  engine   ${engine.summary.replace(/^engine: /, '')}`);
    out(`  server   ${mcp.url.href}  (MCP SDK McpServer over Streamable HTTP, a GopherTransport per session)`);
    out(`  issuer   ${authorizationServer.issuer}  (its JWKS at /.well-known/jwks.json: an ES256 key made at start)`);
    out(`  metrics  ${metricsServer.url}`);
    out(`  chain    ${[...chain.order, 'McpServer'].join(' > ')}`);
    out(
      `  limits   ${LIMITS.perUser.name} ${LIMITS.perUser.limit}/min, ${LIMITS.perUserTool.name} ${LIMITS.perUserTool.limit}/min; ` +
        `a tool's circuit opens after ${LIMITS.breaker.consecutiveFailures} failures in a row, for ${LIMITS.breaker.openMs / 1000} s`,
    );

    out(heading('The story', paint));
    out(stepHeader(paint));
    const story = await playStory({
      url: mcp.url,
      authorizationServer,
      clock,
      tracer: telemetry.provider.getTracer('gopher-mcp-demo-client'),
      events,
      onStep: (step) => out(stepLine(step, paint)),
    });

    out(heading(`Metrics (scraped from ${metricsServer.url})`, paint));
    const rows = summaryRows(await scrape(metricsServer.url));
    for (const line of table(['metric', 'labels', 'value'], rows, paint)) out(`  ${line}`);

    out(heading(`Trace of step ${story.tracedStep.n} (${story.tracedStep.what}), trace id ${story.tracedStep.traceId}`, paint));
    const spans = telemetry.spans();
    for (const line of traceTree(spans, story.tracedStep.traceId, paint)) out(line);
    const denied = spans.find((s) => s.attributes['error.type'] === '429');
    if (denied !== undefined) {
      out(heading('The span of the 429', paint));
      out(spanSummary(denied, paint));
    }

    out(heading(`Access log (combined format, ${accessLines.length} lines; the first of each status)`, paint));
    for (const line of onePerStatus(accessLines)) out(`  ${line}`);
  } finally {
    for (const close of closers) await close();
  }
  out();
  out(paint('dim', `done in ${((performance.now() - started) / 1000).toFixed(1)} s (the story clock skipped ${(clock.skippedMs / 1000).toFixed(1)} s); every server closed`));
}

main().catch((error: unknown) => {
  process.stderr.write(`mcp-example failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
