import { advance, decide, type DecisionOut, freshState, Mode, type Params, refund, type State } from './algorithms.js';

const NONE = 0xffffffff;
const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;
const SWEEP_PER_TAKE = 4;
const INITIAL_SLOTS = 16;
/** Bytes per entry: hash (2 x u32), time (f64), level or counts (f64 or 2 x u32), LRU prev / next (2 x u32). */
const ENTRY_BYTES = 32;

/**
 * The TypeScript twin of native/src/ratelimit_table.cpp, operation for operation: entries in
 * 4096-entry pages of one ArrayBuffer each (the same 32-byte layout), an open-addressing index
 * of (hash low word, entry + 1) pairs with linear probing and backward-shift deletion, and an
 * intrusive LRU list. Keys arrive as their 64-bit hash words.
 *
 * Entry i lives in page i >> 12 at offset o = i & 4095: u32[8o] / u32[8o+1] hash low / high,
 * f64[4o+1] time, f64[4o+2] level (buckets) or u32[8o+4] / u32[8o+5] current / previous
 * (windows), u32[8o+6] / u32[8o+7] LRU prev / next (next doubles as the free-list link).
 */
export class KeyTable {
  /** Keys evicted because the table was full. */
  evictions = 0;
  /** Keys evicted because they were idle. */
  expired = 0;
  /** Allowed and denied takes. */
  allowed = 0;
  denied = 0;
  /** Number of keys held. */
  count = 0;

  private pagesF64: Float64Array[] = [];
  private pagesU32: Uint32Array[] = [];
  private slots = new Uint32Array(2 * INITIAL_SLOTS);
  private slotMask = INITIAL_SLOTS - 1;
  private used = 0;
  private free = NONE;
  private head = NONE;
  private tail = NONE;
  private clock = 0;
  private readonly state: State = { time: 0, level: 0, current: 0, previous: 0 };
  private readonly bucket: boolean;

  constructor(
    private readonly params: Params,
    private readonly maxKeys: number,
    private readonly idleTimeoutMs: number,
  ) {
    this.bucket = params.algorithm === 1 || params.algorithm === 4;
  }

  /** max(floor(nowMs), the latest clock of a take / refund / prune). */
  effectiveTime(nowMs: number): number {
    const t = Math.floor(nowMs);
    return t > this.clock ? t : this.clock;
  }

  /** CHECK, TAKE or REFUND for the key hash (low, high); writes the decision to `out` (not for REFUND). */
  decide(mode: number, low: number, high: number, nowMs: number, cost: number, out: DecisionOut): void {
    const t = this.effectiveTime(nowMs);
    const p = this.params;
    const s = this.state;
    if (mode === Mode.CHECK) {
      const index = this.find(low, high);
      if (index === NONE || this.idle(index, t)) freshState(p, s, t);
      else this.load(index);
      advance(p, s, t);
      decide(p, s, cost, out);
      return;
    }
    this.clock = t;
    if (mode === Mode.REFUND) {
      const index = this.find(low, high);
      if (index !== NONE && !this.idle(index, t)) {
        this.load(index);
        advance(p, s, t);
        refund(p, s, cost);
        this.store(index);
        this.touch(index);
      }
      return;
    }
    this.sweep(t, SWEEP_PER_TAKE);
    let index = this.find(low, high);
    if (index !== NONE && this.idle(index, t)) {
      this.remove(index);
      this.expired += 1;
      index = NONE;
    }
    if (index === NONE) {
      index = this.insert(low, high);
      freshState(p, s, t);
    } else {
      this.load(index);
    }
    advance(p, s, t);
    decide(p, s, cost, out);
    this.store(index);
    this.touch(index);
    if (out.allowed !== 0) this.allowed += 1;
    else this.denied += 1;
  }

  /** Removes the key with hash (low, high); true when it was present. */
  removeKey(low: number, high: number): boolean {
    const index = this.find(low, high);
    if (index === NONE) return false;
    this.remove(index);
    return true;
  }

  /** Advances the clock and evicts every idle key; returns how many. */
  prune(nowMs: number): number {
    const t = this.effectiveTime(nowMs);
    this.clock = t;
    const before = this.expired;
    this.sweep(t, Infinity);
    return this.expired - before;
  }

  /** Removes every key and releases the storage. */
  clear(): void {
    this.pagesF64 = [];
    this.pagesU32 = [];
    this.slots = new Uint32Array(2 * INITIAL_SLOTS);
    this.slotMask = INITIAL_SLOTS - 1;
    this.used = 0;
    this.free = NONE;
    this.count = 0;
    this.head = NONE;
    this.tail = NONE;
  }

  /** Bytes of the pages and the index. */
  memoryBytes(): number {
    return this.pagesU32.length * PAGE_SIZE * ENTRY_BYTES + this.slots.byteLength;
  }

  private idle(index: number, t: number): boolean {
    if (this.idleTimeoutMs <= 0) return false;
    const f64 = this.pagesF64[index >>> PAGE_SHIFT] as Float64Array;
    return t - (f64[((index & PAGE_MASK) << 2) + 1] as number) >= this.idleTimeoutMs;
  }

