import { describe, expect, it } from 'vitest';

import { runExample } from './run-example.js';

describe('example: filter-manager-demo', () => {
  it('prints the story of a custom, a conditional, a disabled and a broken filter', () => {
    const lines = runExample('filter-manager-demo').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^engine: (native|js)/);
    expect(lines.slice(1)).toEqual([
      '1. a tools/call of echo passes (flaky fails, PASSTHROUGH skips it)',
      '   -> result {"echoed":"tools/call"}',
      '2. a tools/call of delete_all is refused by the conditional guard',
      '   -> error 403 (destructive tools are disabled)',
      '3. the guard does not apply to tools/list',
      '   -> result {"echoed":"tools/list"}',
      '4. guard disabled at run time: delete_all passes',
      '   -> result {"echoed":"tools/call"}',
      '5. flaky replaced by a fail-closed copy: a failure now rejects',
      '   -> error -32603 (filter "flaky" failed)',
      'events:',
      '   flaky: filter_error',
      '   guard: denied',
      '   flaky: filter_error',
      '   flaky: filter_error',
      '   flaky: filter_error',
      '   flaky: denied',
      'stats: exchanges=5 succeeded=3 failed=2 denied=2 filterErrors=4',
      '   timing  processed=5 passed=5 denied=0 errors=0 skipped=0',
      '   guard   processed=2 passed=1 denied=1 errors=0 skipped=1',
      '   flaky   processed=4 passed=0 denied=1 errors=4 skipped=0',
    ]);
  });
});
