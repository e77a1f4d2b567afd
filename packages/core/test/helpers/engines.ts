import { createJsEngine, loadEngine, type Engine } from '../../src/index.js';

/**
 * The engines every conformance and behaviour test runs against: the JS twin and the native
 * library. The native engine must load (its absence fails the suite) unless
 * GOPHER_MCP_TEST_ENGINES=js is set explicitly for a machine without a C++ toolchain.
 */
export function testEngines(): Engine[] {
  const engines: Engine[] = [createJsEngine()];
  if (process.env.GOPHER_MCP_TEST_ENGINES !== 'js') {
    engines.push(loadEngine({ engine: 'native' }).engine);
  }
  return engines;
}

/** A describe-block title that names the engine, so the test output says which one ran. */
export function engineTitle(engine: Engine): string {
  return `${engine.kind} engine (${engine.source})`;
}
