import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import {
  ConfigError,
  FilterManager,
  FilterRegistry,
  MissingFamilyError,
  createJsEngine,
  filterManagerConfigJsonSchema,
  parseFilterManagerConfig,
  type FilterFamily,
} from '../../src/index.js';

const notInstalled = (name: string) => () => {
  const error = new Error(`Cannot find package '${name}' imported from /app/index.js`) as Error & { code: string };
  error.code = 'ERR_MODULE_NOT_FOUND';
  return Promise.reject(error);
};

describe('FilterManager configuration', () => {
  it('fills in documented defaults', () => {
    const config = parseFilterManagerConfig({});
    expect(config).toMatchObject({
      name: 'gopher-mcp',
      enabled: true,
      engine: 'auto',
      exchangeTimeoutMs: 60_000,
      errorHandling: { stopOnError: false, retryAttempts: 0, fallbackBehavior: 'REJECT' },
      customFilters: [],
    });
  });

  it('names the path and the reason of every problem', () => {
    let caught: unknown;
    try {
      parseFilterManagerConfig({
        trafficManagement: { rateLimit: { enabled: true, limits: [{ name: 'per-user', limit: -1 }] } },
        observability: { accessLog: { format: 'xml' } },
        errorHandling: { fallbackBehavior: 'IGNORE' },
        typo: true,
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const paths = (caught as ConfigError).issues.map((i) => i.path).sort();
    expect(paths).toEqual([
      '(root)',
      'errorHandling.fallbackBehavior',
      'observability.accessLog.format',
      'trafficManagement.rateLimit.limits.0.limit',
    ]);
    expect((caught as ConfigError).message).toContain('trafficManagement.rateLimit.limits.0.limit: Too small');
    expect((caught as ConfigError).message).toMatch(/\(root\): Unrecognized key: "typo"/);
  });

  it('rejects an HMAC secret without an HS algorithm', () => {
    expect(() =>
      parseFilterManagerConfig({
        security: {
          authentication: {
            enabled: true,
            jwt: { issuer: 'https://issuer', audience: 'mcp', hmacSecret: 'x'.repeat(32), algorithms: ['RS256'] },
          },
        },
      }),
    ).toThrow(/security\.authentication\.jwt\.hmacSecret: hmacSecret needs an HS algorithm/);
  });

  it('fails at construction, naming the package to install, when a family is missing', async () => {
    const attempt = FilterManager.fromConfig(
      { engine: 'js', trafficManagement: { rateLimit: { enabled: true, limits: [{ name: 'global', limit: 10, key: 'global' }] } } },
      { registry: new FilterRegistry(), importer: notInstalled('@gopher-mcp/traffic') },
    );
    await expect(attempt).rejects.toBeInstanceOf(MissingFamilyError);
    await expect(attempt).rejects.toThrow('filter "rate_limit" needs the package @gopher-mcp/traffic, which is not installed: npm install @gopher-mcp/traffic');
  });

  it('rethrows an import failure that is not a missing package', async () => {
    const attempt = FilterManager.fromConfig(
      { engine: 'js', observability: { metrics: { enabled: true } } },
      { registry: new FilterRegistry(), importer: () => Promise.reject(new SyntaxError('Unexpected token')) },
    );
    await expect(attempt).rejects.toThrow(SyntaxError);
  });

  it('builds the chain of a family from config, validating its options with the family schema', async () => {
    const made: string[] = [];
    const family: FilterFamily = {
      name: 'traffic',
      packageName: '@gopher-mcp/traffic',
      factories: [
        {
          type: 'rate_limit',
          schema: z.object({ enabled: z.boolean(), limits: z.array(z.object({ name: z.string() })) }).loose(),
          define: (options: { limits: Array<{ name: string }> }) => ({
            type: 'rate_limit',
            create: (setup) => {
              made.push(`${setup.name}:${options.limits[0]?.name}:${setup.engine.kind}`);
              return { type: 'rate_limit', handle: (exchange) => exchange.deny(429, 'limited') };
            },
          }),
        },
      ],
    };
    const imported: string[] = [];
    const manager = await FilterManager.fromConfig(
      {
        engine: 'js',
        trafficManagement: { rateLimit: { enabled: true, name: 'limiter', limits: [{ name: 'per-user', limit: 1 }] } },
      },
      {
        registry: new FilterRegistry(),
        importer: async (name) => {
          imported.push(name);
          return { family };
        },
      },
    );
    expect(imported).toEqual(['@gopher-mcp/traffic']);
    expect(made).toEqual(['limiter:per-user:js']);
    expect(manager.chain.names()).toEqual(['limiter']);
    expect(await manager.process({ jsonrpc: '2.0', id: 1, method: 'ping' })).toMatchObject({ id: 1, error: { code: 429 } });
    await manager.close();
  });

  it('fails on a custom filter type nobody registered', async () => {
    await expect(
      FilterManager.fromConfig({ engine: 'js', customFilters: [{ type: 'audit' }] }, { registry: new FilterRegistry(), engine: createJsEngine() }),
    ).rejects.toThrow('customFilters.0.type: no filter type "audit" is registered');
  });

  it('keeps the checked-in JSON Schema in step with the zod schemas', () => {
    const checkedIn = JSON.parse(readFileSync(new URL('../../schema/filter-manager-config.schema.json', import.meta.url), 'utf8'));
    expect(checkedIn).toEqual(filterManagerConfigJsonSchema());
    expect(Object.keys((checkedIn as { properties: object }).properties)).toEqual(
      expect.arrayContaining(['network', 'http', 'security', 'observability', 'trafficManagement', 'errorHandling', 'customFilters']),
    );
  });
});
