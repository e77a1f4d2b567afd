import { packageConfig } from '@gopher-mcp/tooling/tsup';

export default packageConfig({ external: ['@modelcontextprotocol/sdk', '@modelcontextprotocol/core'] });
