import { describe, expect, it } from 'vitest';

import { ChainBuilder, FilterManager, type Filter } from '../../src/index.js';
import { engineTitle, testEngines } from '../helpers/engines.js';
import { denier, recorder, request, result } from './helpers.js';

for (const engine of testEngines()) {
  describe(`run-time composition — ${engineTitle(engine)}`, () => {
    it('enables and disables a filter while traffic flows', async () => {
      const manager = new FilterManager({ engine, filters: [[denier(403), { name: 'gate' }]] });
      const upstream = () => result(1);
      expect(await manager.handle(request(1), upstream)).toMatchObject({ error: { code: 403 } });
      manager.chain.disable('gate');
      expect(await manager.handle(request(1), upstream)).toEqual(result(1));
      manager.chain.enable('gate');
      expect(await manager.handle(request(1), upstream)).toMatchObject({ error: { code: 403 } });
      expect(manager.chain.isEnabled('gate')).toBe(true);
      await manager.close();
    });

    it('applies a conditional filter only where its method globs, direction and transport match', async () => {
      const manager = new FilterManager({
        engine,
        filters: [[denier(403), { when: { methods: ['tools/*', '!tools/list'], direction: 'inbound', transports: ['http'] } }]],
      });
      const upstream = (m: { id: unknown }) => result(m.id as number);
      const http = { transport: 'http' } as const;
      expect(await manager.handle(request(1, 'tools/call'), upstream, http)).toMatchObject({ error: { code: 403 } });
      expect(await manager.handle(request(2, 'tools/list'), upstream, http)).toEqual(result(2));
      expect(await manager.handle(request(3, 'prompts/get'), upstream, http)).toEqual(result(3));
      expect(await manager.handle(request(4, 'tools/call'), upstream, { transport: 'stdio' })).toEqual(result(4));
      expect(await manager.handle(request(5, 'tools/call'), upstream, { transport: 'http', direction: 'outbound' })).toEqual(result(5));
      expect(manager.getStats().filters[0]).toMatchObject({ processed: 1, skipped: 4 });
      await manager.close();
    });

    it('builds with insertBefore / insertAfter / remove in the right order', async () => {
      const log: string[] = [];
      const chain = new ChainBuilder({ engine })
        .use(recorder('a', log), { name: 'a' })
        .use(recorder('c', log), { name: 'c' })
        .insertAfter('a', recorder('b', log), { name: 'b' })
        .insertBefore('a', recorder('first', log), { name: 'first' })
        .use(recorder('gone', log), { name: 'gone' })
        .remove('gone')
        .build();
      expect(chain.names()).toEqual(['first', 'a', 'b', 'c']);
      const manager = new FilterManager({ chain });
      await manager.handle(request(1, 'ping'), () => result(1));
      expect(log.filter((l) => l.includes(':request:'))).toEqual(['first:request:ping', 'a:request:ping', 'b:request:ping', 'c:request:ping']);
      await manager.close();
    });

    it('replaces a filter without disturbing an in-flight exchange, closing the old one after it', async () => {
      const closed: string[] = [];
      const tagging = (tag: string): Filter => ({
        type: 'tag',
        async handle(exchange, next) {
          const response = await next();
          return exchange.respond({ tag, inner: response?.result });
        },
        close: () => {
          closed.push(tag);
        },
      });
      const manager = new FilterManager({ engine, filters: [[tagging('v1'), { name: 'tag' }]] });
      let release: (() => void) | undefined;
      const slowUpstream = () =>
        new Promise<ReturnType<typeof result>>((resolve) => {
          release = () => resolve(result(1));
        });
      const inFlight = manager.handle(request(1), slowUpstream);
      await Promise.resolve();
      manager.chain.replace('tag', tagging('v2'));
      expect(closed).toEqual([]);
      const fresh = await manager.handle(request(2), () => result(2));
      expect(fresh).toMatchObject({ result: { tag: 'v2' } });
      release?.();
      expect(await inFlight).toMatchObject({ result: { tag: 'v1' } });
      expect(closed).toEqual(['v1']);
      await manager.close();
      expect(closed).toEqual(['v1', 'v2']);
    });

    it('runs read-only observers off the path with the final outcome', async () => {
      const seen: string[] = [];
      const manager = new FilterManager({
        engine,
        filters: [
          {
            type: 'observer',
            observer: true,
            observe: ({ message, response, context }) => {
              seen.push(`${message.method}:${response?.kind}:${context.denial?.code ?? '-'}`);
            },
          },
          [denier(429), { when: { methods: ['tools/call'] } }],
        ],
      });
      await manager.handle(request(1, 'tools/list'), () => result(1));
      await manager.handle(request(2, 'tools/call'), () => result(2));
      expect(seen).toEqual(['tools/list:result:-', 'tools/call:error:429']);
      expect(manager.chain.names()).toEqual(['custom', 'observer']);
      await manager.close();
    });
  });
}
