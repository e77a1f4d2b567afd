import { closedError, requireBytes } from '../buffers/arguments.js';
import { EngineError, EngineStatus } from '../errors.js';
import { EVENT_CAPACITY, EVENT_WORDS, type FramingBindings } from './native-bindings.js';
import { highWord, lowWord, WORD } from '../buffers/words.js';
import { MALFORMED_REASONS } from './reasons.js';
import type { Framer, FrameEvent, FramingKind } from './types.js';

const EVENT_FRAME = 1;
const EVENT_SPILL_FRAME = 2;
const EVENT_OVERSIZE = 3;
/** Word offsets in a `gmcp_frame_event` (type, reserved, a, b) and a `gmcp_framer_result`. */
const A_LOW = lowWord(1);
const A_HIGH = highWord(1);
const B_LOW = lowWord(2);
const B_HIGH = highWord(2);
const CONSUMED_LOW = lowWord(0);
const CONSUMED_HIGH = highWord(0);
const COUNT_LOW = lowWord(1);
const SPILL_LOW = lowWord(2);
const SPILL_HIGH = highWord(2);

/**
 * A {@link Framer} owning a native `gmcp_framer`. One push is one native call per
 * {@link EVENT_CAPACITY} events, plus one copy call when a frame spans chunks.
 */
export class NativeFramer implements Framer {
  private handle: bigint | null;

  constructor(
    private readonly b: FramingBindings,
    readonly kind: FramingKind,
    readonly maxFrameSize: number,
  ) {
    b.library.check(b.framerNew(kind === 'ndjson' ? 1 : 2, maxFrameSize, b.handleOut), 'framer new');
    const handle = b.handleOut[0] as bigint;
    this.handle = handle;
    b.registry.register(this, handle, this);
  }

  get closed(): boolean {
    return this.handle === null;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const handle = this.live();
    requireBytes(chunk, 'chunk');
    const b = this.b;
    const events: FrameEvent[] = [];
    let base = 0;
    let view = chunk;
    for (;;) {
      const status = b.push(handle, view, view.length, b.events, EVENT_CAPACITY, b.result);
      if (status < 0) b.library.check(status, 'framer push');
      const r = b.result;
      const consumed = (r[CONSUMED_LOW] as number) + (r[CONSUMED_HIGH] as number) * WORD;
      const spillLength = (r[SPILL_LOW] as number) + (r[SPILL_HIGH] as number) * WORD;
      let spill: Buffer | undefined;
      if (spillLength > 0) {
        spill = Buffer.allocUnsafe(spillLength);
        const copied = b.readSpill(handle, spill, spillLength);
        if (copied < 0) b.library.check(copied, 'framer read_spill');
      }
      const count = r[COUNT_LOW] as number;
      if (consumed === 0 && count === 0 && view.length > 0) {
        throw new EngineError(EngineStatus.INTERNAL, 'framer push made no progress');
      }
      this.decode(count, chunk, base, spill, events);
      base += consumed;
      if (base >= chunk.length) return events;
      view = chunk.subarray(base);
    }
  }

  end(): FrameEvent[] {
    const handle = this.live();
    const b = this.b;
    const status = b.end(handle, b.events, EVENT_CAPACITY, b.result);
    if (status < 0) b.library.check(status, 'framer end');
    const events: FrameEvent[] = [];
    this.decode(b.result[COUNT_LOW] as number, new Uint8Array(0), 0, undefined, events);
    return events;
  }

  close(): void {
    const handle = this.handle;
    if (handle === null) return;
    this.handle = null;
    this.b.registry.unregister(this);
    this.b.framerFree(handle);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private live(): bigint {
    if (this.handle === null) throw closedError('framer');
    return this.handle;
  }

  /** Turns the `count` native events in the scratch array into JS events. */
  private decode(count: number, chunk: Uint8Array, base: number, spill: Buffer | undefined, out: FrameEvent[]): void {
    const e = this.b.events;
    for (let i = 0, w = 0; i < count; i++, w += EVENT_WORDS) {
      const type = e[w] as number;
      const a = (e[w + A_LOW] as number) + (e[w + A_HIGH] as number) * WORD;
      const size = (e[w + B_LOW] as number) + (e[w + B_HIGH] as number) * WORD;
      if (type === EVENT_FRAME) {
        out.push({ type: 'frame', data: chunk.subarray(base + a, base + a + size) });
      } else if (type === EVENT_SPILL_FRAME) {
        if (spill === undefined) throw new EngineError(EngineStatus.INTERNAL, 'framer push: a spill frame without spill bytes');
        out.push({ type: 'frame', data: spill });
      } else if (type === EVENT_OVERSIZE) {
        out.push({ type: 'oversize', size: a, limit: size });
      } else {
        out.push({ type: 'malformed', reason: MALFORMED_REASONS[a] ?? 'truncated' });
      }
    }
  }
}
