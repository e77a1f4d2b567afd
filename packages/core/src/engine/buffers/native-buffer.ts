import { EngineError, EngineStatus } from '../errors.js';
import { closedError, requireBytes, requireSize } from './arguments.js';
import { checkWatermarks } from './js-buffer.js';
import type { BufferBindings } from './native-bindings.js';
import type { NativeBufferPool } from './native-pool.js';
import type {
  PooledBuffer,
  PooledBufferOptions,
  WatermarkCrossing,
  WatermarkListener,
  WatermarkState,
} from './types.js';
import { crossingFromCode, notifyCrossing } from './watermarks.js';
import { highWord, lowWord, WORD } from './words.js';

const SEARCH_LOW = lowWord(0);
const SEARCH_HIGH = highWord(0);

/**
 * A {@link PooledBuffer} owning a native `gmcp_buffer`. Its length is mirrored on the JS side
 * (every change goes through this object), so reading it costs no native call.
 */
export class NativePooledBuffer implements PooledBuffer {
  private handle: bigint | null;
  private readonly b: BufferBindings;
  private readonly listener: WatermarkListener | undefined;

  /** Takes ownership of `handle` (a buffer of `length` bytes) and applies the watermark options. */
  constructor(
    private readonly pool: NativeBufferPool,
    handle: bigint,
    private size: number,
    options: PooledBufferOptions,
  ) {
    this.b = pool.bindings;
    this.handle = handle;
    this.listener = options.onWatermark;
    this.b.bufferRegistry.register(this, handle, this);
    const low = options.lowWatermark ?? 0;
    const high = options.highWatermark ?? 0;
    if (low !== 0 || high !== 0) this.setWatermarks(low, high);
  }

  get length(): number {
    return this.size;
  }

  get closed(): boolean {
    return this.handle === null;
  }

  add(bytes: Uint8Array): WatermarkCrossing | null {
    const handle = this.live();
    requireBytes(bytes, 'bytes');
    const b = this.b;
    const status = b.add(handle, bytes, bytes.length, b.watermark);
    if (status < 0) b.library.check(status, 'buffer add');
    this.size += bytes.length;
    return this.crossing();
  }

  reserve(size: number): Uint8Array {
    const handle = this.live();
    requireSize(size, 'size');
    const b = this.b;
    const status = b.reserve(handle, size, b.region);
    if (status < 0) b.library.check(status, 'buffer reserve');
    return this.pool.regionView();
  }

  commit(length: number): WatermarkCrossing | null {
    const handle = this.live();
    requireSize(length, 'length');
    const b = this.b;
    const status = b.commit(handle, length, b.watermark);
    if (status < 0) b.library.check(status, 'buffer commit');
    this.size += length;
    return this.crossing();
  }

  drain(length: number): WatermarkCrossing | null {
    const handle = this.live();
    requireSize(length, 'length');
    const b = this.b;
    const status = b.drain(handle, length, b.watermark);
    if (status < 0) b.library.check(status, 'buffer drain');
    this.size -= length;
    return this.crossing();
  }

  copyOut(offset: number, length: number): Uint8Array {
    const handle = this.live();
    requireSize(offset, 'offset');
    requireSize(length, 'length');
    if (offset > this.size || length > this.size - offset) {
      throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'buffer copyOut: range is outside the buffer');
    }
    const out = Buffer.allocUnsafe(length);
    const b = this.b;
    const status = b.copyOut(handle, offset, length, out);
    if (status < 0) b.library.check(status, 'buffer copyOut');
    return out;
  }

  copyInto(target: Uint8Array, offset = 0): number {
    const handle = this.live();
    requireBytes(target, 'target');
    requireSize(offset, 'offset');
    const length = target.length;
    if (offset > this.size || length > this.size - offset) {
      throw new EngineError(EngineStatus.INVALID_ARGUMENT, 'buffer copyInto: range is outside the buffer');
    }
    const b = this.b;
    const status = b.copyOut(handle, offset, length, target);
    if (status < 0) b.library.check(status, 'buffer copyInto');
    return length;
  }

  peek(length: number = this.size): Uint8Array {
    return this.copyOut(0, length);
  }

  linearize(length: number): Uint8Array {
    const handle = this.live();
    requireSize(length, 'length');
    const b = this.b;
    const status = b.linearize(handle, length, b.region);
    if (status < 0) b.library.check(status, 'buffer linearize');
    return this.pool.regionView();
  }

  search(needle: Uint8Array, start = 0): number {
    const handle = this.live();
    requireBytes(needle, 'needle');
    requireSize(start, 'start');
    const b = this.b;
    const status = b.search(handle, needle, needle.length, start, b.int64);
    if (status < 0) b.library.check(status, 'buffer search');
    return (b.int64[SEARCH_HIGH] as number) * WORD + ((b.int64[SEARCH_LOW] as number) >>> 0);
  }

  slice(offset: number, length: number, options: PooledBufferOptions = {}): PooledBuffer {
    const handle = this.live();
    requireSize(offset, 'offset');
    requireSize(length, 'length');
    checkWatermarks(options.lowWatermark ?? 0, options.highWatermark ?? 0);
    const b = this.b;
    const status = b.slice(handle, offset, length, b.handleOut);
    if (status < 0) b.library.check(status, 'buffer slice');
    return new NativePooledBuffer(this.pool, b.handleOut[0] as bigint, length, options);
  }

  setWatermarks(low: number, high: number): WatermarkCrossing | null {
    const handle = this.live();
    checkWatermarks(low, high);
    const b = this.b;
    const status = b.setWatermarks(handle, low, high, b.watermark);
    if (status < 0) b.library.check(status, 'buffer setWatermarks');
    return this.crossing();
  }

  getWatermarkState(): WatermarkState {
    const handle = this.live();
    const b = this.b;
    b.library.check(b.watermarks(handle, b.wide), 'buffer watermarks');
    return { low: Number(b.wide[0]), high: Number(b.wide[1]), aboveHigh: b.wide[2] === 1n };
  }

  close(): void {
    const handle = this.handle;
    if (handle === null) return;
    this.handle = null;
    this.size = 0;
    this.b.bufferRegistry.unregister(this);
    this.b.bufferFree(handle);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private live(): bigint {
    if (this.handle === null) throw closedError('buffer');
    return this.handle;
  }

  private crossing(): WatermarkCrossing | null {
    return notifyCrossing(crossingFromCode(this.b.watermark[0] as number), this.listener, this);
  }
}
