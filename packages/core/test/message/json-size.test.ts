import { describe, expect, it } from 'vitest';

import { ObjectMessageView } from '../../src/index.js';
import { jsonByteLength } from '../../src/message/json-size.js';
import { seededRandom } from '../helpers/seeded-random.js';


const CODE_UNITS = [0x00, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x22, 0x5c, 0x2f, 0x41, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x20ac, 0xd83d, 0xde00, 0xdbff, 0xdc00, 0xfffd, 0xffff];

function randomString(next: () => number): string {
  const length = Math.floor(next() * (next() < 0.2 ? 80 : 12));
  let text = '';
  for (let i = 0; i < length; i++) {
    text += next() < 0.7 ? String.fromCharCode(0x20 + Math.floor(next() * 95)) : String.fromCharCode(CODE_UNITS[Math.floor(next() * CODE_UNITS.length)] as number);
  }
  return text;
}

const NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY, -123.456];

function randomValue(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 6 : 11));
  switch (pick) {
    case 0:
      return randomString(next);
    case 1:
      return NUMBERS[Math.floor(next() * NUMBERS.length)];
    case 2:
      return next() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return next() < 0.5 ? () => 1 : Symbol('s');
    case 6:
    case 7:
      return Array.from({ length: Math.floor(next() * 5) }, () => randomValue(next, depth + 1));
    case 8:
      return new Date(Math.floor(next() * 2e12));
    default: {
      const object: Record<string, unknown> = next() < 0.1 ? (Object.create(null) as Record<string, unknown>) : {};
      const members = Math.floor(next() * 5);
      for (let i = 0; i < members; i++) object[randomString(next)] = randomValue(next, depth + 1);
      return object;
    }
  }
}

const serialisedLength = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

describe('jsonByteLength', () => {
  it('equals the UTF-8 length of JSON.stringify on 5000 seeded random values', () => {
    const next = seededRandom(20261125);
    for (let i = 0; i < 5000; i++) {
      const value = { jsonrpc: '2.0', id: i, result: randomValue(next, 0) };
      expect(jsonByteLength(value), JSON.stringify(value)).toBe(serialisedLength(value));
    }
  });

  it('handles escapes, surrogate pairs, lone surrogates, long strings and special members exactly', () => {
    const cases: unknown[] = [
      'plain',
      'quote " backslash \\ newline \n tab \t nul \u0000 unit separator \u001f',
      'emoji 😀 pair, lone high \ud83d end, lone low \ude00 end',
      'é'.repeat(40),
      'x'.repeat(1000),
      'x'.repeat(100) + '"' + 'y'.repeat(100),
      { a: undefined, b: () => 1, c: Symbol('c'), d: 1 },
      [undefined, () => 1, Symbol('s'), 1],
      { toJSON: () => ({ replaced: true }) },
      { when: new Date(0) },
      [],
      {},
      [[[]]],
      { nested: { deeper: [1, 'two', { three: null }] } },
    ];
    for (const value of cases) expect(jsonByteLength(value), String(JSON.stringify(value))).toBe(serialisedLength(value));
    expect(jsonByteLength(undefined)).toBe(0);
    expect(() => jsonByteLength({ big: 1n })).toThrow(TypeError);
  });

  it('gives ObjectMessageView.size without serialising, and the same as bytes()', () => {
    const message = { jsonrpc: '2.0' as const, id: 7, result: { content: [{ type: 'text', text: 'héllo "world" 😀' }] } };
    const view = new ObjectMessageView(message);
    const size = view.size;
    expect(size).toBe(view.bytes().byteLength);
    expect(new ObjectMessageView(message, 3).size).toBe(3);
  });
});
