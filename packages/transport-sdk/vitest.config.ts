import { packageTestConfig } from '@gopher-mcp/tooling/vitest';

// The stdio tests start a TypeScript child process; on a busy machine that takes seconds.
export default packageTestConfig({ name: 'transport-sdk', testTimeout: 60_000 });
