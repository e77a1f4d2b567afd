import { z } from 'zod';

import { filterManagerConfigSchema } from './filter-manager-config.js';

/** The JSON Schema (draft 2020-12) of a FilterManager config as users write it, for editors and the gateway. */
export function filterManagerConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(filterManagerConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
