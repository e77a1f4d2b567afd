import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const examplesDir = fileURLToPath(new URL('../', import.meta.url));

/** Runs an example from its TypeScript source and returns what it printed on stdout. */
export function runExample(name: string, env: Record<string, string> = {}): string {
  return execFileSync('node', ['--import', 'tsx', `src/${name}.ts`], {
    cwd: examplesDir,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}
