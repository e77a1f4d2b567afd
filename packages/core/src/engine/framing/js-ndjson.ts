import { closedError, requireBytes } from '../buffers/arguments.js';
import { ByteCarry } from './byte-carry.js';
import { asBuffer } from './chunk.js';
import type { Framer, FrameEvent } from './types.js';

const LF = 0x0a;
const CR = 0x0d;

/** The JS twin of the native NDJSON framer (same algorithm as `gmcp::framing::NdjsonFramer`). */
export class JsNdjsonFramer implements Framer {
  readonly kind = 'ndjson';
  private readonly carry = new ByteCarry();
  private overflow = false;
  private overflowCount = 0;
  private overflowLastCr = false;
  private isClosed = false;

  constructor(readonly maxFrameSize: number) {}

  get closed(): boolean {
    return this.isClosed;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    this.open();
    requireBytes(chunk, 'chunk');
    const events: FrameEvent[] = [];
    const bytes = asBuffer(chunk);
    const length = chunk.length;
    let pos = 0;
    while (pos < length) {
      const newline = bytes.indexOf(LF, pos);
      if (newline < 0) {
        this.absorb(chunk, pos, length);
        break;
      }
      this.finishLine(chunk, pos, newline, events);
      pos = newline + 1;
    }
    return events;
  }

  end(): FrameEvent[] {
    this.open();
    const events: FrameEvent[] = [];
    const limit = this.maxFrameSize;
    if (this.overflow) {
      events.push({ type: 'oversize', size: this.overflowCount, limit });
      events.push({ type: 'malformed', reason: 'truncated' });
    } else if (this.carry.length > 0) {
      if (this.carry.length > limit) events.push({ type: 'oversize', size: this.carry.length, limit });
      events.push({ type: 'malformed', reason: 'truncated' });
    }
    this.carry.clear();
    this.overflow = false;
    this.overflowCount = 0;
    this.overflowLastCr = false;
    return events;
  }

  close(): void {
    this.isClosed = true;
    this.carry.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private open(): void {
    if (this.isClosed) throw closedError('framer');
  }

  /** Keeps the bytes of a line that has not ended (only counting them once it is too long). */
  private absorb(chunk: Uint8Array, start: number, end: number): void {
    const lastCr = chunk[end - 1] === CR;
    const length = end - start;
    if (this.overflow) {
      this.overflowCount += length;
      this.overflowLastCr = lastCr;
    } else if (this.carry.length + length > this.maxFrameSize + 1) {
      this.overflow = true;
      this.overflowCount = this.carry.length + length;
      this.overflowLastCr = lastCr;
      this.carry.clear();
    } else {
      this.carry.append(chunk, start, end);
    }
  }

  private finishLine(chunk: Uint8Array, start: number, end: number, events: FrameEvent[]): void {
    const limit = this.maxFrameSize;
    const segmentLength = end - start;
    if (this.overflow) {
      const cr = segmentLength > 0 ? chunk[end - 1] === CR : this.overflowLastCr;
      events.push({ type: 'oversize', size: this.overflowCount + segmentLength - (cr ? 1 : 0), limit });
      this.overflow = false;
      this.overflowCount = 0;
      this.overflowLastCr = false;
      return;
    }
    const carried = this.carry.length;
    if (carried === 0) {
      let size = segmentLength;
      if (size > 0 && chunk[end - 1] === CR) size--;
      if (size === 0) return;
      if (size > limit) {
        events.push({ type: 'oversize', size, limit });
      } else {
        events.push({ type: 'frame', data: chunk.subarray(start, start + size) });
      }
      return;
    }
    const cr = segmentLength > 0 ? chunk[end - 1] === CR : this.carry.last() === CR;
    const size = carried + segmentLength - (cr ? 1 : 0);
    if (size === 0) {
      this.carry.clear();
    } else if (size > limit) {
      this.carry.clear();
      events.push({ type: 'oversize', size, limit });
    } else {
      if (size > carried) this.carry.append(chunk, start, start + (size - carried));
      events.push({ type: 'frame', data: this.carry.take(size) });
    }
  }
}
