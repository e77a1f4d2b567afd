import { packageTestConfig } from '@gopher-mcp/tooling/vitest';

export default packageTestConfig({ name: 'examples', testTimeout: 60_000 });
