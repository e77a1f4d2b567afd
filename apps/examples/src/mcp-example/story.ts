// The scripted story a few MCP clients play against the protected server.
import type { ChainEvent } from '@gopher-mcp/core';
import { formatTraceparent } from '@gopher-mcp/observability';
import { SpanKind, type Tracer } from '@opentelemetry/api';

import { connectActor, type Actor, type CallOutcome } from './actor.js';
import type { AuthorizationServer, TokenClaims } from './authorization-server.js';
import type { StepLine, StepOutcome } from './render.js';
import type { StoryClock } from './story-clock.js';

/** What the story needs from the world around it. */
export interface StoryWorld {
  readonly url: URL;
  readonly authorizationServer: AuthorizationServer;
  readonly clock: StoryClock;
  /** The client application's tracer (its spans are the parents of the server's). */
  readonly tracer: Tracer;
  /** The chain's events so far (circuit state changes). */
  readonly events: readonly ChainEvent[];
  /** Called with each step as soon as it happened. */
  readonly onStep: (step: StepLine) => void;
}

/** What the story leaves for the summary. */
export interface StoryResult {
  readonly steps: readonly StepLine[];
  /** The trace of the step whose exchange is shown in full. */
  readonly tracedStep: { readonly n: number; readonly traceId: string; readonly what: string };
}

const ALICE: TokenClaims = { subject: 'alice', roles: ['user'], scope: 'tools:call' };
const CAROL: TokenClaims = { subject: 'carol', roles: ['admin'], scope: 'tools:call' };
/** Codes a filter answers with when it refuses (as opposed to the upstream failing). */
const DENIAL_CODES = new Set([401, 403, 413, 429, 503, 504]);

const seconds = (ms: unknown): string => (typeof ms === 'number' ? `${(ms / 1000).toFixed(1)} s` : '?');

/** The detail of a refusal: the error's message, plus what its data says. */
function refusalDetail(outcome: Extract<CallOutcome, { ok: false }>): string {
  const { code, message, data } = outcome;
  if (code === 429) return `${message}, retry after ${seconds(data.retryAfterMs)}`;
  if (code === 503 && data.circuit !== undefined) return `${message} (${String(data.circuit)}), retry after ${seconds(data.retryAfterMs)}`;
  if (code === 401 && typeof data.wwwAuthenticate === 'string') {
    const error = /error="([^"]+)"/.exec(data.wwwAuthenticate)?.[1];
    return `${message} (WWW-Authenticate: Bearer${error === undefined ? '' : ` error="${error}"`} resource_metadata=…)`;
  }
  return message;
}

