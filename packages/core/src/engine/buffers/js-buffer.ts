import { EngineError, EngineStatus } from '../errors.js';
import { closedError, requireBytes, requireSize } from './arguments.js';
import type { JsSlab, JsSlabPool } from './js-slab-pool.js';
import { JsSliceList } from './js-slices.js';
import type {
  PooledBuffer,
  PooledBufferOptions,
  WatermarkCrossing,
  WatermarkListener,
  WatermarkState,
} from './types.js';
import { nextCrossing, notifyCrossing } from './watermarks.js';

interface Reservation {
  readonly slab: JsSlab;
  readonly offset: number;
  readonly size: number;
}

const EMPTY = Buffer.alloc(0);

/** Checks watermark options/arguments the way both engines do. */
export function checkWatermarks(low: number, high: number): void {
  requireSize(low, 'low watermark');
  requireSize(high, 'high watermark');
  if (low > high) throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'the low watermark is above the high watermark');
}

/** The JS twin of a native buffer: the same algorithm as `gmcp::buffers::Buffer`, over a {@link JsSlabPool}. */
export class JsPooledBuffer implements PooledBuffer {
  private readonly slices = new JsSliceList();
  private size = 0;
  private reservation: Reservation | null = null;
  private low = 0;
  private high = 0;
  private aboveHigh = false;
  private isClosed = false;
  private readonly listener: WatermarkListener | undefined;

  /** Creates an empty buffer over `pool`; watermark options must have been checked. */
  constructor(
    private readonly pool: JsSlabPool,
    options: PooledBufferOptions = {},
  ) {
    this.listener = options.onWatermark;
    this.low = options.lowWatermark ?? 0;
    this.high = options.highWatermark ?? 0;
  }

  get length(): number {
    return this.size;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  add(bytes: Uint8Array): WatermarkCrossing | null {
    this.open();
    requireBytes(bytes, 'bytes');
    this.cancelReservation();
    const slabSize = this.pool.slabSize;
    const length = bytes.length;
    const room = this.tailRoom();
    const overflow = length > room ? length - room : 0;
    const needed = Math.ceil(overflow / slabSize);
    if (!this.pool.canAcquire(needed)) {
      this.pool.countFailure();
      throw new EngineError(EngineStatus.OUT_OF_MEMORY, 'buffer add: the buffer pool is exhausted');
    }
    let written = Math.min(room, length);
    if (written > 0) {
      const tail = this.slices.back() as { slab: JsSlab; length: number };
      tail.slab.data.set(written === length ? bytes : bytes.subarray(0, written), tail.slab.fill);
      tail.slab.fill += written;
      tail.length += written;
    }
    for (let i = 0; i < needed; i++) {
      const slab = this.pool.acquire() as JsSlab; // canAcquire said yes
      const part = Math.min(slabSize, length - written);
      slab.data.set(bytes.subarray(written, written + part), 0);
      slab.fill = part;
      this.slices.pushBack({ slab, offset: 0, length: part });
      written += part;
    }
    this.size += length;
    return this.afterChange();
  }

  reserve(size: number): Uint8Array {
    this.open();
    requireSize(size, 'size');
    if (size === 0) throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'buffer reserve: size is 0');
    if (size > this.pool.slabSize) throw new EngineError(EngineStatus.LIMIT, 'buffer reserve: size is above the slab size');
    this.cancelReservation();
    let slab: JsSlab;
    let offset = 0;
    if (this.tailRoom() >= size) {
      slab = (this.slices.back() as { slab: JsSlab }).slab;
      offset = slab.fill;
      slab.refs++;
    } else {
      const fresh = this.pool.acquire();
      if (fresh === null) throw new EngineError(EngineStatus.OUT_OF_MEMORY, 'buffer reserve: the buffer pool is exhausted');
      slab = fresh;
    }
    slab.fill = offset + size;
    this.reservation = { slab, offset, size };
    return slab.data.subarray(offset, offset + size);
  }

