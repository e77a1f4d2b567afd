// @ts-check
import tseslint from 'typescript-eslint';

/** The flat ESLint config every package lints with. */
export default tseslint.config(
  { ignores: ['**/dist/**', '**/build/**', '**/prebuilds/**', '**/node_modules/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': ['error', { allow: ['error', 'warn'] }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/test/**', '**/bench/**', 'apps/**'],
    rules: { 'no-console': 'off' },
  },
);
