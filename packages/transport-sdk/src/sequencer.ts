/** A place in a {@link Sequencer}'s line. */
export interface Ticket {
  /** Resolves once every earlier ticket was released. */
  readonly turn: Promise<void>;
  /** True once every earlier ticket was released (no need to wait for {@link turn}). */
  readonly ready: boolean;
  /** Marks this ticket done (its message was handed on, or will never be); harmless twice. */
  release(): void;
}

const resolved: Promise<void> = Promise.resolve();

/**
 * Keeps messages in the order they entered while their filters run concurrently: each message
 * takes a ticket on entry, waits for its turn before it is handed on, and releases its ticket once
 * handed on (or refused). A message whose filters finish early waits for the earlier ones; one
 * whose filters are slow holds back only the messages behind it, never the filters themselves.
 * Costs no promise while messages do not overlap.
 */
export class Sequencer {
  private next = 0;
  /** The smallest ticket not yet released (`next` when all are). */
  private lowest = 0;
  private readonly unreleased = new Set<number>();
  /** Tickets waiting for their turn, in increasing order. */
  private readonly waiters = new Map<number, () => void>();

  /** Tickets taken and not yet released. */
  get size(): number {
    return this.unreleased.size;
  }

  /** Takes the next ticket. */
  take(): Ticket {
    const seq = this.next++;
    this.unreleased.add(seq);
    const turn =
      this.lowest === seq
        ? resolved
        : new Promise<void>((resolve) => {
            this.waiters.set(seq, resolve);
          });
    return new SequencerTicket(this, seq, turn);
  }

  /** True once every ticket before `seq` was released. */
  isReady(seq: number): boolean {
    return this.lowest >= seq;
  }

  /** Releases ticket `seq` (once). */
  release(seq: number): void {
    if (!this.unreleased.delete(seq)) return;
    while (this.lowest < this.next && !this.unreleased.has(this.lowest)) this.lowest++;
    for (const [waiting, resolve] of this.waiters) {
      if (waiting > this.lowest) break;
      this.waiters.delete(waiting);
      resolve();
    }
  }
}

class SequencerTicket implements Ticket {
  constructor(
    private readonly sequencer: Sequencer,
    private readonly seq: number,
    readonly turn: Promise<void>,
  ) {}

  get ready(): boolean {
    return this.sequencer.isReady(this.seq);
  }

  release(): void {
    this.sequencer.release(this.seq);
  }
}
