import {
  AwaitingResponses,
  errorView,
  LazyAbort,
  ManualClock,
  type MessageView,
  ObjectMessageView,
} from '@gopher-mcp/core';
import { describe, expect, it } from 'vitest';

import { Sequencer } from '../src/sequencer.js';

describe('Sequencer', () => {
  it('lets each ticket go only after every earlier one was released, whatever order they finish in', async () => {
    const sequencer = new Sequencer();
    const tickets = [sequencer.take(), sequencer.take(), sequencer.take(), sequencer.take()];
    const order: number[] = [];
    const turns = tickets.map((ticket, index) =>
      ticket.turn.then(() => {
        order.push(index);
        ticket.release();
      }),
    );
    // Nothing but the first may go before anything is released.
    await Promise.resolve();
    await Promise.all(turns);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(sequencer.size).toBe(0);
  });

  it('holds a later ticket while an earlier one is out, even when the later one is released first', async () => {
    const sequencer = new Sequencer();
    const first = sequencer.take();
    const second = sequencer.take();
    const third = sequencer.take();
    let thirdWent = false;
    void third.turn.then(() => {
      thirdWent = true;
    });
    second.release(); // refused early: it will never be handed on
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(thirdWent).toBe(false);
    first.release();
    first.release(); // harmless twice
    await third.turn;
    expect(thirdWent).toBe(true);
    third.release();
    expect(sequencer.size).toBe(0);
  });
});

describe('LazyAbort', () => {
  it('makes its signal on first read and aborts it, before or after', () => {
    const early = new LazyAbort();
    const signal = early.signal;
    expect(signal.aborted).toBe(false);
    early.abort(new Error('closed'));
    expect(signal.aborted).toBe(true);
    expect(early.signal).toBe(signal);
    const late = new LazyAbort();
    late.abort(new Error('closed'));
    expect(late.signal.aborted).toBe(true);
    expect((late.signal.reason as Error).message).toBe('closed');
  });
});

describe('AwaitingResponses', () => {
  const request = (id: number): MessageView => new ObjectMessageView({ jsonrpc: '2.0', id, method: 'tools/call', params: {} });
  const result = (id: number): MessageView => new ObjectMessageView({ jsonrpc: '2.0', id, result: {} });

  it('settles a wait with its response, and recognises a response after a timeout as late', async () => {
    const clock = new ManualClock();
    const awaiting = new AwaitingResponses(clock, 100);
    const abortA = new LazyAbort();
    const a = awaiting.wait('a', abortA, (reason) => errorView(request(1), 504, reason));
    const b = awaiting.wait('b', new LazyAbort(), (reason) => errorView(request(2), 504, reason));
    expect(awaiting.settle('b', result(2))).toBe('settled');
    expect((await b).kind).toBe('result');
    clock.advance(100);
    const timedOut = await a;
    expect(timedOut.error).toEqual({ code: 504, message: 'timeout' });
    expect(abortA.aborted).toBe(true);
    expect(abortA.signal.aborted).toBe(true); // made after the abort: already aborted
    expect(awaiting.settle('a', result(1))).toBe('late');
    expect(awaiting.settle('a', result(1))).toBe('none');
    expect(awaiting.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('releases every wait at close, and treats a response that comes afterwards as late', async () => {
    const awaiting = new AwaitingResponses(new ManualClock(), 0);
    const waits = [1, 2].map((id) => awaiting.wait(`k${id}`, new LazyAbort(), (reason) => errorView(request(id), 503, reason)));
    awaiting.releaseAll('closed');
    expect((await Promise.all(waits)).map((w) => w.error?.message)).toEqual(['closed', 'closed']);
    expect(awaiting.settle('k1', result(1))).toBe('late');
    expect(awaiting.release('k1', 'cancelled')).toBe(false);
    // A request that could not be sent is not waited for any more, and nothing of it is remembered.
    const unsent = awaiting.wait('k3', new LazyAbort(), (reason) => errorView(request(3), 503, reason));
    expect(awaiting.release('k3', 'unsent')).toBe(true);
    expect((await unsent).error?.message).toBe('unsent');
    expect(awaiting.settle('k3', result(3))).toBe('none');
  });
});