  commit(length: number): WatermarkCrossing | null {
    this.open();
    requireSize(length, 'length');
    const reservation = this.reservation;
    if (reservation === null) throw new EngineError(EngineStatus.STATE, 'buffer commit: no pending reservation');
    if (length > reservation.size) {
      throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'buffer commit: length is above the reservation');
    }
    const { slab, offset } = reservation;
    if (length > 0) {
      const tail = this.slices.back();
      if (tail !== undefined && tail.slab === slab && tail.offset + tail.length === offset) {
        tail.length += length;
      } else {
        this.slices.pushBack({ slab, offset, length });
        slab.refs++;
      }
    }
    slab.fill = offset + length;
    this.pool.unref(slab);
    this.reservation = null;
    this.size += length;
    return this.afterChange();
  }

  drain(length: number): WatermarkCrossing | null {
    this.open();
    requireSize(length, 'length');
    if (length > this.size) throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'buffer drain: length is above the buffer length');
    this.cancelReservation();
    this.dropFront(length);
    this.size -= length;
    return this.afterChange();
  }

  copyOut(offset: number, length: number): Uint8Array {
    this.open();
    requireSize(offset, 'offset');
    requireSize(length, 'length');
    if (offset > this.size || length > this.size - offset) {
      throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'buffer copyOut: range is outside the buffer');
    }
    const out = Buffer.allocUnsafe(length);
    this.copyRange(offset, length, out);
    return out;
  }

  copyInto(target: Uint8Array, offset = 0): number {
    this.open();
    requireBytes(target, 'target');
    requireSize(offset, 'offset');
    const length = target.length;
    if (offset > this.size || length > this.size - offset) {
      throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'buffer copyInto: range is outside the buffer');
    }
    this.copyRange(offset, length, target);
    return length;
  }

  peek(length: number = this.size): Uint8Array {
    return this.copyOut(0, length);
  }

  linearize(length: number): Uint8Array {
    this.open();
    requireSize(length, 'length');
    if (length > this.size) throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'buffer linearize: length is above the buffer length');
    if (length === 0) return EMPTY;
    let front = this.slices.at(0);
    if (front.length < length) {
      if (length > this.pool.slabSize) throw new EngineError(EngineStatus.LIMIT, 'buffer linearize: length is above the slab size');
      const slab = this.pool.acquire();
      if (slab === null) throw new EngineError(EngineStatus.OUT_OF_MEMORY, 'buffer linearize: the buffer pool is exhausted');
      this.copyRange(0, length, slab.data);
      slab.fill = length;
      this.dropFront(length);
      front = { slab, offset: 0, length };
      this.slices.pushFront(front);
    }
    return front.slab.data.subarray(front.offset, front.offset + length);
  }

  search(needle: Uint8Array, start = 0): number {
    this.open();
    requireBytes(needle, 'needle');
    requireSize(start, 'start');
    const m = needle.length;
    if (start > this.size) return -1;
    if (m === 0) return start;
    if (m > this.size - start) return -1;
    const first = needle[0] as number;
    let base = 0;
    for (let i = 0; i < this.slices.size; base += this.slices.at(i).length, i++) {
      const slice = this.slices.at(i);
      if (base + slice.length <= start) continue;
      const from = start > base ? start - base : 0;
      const bytes = slice.slab.data;
      const end = slice.offset + slice.length;
      if (slice.length >= m && from + m <= slice.length) {
        const hit = bytes.subarray(slice.offset, end).indexOf(needle, from);
        if (hit >= 0) return base + hit;
      }
      let position = Math.max(slice.length >= m ? slice.length - m + 1 : 0, from);
      while (position < slice.length) {
        const hit = bytes.indexOf(first, slice.offset + position);
        if (hit < 0 || hit >= end) break;
        position = hit - slice.offset;
        if (this.matchesAt(i, position, needle)) return base + position;
        position++;
      }
    }
    return -1;
  }

  slice(offset: number, length: number, options: PooledBufferOptions = {}): PooledBuffer {
    this.open();
    requireSize(offset, 'offset');
    requireSize(length, 'length');
    if (offset > this.size || length > this.size - offset) {
      throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'buffer slice: range is outside the buffer');
    }
    checkWatermarks(options.lowWatermark ?? 0, options.highWatermark ?? 0);
    const copy = new JsPooledBuffer(this.pool, options);
    let skip = offset;
    let remaining = length;
    for (let i = 0; i < this.slices.size && remaining > 0; i++) {
      const slice = this.slices.at(i);
      if (skip >= slice.length) {
        skip -= slice.length;
        continue;
      }
      const part = Math.min(slice.length - skip, remaining);
      copy.slices.pushBack({ slab: slice.slab, offset: slice.offset + skip, length: part });
      slice.slab.refs++;
      remaining -= part;
      skip = 0;
    }
    copy.size = length;
    copy.afterChange();
    return copy;
  }

  setWatermarks(low: number, high: number): WatermarkCrossing | null {
    this.open();
    checkWatermarks(low, high);
    this.low = low;
    this.high = high;
    return this.afterChange();
  }

  getWatermarkState(): WatermarkState {
    this.open();
    return { low: this.low, high: this.high, aboveHigh: this.aboveHigh };
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.cancelReservation();
    while (this.slices.size > 0) {
      this.pool.unref(this.slices.at(0).slab);
      this.slices.popFront();
    }
    this.size = 0;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private open(): void {
    if (this.isClosed) throw closedError('buffer');
  }

  private tailRoom(): number {
    const tail = this.slices.back();
    if (tail === undefined || tail.slab.fill !== tail.offset + tail.length) return 0;
    return this.pool.slabSize - tail.slab.fill;
  }

  private cancelReservation(): void {
    const reservation = this.reservation;
    if (reservation === null) return;
    reservation.slab.fill = reservation.offset;
    this.pool.unref(reservation.slab);
    this.reservation = null;
  }

  private dropFront(length: number): void {
    while (length > 0) {
      const front = this.slices.at(0);
      if (front.length <= length) {
        length -= front.length;
        this.pool.unref(front.slab);
        this.slices.popFront();
      } else {
        front.offset += length;
        front.length -= length;
        length = 0;
      }
    }
  }

  /** Copies bytes `[offset, offset + length)` to `target` (range already checked). */
  private copyRange(offset: number, length: number, target: Uint8Array): void {
    let skip = offset;
    let written = 0;
    for (let i = 0; i < this.slices.size && written < length; i++) {
      const slice = this.slices.at(i);
      if (skip >= slice.length) {
        skip -= slice.length;
        continue;
      }
      const part = Math.min(slice.length - skip, length - written);
      const from = slice.offset + skip;
      target.set(slice.slab.data.subarray(from, from + part), written);
      written += part;
      skip = 0;
    }
  }

  private matchesAt(index: number, position: number, needle: Uint8Array): boolean {
    let matched = 0;
    for (let i = index; i < this.slices.size && matched < needle.length; i++) {
      const slice = this.slices.at(i);
      const part = Math.min(slice.length - position, needle.length - matched);
      const bytes = slice.slab.data;
      const from = slice.offset + position;
      for (let k = 0; k < part; k++) {
        if (bytes[from + k] !== needle[matched + k]) return false;
      }
      matched += part;
      position = 0;
    }
    return matched === needle.length;
  }

  private afterChange(): WatermarkCrossing | null {
    const crossing = nextCrossing(this.size, this.low, this.high, this.aboveHigh);
    if (crossing !== null) this.aboveHigh = crossing === 'high';
    return notifyCrossing(crossing, this.listener, this);
  }
}
