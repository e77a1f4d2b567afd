// Runs every benchmark and writes BENCHMARKS.md at the repository root (or one section to stdout
// with `--only <name>`). Build first: the root `bench` script runs `turbo run build`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { machineLine } from './harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
process.env.GOPHER_MCP_LIBRARY_PATH ??= `${root}packages/core/prebuilds/${process.platform}-${process.arch}/libgopher_mcp_c.so`;

/** The sections, in the order BENCHMARKS.md shows them. */
const SECTIONS = ['demo', 'chain', 'envelope', 'framing', 'buffers', 'ratelimit', 'metrics', 'traffic', 'security', 'observability', 'transport-sdk'];

const onlyFlag = process.argv.indexOf('--only');
const only = onlyFlag > 0 ? process.argv[onlyFlag + 1] : undefined;

const parts: string[] = [];
for (const name of only === undefined ? SECTIONS : [only]) {
  process.stderr.write(`bench: ${name}\n`);
  const module = (await import(`./${name}.bench.ts`)) as { run: () => Promise<string> };
  parts.push(await module.run());
}

if (only !== undefined) {
  process.stdout.write(parts.join('\n'));
} else {
  const header = [
    '# Benchmarks',
    '',
    `Measured on ${machineLine()}. Regenerate with \`npx -y pnpm@12.4.2 bench\`.`,
    '',
  ].join('\n');
  writeFileSync(`${root}BENCHMARKS.md`, `${header}\n${parts.join('\n')}`);
  process.stderr.write('bench: wrote BENCHMARKS.md\n');
}
