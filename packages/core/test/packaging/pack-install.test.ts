import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gopher-mcp-pack-'));

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the published @gopher-mcp/core package', () => {
  it('installs with npm outside the workspace and loads the native engine from its bundled prebuild', () => {
    expect(existsSync(join(packageDir, 'dist', 'index.js')), 'core must be built (the test command builds first)').toBe(true);
    run('npx', ['-y', 'pnpm@12.4.2', 'pack', '--pack-destination', scratch], packageDir);
    const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const listing = run('tar', ['-tzf', join(scratch, tarball as string)], scratch);
    expect(listing).toContain(`package/prebuilds/${process.platform}-${process.arch}/libgopher_mcp_c.so`);
    expect(listing).toContain('package/dist/index.cjs');
    expect(listing).toContain('package/native/include/gopher_mcp_c.h');

    const app = join(scratch, 'app');
    run('mkdir', ['-p', app], scratch);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(scratch, tarball as string)], app);
    const script = [
      "import { loadEngine } from '@gopher-mcp/core';",
      "const report = loadEngine({ engine: 'native' });",
      "const { createRequire } = await import('node:module');",
      "const cjs = createRequire(import.meta.url)('@gopher-mcp/core');",
      "process.stdout.write(JSON.stringify({ kind: report.engine.kind, source: report.engine.source, cjs: cjs.loadEngine({ engine: 'native' }).engine.kind }));",
    ].join('\n');
    writeFileSync(join(app, 'check.mjs'), script);
    const env = { ...process.env };
    delete env.GOPHER_MCP_LIBRARY_PATH;
    const output = JSON.parse(execFileSync('node', ['check.mjs'], { cwd: app, encoding: 'utf8', env })) as { kind: string; source: string; cjs: string };
    expect(output.kind).toBe('native');
    expect(output.cjs).toBe('native');
    expect(output.source).toBe(join(app, 'node_modules', '@gopher-mcp', 'core', 'prebuilds', `${process.platform}-${process.arch}`, 'libgopher_mcp_c.so'));
  }, 240_000);
});
