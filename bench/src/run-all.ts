// Runs every benchmark and writes each section to bench/results/<name>.md and into BENCHMARKS.md at
// the repository root (or one section to stdout with `--only <name>`). Build first: the root `bench`
// script runs `turbo run build`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
  // Each section goes to bench/results/<name>.md and replaces its own part of BENCHMARKS.md (found
  // by its heading); the file's introduction and the summary against the targets are kept.
  const path = `${root}BENCHMARKS.md`;
  let doc = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmarks\n\nMeasured on ${machineLine()}.\n\n`;
  SECTIONS.forEach((name, index) => {
    const section = `${(parts[index] as string).trimEnd()}\n`;
    writeFileSync(`${root}bench/results/${name}.md`, section);
    doc = spliceSection(doc, section);
  });
  writeFileSync(path, doc);
  process.stderr.write('bench: wrote bench/results/*.md and BENCHMARKS.md\n');
}

/** `doc` with the section headed like `section` (its first line, a `## ` heading) replaced, or appended. */
function spliceSection(doc: string, section: string): string {
  const heading = section.slice(0, section.indexOf('\n') + 1);
  const start = doc.indexOf(heading);
  if (start < 0) return `${doc.trimEnd()}\n\n${section}`;
  const rest = doc.slice(start + heading.length);
  const next = rest.search(/^## /m);
  const end = next < 0 ? doc.length : start + heading.length + next;
  return `${doc.slice(0, start)}${section}${next < 0 ? '' : '\n'}${doc.slice(end)}`;
}