/** Plays the story; each step is reported through `world.onStep` as it happens. */
export async function playStory(world: StoryWorld): Promise<StoryResult> {
  const steps: StepLine[] = [];
  const actors: Actor[] = [];
  const audience = world.url.href;
  let traced: StoryResult['tracedStep'] | undefined;

  const record = (step: Omit<StepLine, 'n'>): StepLine => {
    const line = { n: steps.length + 1, ...step };
    steps.push(line);
    world.onStep(line);
    return line;
  };
  const circuitChanges = (since: number): string[] =>
    world.events
      .slice(since)
      .filter((e) => e.type === 'circuit_state')
      .map((e) => `circuit ${String(e.payload.target)}: ${String(e.payload.from)} -> ${String(e.payload.to)}`);

  /** Runs one call, times it, and records its line. */
  const step = async (who: string, what: string, run: () => Promise<CallOutcome>, describeOk: (text: string) => string = (t) => t) => {
    const eventsBefore = world.events.length;
    const started = performance.now();
    const outcome = await run();
    const latencyMs = performance.now() - started;
    const changes = circuitChanges(eventsBefore);
    const suffix = changes.length === 0 ? '' : `; ${changes.join(', ')}`;
    if (outcome.ok && outcome.toolError === true) return { outcome, line: record({ who, what, outcome: 'error', latencyMs, detail: `tool error: ${outcome.text}${suffix}` }) };
    if (outcome.ok) return { outcome, line: record({ who, what, outcome: 'ok', latencyMs, detail: describeOk(outcome.text) + suffix }) };
    const kind: StepOutcome = DENIAL_CODES.has(outcome.code) ? 'denied' : 'error';
    return { outcome, line: record({ who, what, outcome: kind, code: outcome.code, latencyMs, detail: refusalDetail(outcome) + suffix }) };
  };

  const connect = async (name: string, token: string | undefined, what: string): Promise<Actor | undefined> => {
    let actor: Actor | undefined;
    await step(name, what, async () => {
      const connected = await connectActor(name, world.url, token);
      if ('refused' in connected) return connected.refused;
      actor = connected.actor;
      actors.push(actor);
      return { ok: true, text: 'session open' };
    });
    return actor;
  };

  try {
    const alice = await connect('alice', await world.authorizationServer.issue(ALICE, audience), 'initialize (user token)');
    const carol = await connect('carol', await world.authorizationServer.issue(CAROL, audience), 'initialize (admin token)');
    if (alice === undefined || carol === undefined) throw new Error('alice and carol must be able to connect');

    // Allowed calls, and a tools/list filtered to what each may call.
    await step('alice', 'tools/list', () => alice.listTools(), (t) => `${t} (admin_stats filtered out)`);
    await step('carol', 'tools/list', () => carol.listTools());
    await step('alice', 'tools/call echo', () => alice.callTool('echo', { text: 'hello' }));
    // This exchange is traced end to end: the client's span travels in _meta.traceparent.
    const slow = await world.tracer.startActiveSpan(
      'tools/call slow',
      { kind: SpanKind.CLIENT, attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'slow' } },
      async (span) => {
        const traceparent = formatTraceparent(span.spanContext());
        const result = await step('alice', 'tools/call slow {ms: 120}', () => alice.callTool('slow', { ms: 120 }, { traceparent }));
        span.end();
        return { traceId: span.spanContext().traceId, n: result.line.n };
      },
    );
    traced = { n: slow.n, traceId: slow.traceId, what: 'tools/call slow' };

    // Who may not come in, and what a user may not call.
    await connect('anonymous', undefined, 'initialize (no token)');
    await connect('mallory', await world.authorizationServer.forge(CAROL, audience), 'initialize (forged admin token)');
    await step('alice', 'tools/call admin_stats', () => alice.callTool('admin_stats', {}));
    await step('carol', 'tools/call admin_stats', () => carol.callTool('admin_stats', {}));

    // A burst: alice may call one tool 5 times a minute (echo was called once already).
    let retryAfterMs = 0;
    for (let i = 1; i <= 5; i++) {
      const { outcome } = await step('alice', `tools/call echo (burst ${i}/5)`, () => alice.callTool('echo', { text: `burst ${i}` }));
      if (!outcome.ok && outcome.code === 429) retryAfterMs = Number(outcome.data.retryAfterMs);
    }
    await step('alice', 'tools/call slow {ms: 0}', () => alice.callTool('slow', { ms: 0 }), (t) => `${t} (other tools keep their own quota)`);
    world.clock.skip(retryAfterMs);
    record({ who: 'clock', what: `+${seconds(retryAfterMs)}`, outcome: 'wait', detail: 'the retryAfterMs of the 429 passes (the demo clock skips ahead; nothing sleeps)' });
    await step('alice', 'tools/call echo', () => alice.callTool('echo', { text: 'hello again' }), (t) => `${t} (recovered: the bucket refilled)`);

    // The flaky tool's backend fails three times in a row: its circuit opens.
    for (let i = 1; i <= 3; i++) await step('alice', 'tools/call flaky {fail: true}', () => alice.callTool('flaky', { fail: true }));
    let openMs = 0;
    const refused = await step('alice', 'tools/call flaky {fail: false}', () => alice.callTool('flaky', { fail: false }));
    if (!refused.outcome.ok) openMs = Number(refused.outcome.data.retryAfterMs);
    world.clock.skip(openMs);
    record({ who: 'clock', what: `+${seconds(openMs)}`, outcome: 'wait', detail: 'the circuit\'s open period passes (skipped, not slept)' });
    await step('alice', 'tools/call flaky {fail: false}', () => alice.callTool('flaky', { fail: false }), (t) => `${t} (the half-open probe succeeded)`);
  } finally {
    await Promise.all(actors.map((a) => a.close()));
  }
  if (traced === undefined) throw new Error('the traced step did not run');
  return { steps, tracedStep: traced };
}
