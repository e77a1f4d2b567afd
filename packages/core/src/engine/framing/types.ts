/**
 * Incremental framing of byte streams, identical in both engines:
 *
 * - `ndjson`: a frame ends at `\n`; one `\r` before it is stripped; empty lines are skipped. A line
 *   longer than `maxFrameSize` is skipped as it arrives (never buffered) and reported as `oversize`
 *   with its full size (without `\r\n`) when its `\n` arrives.
 * - `content-length` (LSP style): header lines `Name: value\r\n` (names case-insensitive; headers
 *   other than Content-Length are ignored), an empty line `\r\n`, then exactly Content-Length
 *   bytes. Empty lines before a header block are skipped. A declared length above `maxFrameSize`
 *   is reported as `oversize` at once (size = the declared length) and its body skipped without
 *   buffering. A malformed header block is reported as `malformed`, then the framer skips lines
 *   until one that starts with `Content-Length:` (case-insensitive) and resumes there. A header
 *   block longer than {@link MAX_HEADER_BYTES} is malformed (`header-too-long`).
 *
 * Chunks may split the stream anywhere (inside a UTF-8 sequence, between `\r` and `\n`): the events
 * are the same whatever the split. A frame lying entirely in the pushed chunk is a view of that
 * chunk (no copy), so do not modify a chunk whose frames you still use; a frame that spans chunks
 * is a fresh copy.
 */

/** The framing a {@link Framer} applies. */
export type FramingKind = 'ndjson' | 'content-length';

/** Why a part of the stream was rejected. */
export type MalformedReason =
  /** `end()` came inside a frame (a line without `\n`, unfinished headers or body). */
  | 'truncated'
  /** A header line that is not `token: value\r\n`. */
  | 'invalid-header-line'
  /** A Content-Length value that is not 1 to 16 decimal digits up to 2^53 - 1 (blanks around it allowed). */
  | 'invalid-content-length'
  /** Two Content-Length headers in one block. */
  | 'duplicate-content-length'
  /** A header block without Content-Length. */
  | 'missing-content-length'
  /** A header block longer than {@link MAX_HEADER_BYTES}. */
  | 'header-too-long';

/** A complete frame (without its delimiter or headers). */
export interface FrameDataEvent {
  readonly type: 'frame';
  readonly data: Uint8Array;
}

/** A frame over the limit, skipped without buffering. */
export interface FrameOversizeEvent {
  readonly type: 'oversize';
  /** Its size: the declared Content-Length, or the NDJSON line length (bytes so far at `end()`). */
  readonly size: number;
  /** The framer's `maxFrameSize`. */
  readonly limit: number;
}

/** A part of the stream that is not a valid frame. */
export interface FrameMalformedEvent {
  readonly type: 'malformed';
  readonly reason: MalformedReason;
}

/** What a push or end reports, in stream order. */
export type FrameEvent = FrameDataEvent | FrameOversizeEvent | FrameMalformedEvent;

/** Options of {@link FramingEngine.createFramer}. */
export interface FramerOptions {
  readonly kind: FramingKind;
  /** The largest frame accepted, 1 to 2^30 bytes (default {@link DEFAULT_MAX_FRAME_SIZE}). */
  readonly maxFrameSize?: number;
}

/** An incremental framer. */
export interface Framer extends Disposable {
  readonly kind: FramingKind;
  readonly maxFrameSize: number;
  /** True once {@link close} was called. */
  readonly closed: boolean;
  /** Frames the next chunk of the stream. */
  push(chunk: Uint8Array): FrameEvent[];
  /**
   * Ends the stream: reports an unfinished frame (`oversize` first if an NDJSON line was already
   * too long, then `malformed` `truncated`) and resets the framer, ready for a new stream.
   */
  end(): FrameEvent[];
  /** Frees the framer. Idempotent; other calls then throw `EngineError(STATE)`. */
  close(): void;
}

/** The framing primitives of the engine. */
export interface FramingEngine {
  /** Creates an incremental framer. */
  createFramer(options: FramerOptions): Framer;
}

/** The default `maxFrameSize`: 4 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024;
/** The largest `maxFrameSize` accepted (`GMCP_FRAMING_MAX_FRAME_SIZE`). */
export const MAX_FRAME_SIZE = 2 ** 30;
/** The longest Content-Length header block, CRLFs included (`GMCP_FRAMING_MAX_HEADER_BYTES`). */
export const MAX_HEADER_BYTES = 8192;
