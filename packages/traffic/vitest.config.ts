import { packageTestConfig } from '@gopher-mcp/tooling/vitest';

export default packageTestConfig({ name: 'traffic' });
