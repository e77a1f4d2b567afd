/**
 * Install only what you need, for real: the published tarballs of @gopher-mcp/core and
 * @gopher-mcp/traffic (packed as they would be published), plus the MCP SDK, installed with npm
 * into an empty project outside the workspace. A chain composed there rate-limits; a config that
 * enables a security filter fails with the package to install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

const packagesDir = fileURLToPath(new URL('../../../packages/', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'gopher-mcp-only-'));

/**
 * The environment of a user's shell: without what the test runner inherited from the workspace
 * (NODE_PATH pointing into the workspace's node_modules would let `require.resolve` find the
 * families this project did not install; npm's local prefix is the workspace package's).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(NODE_PATH|NODE_OPTIONS|VITEST.*|TSX_.*|npm_config_local_prefix|npm_package_.*|npm_lifecycle_.*)$/i.test(key)) delete env[key];
  }
  return env;
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
}

/** Packs a workspace package the way it is published; returns the tarball's path. */
function pack(name: string): string {
  const dir = join(packagesDir, name);
  expect(existsSync(join(dir, 'dist', 'index.js')), `${name} must be built (the root test command builds first)`).toBe(true);
  const destination = join(scratch, `pack-${name}`);
  mkdirSync(destination);
  run('npx', ['-y', 'pnpm@12.4.2', 'pack', '--pack-destination', destination], dir);
  const tarball = readdirSync(destination).find((f) => f.endsWith('.tgz'));
  expect(tarball, `pnpm pack made no tarball for ${name}`).toBeDefined();
  return join(destination, tarball as string);
}

/** The application: a chain composed in code, and two chains from config. Prints JSON. */
const SCRIPT = `
import { FilterManager } from '@gopher-mcp/core';
import { rateLimit } from '@gopher-mcp/traffic';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const upstream = (message) => ({ jsonrpc: '2.0', id: message.id, result: { content: [{ type: 'text', text: 'ok' }] } });
const call = (id) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } });
const init = { transport: 'http', session: { id: 's1', protocolVersion: LATEST_PROTOCOL_VERSION } };
const outcome = (response) => ('error' in response ? response.error.code : 'allow');

const manager = new FilterManager({ filters: [rateLimit({ limits: [{ name: 'calls', limit: 2, windowMs: 60_000, key: 'global' }] })] });
const inCode = [];
for (let id = 1; id <= 3; id++) inCode.push(outcome(await manager.handle(call(id), upstream, init)));
const denial = (await manager.handle(call(4), upstream, init)).error;
await manager.close();

const fromConfig = await FilterManager.fromConfig({
  trafficManagement: { rateLimit: { enabled: true, limits: [{ name: 'calls', limit: 1, windowMs: 60_000, key: 'global' }] } },
});
const configured = [];
for (let id = 1; id <= 2; id++) configured.push(outcome(await fromConfig.handle(call(id), upstream, init)));
await fromConfig.close();

let security;
try {
  await FilterManager.fromConfig({
    security: { authentication: { enabled: true, jwt: { issuer: 'https://auth.example.com', audience: 'https://mcp.example.com/mcp', jwksUri: 'https://auth.example.com/jwks.json' } } },
  });
  security = { built: true };
} catch (error) {
  security = { name: error.name, message: error.message, packageName: error.packageName };
}
process.stdout.write(JSON.stringify({ inCode, denial, configured, security }));
`;

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('install only what you need', () => {
  it('composes a rate limit with only @gopher-mcp/core and @gopher-mcp/traffic installed, and names @gopher-mcp/security when a config needs it', () => {
    const core = pack('core');
    const traffic = pack('traffic');
    const app = join(scratch, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'only-what-you-need', version: '1.0.0', private: true, type: 'module' }));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', core, traffic, '@modelcontextprotocol/sdk@^1.32.2'], app);

    // What is installed: the two families asked for, nothing of the others.
    expect(readdirSync(join(app, 'node_modules', '@gopher-mcp')).sort()).toEqual(['core', 'traffic']);
    // (jose is there: the MCP SDK depends on it.)
    for (const absent of ['ioredis', 'prom-client', '@opentelemetry/api']) {
      expect(existsSync(join(app, 'node_modules', absent)), `${absent} must not be installed`).toBe(false);
    }

    writeFileSync(join(app, 'app.mjs'), SCRIPT);
    const result = JSON.parse(run('node', ['app.mjs'], app)) as {
      inCode: Array<string | number>;
      denial: { code: number; message: string; data: Record<string, unknown> };
      configured: Array<string | number>;
      security: { name?: string; message?: string; packageName?: string; built?: boolean };
    };
    expect(result.inCode).toEqual(['allow', 'allow', 429]);
    expect(result.denial).toMatchObject({ code: 429, data: { limit: 'calls' } });
    expect(result.configured).toEqual(['allow', 429]);
    expect(result.security).toEqual({
      name: 'MissingFamilyError',
      packageName: '@gopher-mcp/security',
      message: 'filter "authentication" needs the package @gopher-mcp/security, which is not installed: npm install @gopher-mcp/security',
    });
  }, 300_000);
});
