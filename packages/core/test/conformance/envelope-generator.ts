/**
 * A seeded generator of random valid JSON-RPC / MCP messages for the envelope property tests:
 * random member order, unknown members, whitespace, escapes (short, \u, surrogate pairs in either
 * hex case), non-ASCII text and nested arguments. Each message comes with the values the scanner's
 * fields must decode to.
 */

/** A small seeded PRNG (xorshift32 with a multiply on output); never Math.random. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** A float in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return (Math.imul(this.state, 0x2c1b3c6d) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

/** A JSON value whose object members keep a chosen order (so keys can be written in any order). */
type Json = null | boolean | number | string | Json[] | { readonly entries: Array<[string, Json]> };

const alphabet = ['a', 'b', 'z', 'A', '0', '9', ' ', '/', '"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', 'ß', '中', '😀', '\uffff', '\u{10ffff}', '\u2028'];

function randomString(rng: SeededRandom, maxLength = 12): string {
  let text = '';
  const length = rng.int(maxLength + 1);
  for (let i = 0; i < length; i++) text += rng.chance(0.6) ? rng.pick(['a', 'e', 'x', '_', '-', '.', '1']) : rng.pick(alphabet);
  return text;
}

function randomNumber(rng: SeededRandom): number {
  return randomNumberOfAnySign(rng) + 0; // + 0 turns -0 into 0, which JSON text cannot tell apart
}

function randomNumberOfAnySign(rng: SeededRandom): number {
  switch (rng.int(5)) {
    case 0:
      return rng.int(1000);
    case 1:
      return -rng.int(1_000_000);
    case 2:
      return (rng.next() - 0.5) * 1000;
    case 3:
      return rng.next() * 1e-20;
    default:
      return Math.round((rng.next() - 0.5) * 1e15);
  }
}

const trickyKeys = ['name', 'uri', '_meta', 'id', 'method', 'params', 'jsonrpc', 'progressToken', 'traceparent', 'result'];

function randomValue(rng: SeededRandom, depth: number): Json {
  const roll = rng.int(depth > 5 ? 6 : 9);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
    case 3:
      return randomNumber(rng);
    case 4:
    case 5:
      return randomString(rng);
    case 6:
      return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    default: {
      const entries: Array<[string, Json]> = [];
      const used = new Set<string>();
      for (let i = rng.int(4); i > 0; i--) {
        const key = rng.chance(0.3) ? rng.pick(trickyKeys) : randomString(rng, 6);
        if (used.has(key)) continue;
        used.add(key);
        entries.push([key, randomValue(rng, depth + 1)]);
      }
      return { entries };
    }
  }
}

function hex4(unit: number, rng: SeededRandom): string {
  const text = unit.toString(16).padStart(4, '0');
  return rng.chance(0.5) ? text.toUpperCase() : text;
}

const shortEscapes: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** `text` as a JSON string literal with randomly chosen (always valid) escapes. */
export function encodeString(text: string, rng: SeededRandom, escapeRate: number): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    const mustEscape = code < 0x20 || char === '"' || char === '\\';
    if (mustEscape || rng.chance(escapeRate)) {
      const short = shortEscapes[char];
      if (short !== undefined && rng.chance(0.7)) {
        out += short;
      } else if (char === '/' && rng.chance(0.5)) {
        out += '\\/';
      } else if (code > 0xffff) {
        const offset = code - 0x10000;
        out += `\\u${hex4(0xd800 + (offset >> 10), rng)}\\u${hex4(0xdc00 + (offset & 0x3ff), rng)}`;
      } else {
        out += `\\u${hex4(code, rng)}`;
      }
    } else {
      out += char;
    }
  }
  return `${out}"`;
}

/** Writes JSON text with random whitespace and escapes. */
export class RandomWriter {
  constructor(
    private readonly rng: SeededRandom,
    private readonly spaceRate: number,
    private readonly escapeRate: number,
  ) {}

  space(): string {
    if (!this.rng.chance(this.spaceRate)) return '';
    return Array.from({ length: 1 + this.rng.int(3) }, () => this.rng.pick([' ', '\n', '\t', '\r'])).join('');
  }

  string(text: string): string {
    return encodeString(text, this.rng, this.escapeRate);
  }

