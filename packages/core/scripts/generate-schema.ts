// Writes schema/filter-manager-config.schema.json from the zod schemas (run by `pnpm generate:schema`).
import { writeFileSync } from 'node:fs';

import { filterManagerConfigJsonSchema } from '../src/config/json-schema.js';

const target = new URL('../schema/filter-manager-config.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(filterManagerConfigJsonSchema(), null, 2)}\n`);
process.stderr.write(`wrote ${target.pathname}\n`);
