import { ConfigError, FilterManager, FilterRegistry, FILTER_PACKAGES } from '@gopher-mcp/core';
import { describe, expect, it } from 'vitest';

import { family, type MetricsFilter } from '../src/index.js';
import { RecordingLogger } from './helpers.js';
import { parseExposition } from './prometheus-text.js';

const importer = async (name: string): Promise<unknown> => {
  expect(name).toBe('@gopher-mcp/observability');
  return import('../src/index.js');
};

describe('observability family', () => {
  it('registers access_log, metrics and tracing for the package core names', () => {
    expect(family.packageName).toBe(FILTER_PACKAGES.access_log);
    expect(family.factories.map((f) => f.type)).toEqual(['access_log', 'metrics', 'tracing']);
  });

  it('builds the three filters from config, outermost first, and they work', async () => {
    const logger = new RecordingLogger();
    const manager = await FilterManager.fromConfig(
      {
        engine: 'js',
        observability: {
          accessLog: { enabled: true, sink: 'logger', format: 'text' },
          metrics: { enabled: true, namespace: 'cfg', serve: { port: 0 } },
          tracing: { enabled: true, sampler: { type: 'never' } },
        },
      },
      { registry: new FilterRegistry(), importer, logger },
    );
    expect(manager.chain.names()).toEqual(['tracing', 'access_log', 'metrics']);
    await manager.handle({ jsonrpc: '2.0', id: 1, method: 'ping' }, () => ({ jsonrpc: '2.0', id: 1, result: {} }));
    expect(logger.calls.filter((c) => c.level === 'info').map((c) => c.message?.replace(/time=\S+ /, '').replace(/durationMs=\S+ /, ''))).toEqual([
      'direction=inbound transport=memory kind=request method=ping id=1 outcome=ok bytesIn=40 bytesOut=36',
    ]);
    const server = await (manager.chain.get('metrics') as MetricsFilter).server();
    const scraped = parseExposition(await (await fetch(server?.url as string)).text());
    expect(scraped.value('cfg_requests_total', { direction: 'inbound', mcp_method_name: 'ping', gen_ai_tool_name: '', outcome: 'ok' })).toBe(1);
    await manager.close();
  });

  it('fails at construction with the path of a bad option', async () => {
    const attempt = (observability: unknown) => FilterManager.fromConfig({ engine: 'js', observability }, { registry: new FilterRegistry(), importer });
    await expect(attempt({ accessLog: { enabled: true, format: 'template' } })).rejects.toThrow('observability.accessLog.template: format "template" needs a template');
    await expect(attempt({ metrics: { enabled: true, namespace: '9lives' } })).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt({ tracing: { enabled: true, sampler: { type: 'ratio', ratio: 2 } } })).rejects.toThrow(/observability\.tracing\.sampler\.ratio/);
  });
});
