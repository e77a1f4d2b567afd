// OpenTelemetry for the demo: the application owns the SDK; spans go to an in-memory exporter so
// the story can print the trace of one exchange.
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The tracer provider, its exported spans, and how to shut it down. */
export interface Telemetry {
  readonly provider: BasicTracerProvider;
  /** Every span ended so far. */
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

/**
 * A tracer provider exporting to memory, and the AsyncLocalStorage context manager (so the span
 * the tracing filter opens is the active one while the tool runs, and the tool's span is its child).
 */
export function startTelemetry(): Telemetry {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  return {
    provider,
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      await provider.shutdown();
      context.disable();
    },
  };
}
