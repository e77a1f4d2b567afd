export { default } from '@gopher-mcp/tooling/eslint';
