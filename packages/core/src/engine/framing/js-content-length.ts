import { closedError, requireBytes } from '../buffers/arguments.js';
import { ByteCarry } from './byte-carry.js';
import { asBuffer } from './chunk.js';
import { classifyHeaderLine, CONTENT_LENGTH_PREFIX, lowerByte } from './header-line.js';
import { MAX_HEADER_BYTES, type Framer, type FrameEvent, type MalformedReason } from './types.js';

const LF = 0x0a;

type State = 'headers' | 'body' | 'skip' | 'resync';

/** The JS twin of the native Content-Length framer (same algorithm as `gmcp::framing::ContentLengthFramer`). */
export class JsContentLengthFramer implements Framer {
  readonly kind = 'content-length';
  private state: State = 'headers';
  /** The header line being read when it spans chunks. */
  private readonly line = new ByteCarry();
  private headerBytes = 0;
  private sawHeader = false;
  private contentLength = -1;
  private readonly body = new ByteCarry();
  private remaining = 0;
  private resyncMatched = 0;
  private resyncDiscard = false;
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
      switch (this.state) {
        case 'headers':
          pos = this.stepHeaders(chunk, bytes, pos, events);
          break;
        case 'body':
          pos = this.stepBody(chunk, pos, events);
          break;
        case 'skip':
          pos = this.stepSkip(pos, length);
          break;
        case 'resync':
          pos = this.stepResync(chunk, bytes, pos);
          break;
      }
    }
    return events;
  }

  end(): FrameEvent[] {
    this.open();
    const unfinished = (this.state === 'headers' && this.headerBytes > 0) || this.state === 'body' || this.state === 'skip';
    this.state = 'headers';
    this.resetBlock();
    this.body.clear();
    this.remaining = 0;
    this.resyncMatched = 0;
    this.resyncDiscard = false;
    return unfinished ? [{ type: 'malformed', reason: 'truncated' }] : [];
  }

  close(): void {
    this.isClosed = true;
    this.line.clear();
    this.body.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private open(): void {
    if (this.isClosed) throw closedError('framer');
  }

  private resetBlock(): void {
    this.line.clear();
    this.headerBytes = 0;
    this.sawHeader = false;
    this.contentLength = -1;
  }

  private reject(reason: MalformedReason, discardLine: boolean, events: FrameEvent[]): void {
    events.push({ type: 'malformed', reason });
    this.resetBlock();
    this.state = 'resync';
    this.resyncMatched = 0;
    this.resyncDiscard = discardLine;
  }

  private stepHeaders(chunk: Uint8Array, bytes: Buffer, pos: number, events: FrameEvent[]): number {
    const newline = bytes.indexOf(LF, pos);
    const lineEnd = newline < 0 ? chunk.length : newline;
    const segment = lineEnd - pos;
    if (this.headerBytes + segment + (newline < 0 ? 0 : 1) > MAX_HEADER_BYTES) {
      this.reject('header-too-long', true, events);
      return pos;
    }
    if (newline < 0) {
      this.line.append(chunk, pos, lineEnd);
      this.headerBytes += segment;
      return lineEnd;
    }
    this.headerBytes += segment + 1;
    if (this.line.length === 0) {
      this.headerLine(chunk, pos, lineEnd, chunk, lineEnd + 1, events);
    } else {
      this.line.append(chunk, pos, lineEnd);
      const line = this.line.take(this.line.length);
      this.headerLine(line, 0, line.length, chunk, lineEnd + 1, events);
    }
    return lineEnd + 1;
  }

  /** Handles one complete header line; a 0-byte body is a view of `chunk` at `next` (as in the native engine). */
  private headerLine(
    line: Uint8Array,
    start: number,
    end: number,
    chunk: Uint8Array,
    next: number,
    events: FrameEvent[],
  ): void {
    const kind = classifyHeaderLine(line, start, end);
    switch (kind.kind) {
      case 'malformed':
        this.reject(kind.reason, false, events);
        return;
      case 'header':
        this.sawHeader = true;
        return;
      case 'content-length':
        if (this.contentLength >= 0) {
          this.reject('duplicate-content-length', false, events);
          return;
        }
        this.contentLength = kind.value;
        this.sawHeader = true;
        return;
      case 'blank':
        break;
    }
    if (!this.sawHeader) {
      this.headerBytes = 0; // an empty line between messages
      return;
    }
    if (this.contentLength < 0) {
      this.reject('missing-content-length', false, events);
      return;
    }
    const declared = this.contentLength;
    this.resetBlock();
    if (declared > this.maxFrameSize) {
      events.push({ type: 'oversize', size: declared, limit: this.maxFrameSize });
      this.state = 'skip';
      this.remaining = declared;
    } else if (declared === 0) {
      events.push({ type: 'frame', data: chunk.subarray(next, next) });
    } else {
      this.state = 'body';
      this.remaining = declared;
    }
  }

  private stepBody(chunk: Uint8Array, pos: number, events: FrameEvent[]): number {
    const available = chunk.length - pos;
    if (this.body.length === 0 && available >= this.remaining) {
      const size = this.remaining;
      events.push({ type: 'frame', data: chunk.subarray(pos, pos + size) });
      this.state = 'headers';
      this.remaining = 0;
      return pos + size;
    }
    const take = Math.min(available, this.remaining);
    this.body.append(chunk, pos, pos + take);
    this.remaining -= take;
    if (this.remaining === 0) {
      events.push({ type: 'frame', data: this.body.take(this.body.length) });
      this.state = 'headers';
    }
    return pos + take;
  }

  private stepSkip(pos: number, length: number): number {
    const take = Math.min(length - pos, this.remaining);
    this.remaining -= take;
    if (this.remaining === 0) this.state = 'headers';
    return pos + take;
  }

  private stepResync(chunk: Uint8Array, bytes: Buffer, pos: number): number {
    const length = chunk.length;
    if (this.resyncDiscard) {
      const newline = bytes.indexOf(LF, pos);
      if (newline < 0) return length;
      this.resyncDiscard = false;
      this.resyncMatched = 0;
      return newline + 1;
    }
    const prefix = CONTENT_LENGTH_PREFIX;
    while (pos < length && this.resyncMatched < prefix.length) {
      const c = chunk[pos] as number;
      if (c === LF) {
        this.resyncMatched = 0;
        pos++;
        continue;
      }
      if (lowerByte(c) !== prefix[this.resyncMatched]) {
        this.resyncDiscard = true;
        this.resyncMatched = 0;
        return pos;
      }
      this.resyncMatched++;
      pos++;
    }
    if (this.resyncMatched === prefix.length) {
      this.resyncMatched = 0;
      this.state = 'headers';
      this.resetBlock();
      this.line.append(prefix, 0, prefix.length);
      this.headerBytes = prefix.length;
    }
    return pos;
  }
}
