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

/** The `<length>:<value>` encoding of one present part. */
function encodePart(value: string): string {
  return `${value.length}:${value}`;
}

/**
 * Compiles a limit's key into a reader. Each part's value is written length-prefixed
 * (`<length>:<value>`), so no two different tuples of values ever make the same key; a part that
 * cannot be read is `-` when `missing` is `shared`, and makes the reader return undefined (the limit
 * does not apply) when it is `skip`. A key of built-in parts only (subject, tool, method, session,
 * address, global) remembers the last values it read and its key, so a repeated tuple builds no
 * string; header values and custom keys are never remembered (a header may hold a credential).
 */
export function compileKey(
  key: RateLimitKeyPart | readonly RateLimitKeyPart[],
  missing: 'shared' | 'skip',
  keyFunctions: Readonly<Record<string, KeyFunction>>,
  path: string,
): KeyReader {
  const parts = (Array.isArray(key) ? key : [key]) as readonly RateLimitKeyPart[];
  const readers = parts.map((part, index) => partReader(part, keyFunctions, Array.isArray(key) ? `${path}.${index}` : path));
  const remember = parts.every((part) => typeof part === 'string');
  if (readers.length === 1) {
    const read = readers[0] as PartReader;
    if (!remember) {
      return (exchange) => {
        const value = read(exchange);
        if (value === undefined) return missing === 'skip' ? undefined : MISSING;
        return encodePart(value);
      };
    }
    let lastValue: string | undefined;
    let lastKey = MISSING;
    return (exchange) => {
      const value = read(exchange);
      if (value === undefined) return missing === 'skip' ? undefined : MISSING;
      if (value !== lastValue) {
        lastKey = encodePart(value);
        lastValue = value;
      }
      return lastKey;
    };
  }
  if (!remember) {
    return (exchange) => {
      let out = '';
      for (let i = 0; i < readers.length; i++) {
        const value = (readers[i] as PartReader)(exchange);
        if (i > 0) out += '|';
        if (value === undefined) {
          if (missing === 'skip') return undefined;
          out += MISSING;
        } else {
          out += encodePart(value);
        }
      }
      return out;
    };
  }
  const values: Array<string | undefined> = readers.map(() => undefined);
  const lastValues: Array<string | undefined> = readers.map(() => undefined);
  let lastKey: string | undefined;
  return (exchange) => {
    let same = lastKey !== undefined;
    for (let i = 0; i < readers.length; i++) {
      const value = (readers[i] as PartReader)(exchange);
      if (value === undefined && missing === 'skip') return undefined;
      values[i] = value;
      if (value !== lastValues[i]) same = false;
    }
    if (same) return lastKey;
    let out = '';
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (i > 0) out += '|';
      out += value === undefined ? MISSING : encodePart(value);
      lastValues[i] = value;
    }
    lastKey = out;
    return out;
  };
}

/** True when `key` reads the tool name. */
export function keyIncludesTool(key: RateLimitKeyPart | readonly RateLimitKeyPart[]): boolean {
  return Array.isArray(key) ? key.includes('tool') : key === 'tool';
}
