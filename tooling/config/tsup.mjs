// @ts-check
import { defineConfig } from 'tsup';

/**
 * The one tsup configuration every published package builds with: ESM + CJS + declarations,
 * Node 20 target, native and heavyweight peers kept external.
 *
 * @param {{ entry?: string[] | Record<string, string>, external?: string[] }} [options]
 */
export function packageConfig(options = {}) {
  return defineConfig({
    entry: options.entry ?? ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    shims: true,
    external: ['koffi', /^@gopher-mcp\//, /^@modelcontextprotocol\//, ...(options.external ?? [])],
  });
}
