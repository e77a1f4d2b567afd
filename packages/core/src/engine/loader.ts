import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createJsEngine } from './js-engine.js';
import { NativeLibrary } from './native-library/library.js';
import { createNativeEngine } from './native-engine.js';
import type { Engine, EngineSelection } from './types.js';

/** Environment variable naming the native library file to load before any other place. */
export const LIBRARY_PATH_VARIABLE = 'GOPHER_MCP_LIBRARY_PATH';
/** Environment variable that, set to `1`, makes a native library that does not load an error. */
export const REQUIRE_NATIVE_VARIABLE = 'GOPHER_MCP_REQUIRE_NATIVE';
/** Environment variable that chooses the engine (`native`, `js` or `auto`) when the caller does not. */
export const ENGINE_VARIABLE = 'GOPHER_MCP_ENGINE';

/** What the loader did: the engine it made and every place it looked, with the reason it was passed over. */
export interface EngineLoadReport {
  readonly engine: Engine;
  readonly attempts: ReadonlyArray<{ readonly candidate: string; readonly error?: string }>;
  /** One line for a person: which library was loaded, or why none was and the JS engine runs. */
  readonly summary: string;
}

/** Options of {@link loadEngine}. */
export interface LoadEngineOptions {
  /** `native`, `js` or `auto` (default: `GOPHER_MCP_ENGINE`, else `auto`). */
  readonly engine?: EngineSelection;
  /** Environment to read the variables from (default: `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const libraryFileName = (): string =>
  ({ darwin: 'libgopher_mcp_c.dylib', win32: 'gopher_mcp_c.dll' })[process.platform as string] ?? 'libgopher_mcp_c.so';

function packageRoot(): string {
  // dist/index.js, dist/index.cjs and src/engine/loader.ts all sit below the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return dir;
}

/** The places the loader tries, in order: the variable, the bundled prebuild, the system paths. */
export function libraryCandidates(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const candidates: string[] = [];
  const fromEnv = env[LIBRARY_PATH_VARIABLE];
  if (fromEnv) candidates.push(fromEnv);
  candidates.push(join(packageRoot(), 'prebuilds', `${process.platform}-${process.arch}`, libraryFileName()));
  candidates.push(libraryFileName()); // resolved by the dynamic linker: LD_LIBRARY_PATH, ldconfig paths
  return candidates;
}

function parseSelection(value: string | undefined): EngineSelection {
  if (value === undefined || value === '') return 'auto';
  if (value === 'native' || value === 'js' || value === 'auto') return value;
  throw new Error(`${ENGINE_VARIABLE} must be native, js or auto, got "${value}"`);
}

/**
 * Chooses and creates the engine. `native` fails when no library loads; `auto` falls back to the
 * JS twin unless `GOPHER_MCP_REQUIRE_NATIVE=1`, and the report says why.
 */
export function loadEngine(options: LoadEngineOptions = {}): EngineLoadReport {
  const env = options.env ?? process.env;
  const selection = options.engine ?? parseSelection(env[ENGINE_VARIABLE]);
  const attempts: Array<{ candidate: string; error?: string }> = [];
  if (selection === 'js') {
    return { engine: createJsEngine(), attempts, summary: 'engine: js (selected)' };
  }
  for (const candidate of libraryCandidates(env)) {
    try {
      const library = NativeLibrary.open(candidate);
      const engine = createNativeEngine(library);
      attempts.push({ candidate });
      return {
        engine,
        attempts,
        summary: `engine: native (libgopher_mcp_c ${library.version} from ${candidate})`,
      };
    } catch (error) {
      attempts.push({ candidate, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const why = attempts.map((a) => `${a.candidate}: ${a.error}`).join('; ');
  if (selection === 'native' || env[REQUIRE_NATIVE_VARIABLE] === '1') {
    throw new Error(`the native engine is required but libgopher_mcp_c did not load (${why})`);
  }
  return { engine: createJsEngine(), attempts, summary: `engine: js (native library not loaded: ${why})` };
}

let defaultReport: EngineLoadReport | undefined;

/** The process-wide engine chosen by {@link loadEngine} with the environment's settings, made once. */
export function getDefaultEngine(): Engine {
  defaultReport ??= loadEngine();
  return defaultReport.engine;
}

/** The report of how the default engine was chosen (loads it if it was not yet). */
export function getDefaultEngineReport(): EngineLoadReport {
  getDefaultEngine();
  return defaultReport as EngineLoadReport;
}
