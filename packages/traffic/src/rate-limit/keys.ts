import { ConfigError, headerValue, type Exchange, type RateLimitKeyPart } from '@gopher-mcp/core';

/** A custom key function: returns the key value of an exchange, or undefined when it has none. */
export type KeyFunction = (exchange: Exchange) => string | undefined;

/** The result of reading a limit's key: the key string, or `undefined` when the limit does not apply. */
export type KeyReader = (exchange: Exchange) => string | undefined;

type PartReader = (exchange: Exchange) => string | undefined;

/** The marker a missing part takes in a `shared` key; never equal to an encoded present value. */
const MISSING = '-';

function partReader(part: RateLimitKeyPart, keyFunctions: Readonly<Record<string, KeyFunction>>, path: string): PartReader {
  if (typeof part === 'string') {
    switch (part) {
      case 'client_address':
        return (e) => e.context.peer.address;
      case 'subject':
        return (e) => e.context.principal?.subject;
      case 'session':
        return (e) => e.context.session.id;
      case 'method':
        return (e) => e.message.method;
      case 'tool':
        return (e) => e.message.toolName;
      case 'global':
        return () => '';
    }
  }
  if ('header' in part) {
    const name = part.header.toLowerCase();
    return (e) => headerValue(e.context.peer.headers, name);
  }
  const fn = keyFunctions[part.custom];
  if (fn === undefined) {
    throw new ConfigError(`${path}: no key function named "${part.custom}" (pass it in the factory's keyFunctions option)`, [
      { path, message: `unknown key function "${part.custom}"` },
    ]);
  }
  return fn;
}

/**
 * Compiles a limit's key into a reader. Each part's value is written length-prefixed
 * (`<length>:<value>`), so no two different tuples of values ever make the same key; a part that
 * cannot be read is `-` when `missing` is `shared`, and makes the reader return undefined (the limit
 * does not apply) when it is `skip`.
 */
export function compileKey(
  key: RateLimitKeyPart | readonly RateLimitKeyPart[],
  missing: 'shared' | 'skip',
  keyFunctions: Readonly<Record<string, KeyFunction>>,
  path: string,
): KeyReader {
  const parts = (Array.isArray(key) ? key : [key]) as readonly RateLimitKeyPart[];
  const readers = parts.map((part, index) => partReader(part, keyFunctions, Array.isArray(key) ? `${path}.${index}` : path));
  if (readers.length === 1) {
    const read = readers[0] as PartReader;
    return (exchange) => {
      const value = read(exchange);
      if (value === undefined) return missing === 'skip' ? undefined : MISSING;
      return `${value.length}:${value}`;
    };
  }
  return (exchange) => {
    let out = '';
    for (let i = 0; i < readers.length; i++) {
      const value = (readers[i] as PartReader)(exchange);
      if (i > 0) out += '|';
      if (value === undefined) {
        if (missing === 'skip') return undefined;
        out += MISSING;
      } else {
        out += `${value.length}:${value}`;
      }
    }
    return out;
  };
}

/** True when `key` reads the tool name. */
export function keyIncludesTool(key: RateLimitKeyPart | readonly RateLimitKeyPart[]): boolean {
  return Array.isArray(key) ? key.includes('tool') : key === 'tool';
}