  value(value: Json): string {
    if (value === null) return 'null';
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number') {
      if (Number.isInteger(value) || !this.rng.chance(0.3)) return String(value);
      return this.rng.chance(0.5) ? value.toExponential() : value.toExponential().toUpperCase().replace('E+', 'E');
    }
    if (typeof value === 'string') return this.string(value);
    if (Array.isArray(value)) {
      if (value.length === 0) return `[${this.space()}]`;
      return `[${value.map((item) => `${this.space()}${this.value(item)}${this.space()}`).join(',')}]`;
    }
    if (value.entries.length === 0) return `{${this.space()}}`;
    const members = value.entries.map(([key, item]) => `${this.space()}${this.string(key)}${this.space()}:${this.space()}${this.value(item)}${this.space()}`);
    return `{${members.join(',')}}`;
  }
}

/** The plain JS value of a {@link Json} (what JSON.parse returns). */
export function plain(value: Json): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  return Object.fromEntries(value.entries.map(([key, item]) => [key, plain(item)]));
}

/** A generated message: its text and the value each field must decode to (absent = undefined). */
export interface GeneratedMessage {
  readonly text: string;
  readonly kind: 'request' | 'notification' | 'result' | 'error';
  readonly expected: Readonly<Record<string, unknown>>;
}

const methods = ['tools/call', 'prompts/get', 'resources/read', 'resources/subscribe', 'resources/unsubscribe', 'tools/list', 'ping', 'notifications/progress'];

function shuffle<T>(rng: SeededRandom, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** One random valid message. */
export function generateMessage(rng: SeededRandom): GeneratedMessage {
  const writer = new RandomWriter(rng, rng.pick([0, 0.1, 0.5]), rng.pick([0, 0.05, 0.3]));
  const kind = rng.pick(['request', 'request', 'notification', 'result', 'error'] as const);
  const top: Array<[string, Json]> = [['jsonrpc', '2.0']];
  const expected: Record<string, unknown> = {};
  if (kind !== 'notification') {
    const id: Json = kind === 'error' && rng.chance(0.2) ? null : rng.chance(0.5) ? randomString(rng) : rng.int(1e9) - 5e8;
    top.push(['id', id]);
    expected.id = plain(id);
  }
  if (kind === 'request' || kind === 'notification') {
    const method = rng.pick(methods);
    top.push(['method', method]);
    expected.method = method;
    if (rng.chance(0.8)) {
      const params: Array<[string, Json]> = [];
      if (rng.chance(0.8)) {
        const name = randomString(rng);
        params.push(['name', name]);
        if (method === 'tools/call') expected.toolName = name;
        if (method === 'prompts/get') expected.promptName = name;
      }
      if (rng.chance(0.5)) {
        const uri = `file:///${randomString(rng)}`;
        params.push(['uri', uri]);
        if (method.startsWith('resources/')) expected.resourceUri = uri;
      }
      if (rng.chance(0.7)) params.push(['arguments', randomValue(rng, 1)]);
      if (rng.chance(0.6)) {
        const meta: Array<[string, Json]> = [];
        if (rng.chance(0.6)) {
          const token: Json = rng.chance(0.5) ? randomString(rng) : randomNumber(rng);
          meta.push(['progressToken', token]);
          expected.progressToken = token;
        }
        if (rng.chance(0.5)) {
          const traceparent = `00-${'0af7651916cd43dd8448eb211c80319c'}-${'b7ad6b7169203331'}-0${rng.int(2)}`;
          meta.push(['traceparent', traceparent]);
          expected.traceparent = traceparent;
        }
        if (rng.chance(0.4)) {
          const tracestate = `k=${randomString(rng, 5)}`;
          meta.push(['tracestate', tracestate]);
          expected.tracestate = tracestate;
        }
        if (rng.chance(0.3)) meta.push(['other', randomValue(rng, 3)]);
        const metaValue: Json = { entries: shuffle(rng, meta) };
        params.push(['_meta', metaValue]);
        expected.meta = plain(metaValue);
      }
      if (rng.chance(0.3)) params.push([randomString(rng, 4) + '~', randomValue(rng, 2)]);
      const paramsValue: Json = { entries: shuffle(rng, params) };
      top.push(['params', paramsValue]);
      expected.params = plain(paramsValue);
    }
  } else if (kind === 'result') {
    const result = rng.chance(0.8) ? randomValue(rng, 0) : { entries: [['tools', [randomValue(rng, 1)]]] as Array<[string, Json]> };
    top.push(['result', result]);
    expected.result = plain(result);
  } else {
    const error: Json = { entries: [['code', -32000 - rng.int(100)], ['message', randomString(rng)]] };
    top.push(['error', error]);
    expected.error = plain(error);
  }
  if (rng.chance(0.3)) top.push([`x-${randomString(rng, 3)}`, randomValue(rng, 2)]);
  const text = `${writer.space()}${writer.value({ entries: shuffle(rng, top) })}${writer.space()}`;
  return { text, kind, expected };
}
