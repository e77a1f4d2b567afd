// @ts-check
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

const workspaceRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Project config shared by every package: tests import workspace packages from their sources,
 * so a change is tested without a rebuild (the pack tests cover the built output).
 *
 * @param {{ name: string, testTimeout?: number }} options
 */
export function packageTestConfig(options) {
  return defineProject({
    resolve: {
      alias: [
        {
          find: /^@gopher-mcp\/([a-z-]+)$/,
          replacement: `${workspaceRoot}packages/$1/src/index.ts`,
        },
      ],
    },
    test: {
      name: options.name,
      include: ['test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 20_000,
      hookTimeout: 30_000,
    },
  });
}
