import { globToRegExp } from '@gopher-mcp/core';

/** A compiled list of core globs: true when a value matches any of them. */
export type GlobMatcher = (value: string) => boolean;

const WILDCARD = /[*?]/;

/**
 * Compiles a glob list once (what `matchAnyGlob(globs, value)` decides, without a cache lookup per
 * glob and call): a universal glob matches everything, globs without `*` or `?` are compared
 * exactly, the others run core's compiled regular expressions.
 */
export function compileGlobs(globs: readonly string[]): GlobMatcher {
  if (globs.some((glob) => glob === '*' || glob === '**')) return () => true;
  const exact = globs.filter((glob) => !WILDCARD.test(glob));
  const patterns = globs.filter((glob) => WILDCARD.test(glob)).map((glob) => globToRegExp(glob));
  if (patterns.length === 0) {
    if (exact.length === 0) return () => false;
    if (exact.length === 1) {
      const only = exact[0] as string;
      return (value) => value === only;
    }
    const set = new Set(exact);
    return (value) => set.has(value);
  }
  const set = new Set(exact);
  return (value) => {
    if (set.has(value)) return true;
    for (let i = 0; i < patterns.length; i++) if ((patterns[i] as RegExp).test(value)) return true;
    return false;
  };
}
