import type { EntryOptions } from './entry.js';
import type { FilterLike } from './filter.js';
import { FilterChain, type ChainOptions, type Position } from './filter-chain.js';

type Step =
  | { readonly op: 'add'; readonly filter: FilterLike; readonly options: EntryOptions; readonly position: Position }
  | { readonly op: 'remove'; readonly name: string };

/**
 * Composes a chain in code, outermost filter first:
 *
 * ```ts
 * const chain = new ChainBuilder({ events: console.error })
 *   .use(accessLog({ format: 'json' }))
 *   .use(authentication({ ... }))
 *   .use(rateLimit({ ... }), { when: { methods: ['tools/call'] } })
 *   .build();
 * ```
 */
export class ChainBuilder {
  private readonly steps: Step[] = [];

  constructor(private readonly options: ChainOptions = {}) {}

  /** Appends a filter (it runs inside the ones added before it). */
  use(filter: FilterLike, options: EntryOptions = {}): this {
    this.steps.push({ op: 'add', filter, options, position: 'last' });
    return this;
  }

  /** Inserts a filter just outside the one named `anchor`. */
  insertBefore(anchor: string, filter: FilterLike, options: EntryOptions = {}): this {
    this.steps.push({ op: 'add', filter, options, position: { before: anchor } });
    return this;
  }

  /** Inserts a filter just inside the one named `anchor`. */
  insertAfter(anchor: string, filter: FilterLike, options: EntryOptions = {}): this {
    this.steps.push({ op: 'add', filter, options, position: { after: anchor } });
    return this;
  }

  /** Removes the filter named `name` added earlier. */
  remove(name: string): this {
    this.steps.push({ op: 'remove', name });
    return this;
  }

  /** Makes the chain: filters given as definitions are created now, with the chain's engine and clock. */
  build(): FilterChain {
    const chain = new FilterChain(this.options);
    for (const step of this.steps) {
      if (step.op === 'add') chain.add(step.filter, step.options, step.position);
      else chain.remove(step.name);
    }
    return chain;
  }
}
