import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/*.ts', '!src/**/*.test.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  clean: true,
  sourcemap: true,
  external: [/^@gopher-mcp\//, /^@modelcontextprotocol\//, 'koffi'],
});