  private load(index: number): void {
    const o = index & PAGE_MASK;
    const page = index >>> PAGE_SHIFT;
    const f64 = this.pagesF64[page] as Float64Array;
    const s = this.state;
    s.time = f64[(o << 2) + 1] as number;
    if (this.bucket) {
      s.level = f64[(o << 2) + 2] as number;
    } else {
      const u32 = this.pagesU32[page] as Uint32Array;
      s.current = u32[(o << 3) + 4] as number;
      s.previous = u32[(o << 3) + 5] as number;
    }
  }

  private store(index: number): void {
    const o = index & PAGE_MASK;
    const page = index >>> PAGE_SHIFT;
    const f64 = this.pagesF64[page] as Float64Array;
    const s = this.state;
    f64[(o << 2) + 1] = s.time;
    if (this.bucket) {
      f64[(o << 2) + 2] = s.level;
    } else {
      const u32 = this.pagesU32[page] as Uint32Array;
      u32[(o << 3) + 4] = s.current;
      u32[(o << 3) + 5] = s.previous;
    }
  }

  private u32(index: number): Uint32Array {
    return this.pagesU32[index >>> PAGE_SHIFT] as Uint32Array;
  }

  private find(low: number, high: number): number {
    const slots = this.slots;
    const mask = this.slotMask;
    for (let i = low & mask; ; i = (i + 1) & mask) {
      const ref = slots[2 * i + 1] as number;
      if (ref === 0) return NONE;
      if (slots[2 * i] === low) {
        const index = ref - 1;
        const u32 = this.u32(index);
        const o = (index & PAGE_MASK) << 3;
        if (u32[o] === low && u32[o + 1] === high) return index;
      }
    }
  }

  private place(low: number, ref: number): void {
    const slots = this.slots;
    const mask = this.slotMask;
    let i = low & mask;
    while (slots[2 * i + 1] !== 0) i = (i + 1) & mask;
    slots[2 * i] = low;
    slots[2 * i + 1] = ref;
  }

  private growIndex(): void {
    const old = this.slots;
    const size = old.length; // twice the old slot count = the new slot count
    this.slots = new Uint32Array(2 * size);
    this.slotMask = size - 1;
    for (let i = 0; i < size; i += 2) {
      const ref = old[i + 1] as number;
      if (ref !== 0) this.place(old[i] as number, ref);
    }
  }

  private insert(low: number, high: number): number {
    if (this.count === this.maxKeys) {
      this.remove(this.tail);
      this.evictions += 1;
    }
    if ((this.count + 1) * 4 > (this.slots.length >>> 1) * 3) this.growIndex();
    let index: number;
    if (this.free !== NONE) {
      index = this.free;
      this.free = this.u32(index)[((index & PAGE_MASK) << 3) + 7] as number;
    } else {
      if ((this.used & PAGE_MASK) === 0) {
        const buffer = new ArrayBuffer(PAGE_SIZE * ENTRY_BYTES);
        this.pagesF64.push(new Float64Array(buffer));
        this.pagesU32.push(new Uint32Array(buffer));
      }
      index = this.used++;
    }
    const u32 = this.u32(index);
    const o = (index & PAGE_MASK) << 3;
    u32[o] = low;
    u32[o + 1] = high;
    this.place(low, index + 1);
    this.linkFront(index);
    this.count += 1;
    return index;
  }

  private remove(index: number): void {
    const low = this.u32(index)[(index & PAGE_MASK) << 3] as number;
    const slots = this.slots;
    const mask = this.slotMask;
    let hole = low & mask;
    while (slots[2 * hole + 1] !== index + 1) hole = (hole + 1) & mask;
    for (let j = (hole + 1) & mask; slots[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = (slots[2 * j] as number) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        slots[2 * hole] = slots[2 * j] as number;
        slots[2 * hole + 1] = slots[2 * j + 1] as number;
        hole = j;
      }
    }
    slots[2 * hole] = 0;
    slots[2 * hole + 1] = 0;
    this.unlink(index);
    this.u32(index)[((index & PAGE_MASK) << 3) + 7] = this.free;
    this.free = index;
    this.count -= 1;
  }

  private linkFront(index: number): void {
    const u32 = this.u32(index);
    const o = (index & PAGE_MASK) << 3;
    u32[o + 6] = NONE;
    u32[o + 7] = this.head;
    if (this.head !== NONE) this.u32(this.head)[((this.head & PAGE_MASK) << 3) + 6] = index;
    this.head = index;
    if (this.tail === NONE) this.tail = index;
  }

  private unlink(index: number): void {
    const u32 = this.u32(index);
    const o = (index & PAGE_MASK) << 3;
    const prev = u32[o + 6] as number;
    const next = u32[o + 7] as number;
    if (prev !== NONE) this.u32(prev)[((prev & PAGE_MASK) << 3) + 7] = next;
    else this.head = next;
    if (next !== NONE) this.u32(next)[((next & PAGE_MASK) << 3) + 6] = prev;
    else this.tail = prev;
  }

  private touch(index: number): void {
    if (this.head === index) return;
    this.unlink(index);
    this.linkFront(index);
  }

  private sweep(t: number, limit: number): void {
    for (let n = 0; n < limit && this.tail !== NONE && this.idle(this.tail, t); n++) {
      this.remove(this.tail);
      this.expired += 1;
    }
  }
}
