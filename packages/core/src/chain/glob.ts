const cache = new Map<string, RegExp>();

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles a glob over MCP names (methods, tools, URIs, prompts): `*` matches any run of characters
 * except `/`, `**` matches anything, `?` one character; a pattern that is only `*` matches every
 * value. Everything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let regex = cache.get(glob);
  if (regex === undefined) {
    let source = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i] as string;
      if (c === '*') {
        if (glob[i + 1] === '*') {
          source += '.*';
          i++;
        } else {
          source += '[^/]*';
        }
      } else if (c === '?') {
        source += '.';
      } else {
        source += escapeRegExp(c);
      }
    }
    regex = new RegExp(`^${source}$`, 's');
    if (cache.size > 10_000) cache.clear();
    cache.set(glob, regex);
  }
  return regex;
}

/** True when `value` matches `glob`. */
export function matchGlob(glob: string, value: string): boolean {
  if (glob === '*' || glob === '**') return true;
  return globToRegExp(glob).test(value);
}

/** True when `value` matches any of `globs`. */
export function matchAnyGlob(globs: readonly string[], value: string): boolean {
  for (const glob of globs) if (matchGlob(glob, value)) return true;
  return false;
}
