import type { ZodType } from 'zod';

import type { FilterDefinition } from '../chain/filter.js';

/**
 * How a family makes one filter type from config: its zod options schema and a function from
 * validated options to a filter definition.
 */
export interface FilterFactory<Options = unknown> {
  /** The filter type id (`rate_limit`, ...). */
  readonly type: string;
  readonly schema: ZodType<Options>;
  define(options: Options): FilterDefinition;
}

/** What a family package exports as `family`: its package name and its filter factories. */
export interface FilterFamily {
  /** The family name (`traffic`, `security`, ...). */
  readonly name: string;
  /** The npm package (`@gopher-mcp/traffic`). */
  readonly packageName: string;
  // Each factory has its own options type; the registry only passes them through.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly factories: ReadonlyArray<FilterFactory<any>>;
}
