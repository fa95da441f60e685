import { describe, expect, it } from 'vitest';
import { SharedAttemptSignals } from './SharedAttemptSignals.js';

/** A request that settles when the test says so, recording the signal it was sent under. */
function deferred() {
  let resolve!: (value: string) => void;
  const request = {
    signal: undefined as AbortSignal | undefined,
    promise: new Promise<string>((r) => (resolve = r)),
  };
  return {
    request,
    send: (shared: AbortSignal) => {
      request.signal = shared;
      return request.promise;
    },
    answer: (value: string) => resolve(value),
  };
}

describe('SharedAttemptSignals', () => {
  it('gives concurrent attempts on one endpoint one signal, and another endpoint its own', async () => {
    const signals = new SharedAttemptSignals();
    const [a1, a2, b] = [deferred(), deferred(), deferred()];
    const runs = [
      signals.run('a', new AbortController().signal, a1.send),
      signals.run('a', new AbortController().signal, a2.send),
      signals.run('b', new AbortController().signal, b.send),
    ];
    expect(a1.request.signal).toBe(a2.request.signal);
    expect(b.request.signal).not.toBe(a1.request.signal);
    a1.answer('1');
    a2.answer('2');
    b.answer('3');
    expect(await Promise.all(runs)).toEqual(['1', '2', '3']);
  });

  it('ends an aborted attempt at once, and stops the shared requests when its last sibling ends', async () => {
    const signals = new SharedAttemptSignals();
    const [loser, sibling] = [deferred(), deferred()];
    const loserAttempt = new AbortController();
    const lost = signals.run('a', loserAttempt.signal, loser.send);
    const kept = signals.run('a', new AbortController().signal, sibling.send);
    loserAttempt.abort(new Error('lost the hedge'));
    await expect(lost).rejects.toThrow('lost the hedge');
    // The sibling still waits on the same request (in a batch, the same HTTP request).
    expect(loser.request.signal!.aborted).toBe(false);
    sibling.answer('ok');
    expect(await kept).toBe('ok');
    expect(loser.request.signal!.aborted).toBe(true);
    // The next attempt gets a live signal.
    const next = deferred();
    const run = signals.run('a', new AbortController().signal, next.send);
    expect(next.request.signal!.aborted).toBe(false);
    next.answer('again');
    expect(await run).toBe('again');
  });

  it('reuses one signal for attempts one after another that all answered', async () => {
    const signals = new SharedAttemptSignals();
    const seen = new Set<AbortSignal>();
    for (let i = 0; i < 3; i++) {
      const call = deferred();
      const run = signals.run('a', new AbortController().signal, call.send);
      seen.add(call.request.signal!);
      call.answer(String(i));
      await run;
    }
    expect(seen.size).toBe(1);
  });

  it('passes a failed request on to its attempt', async () => {
    const signals = new SharedAttemptSignals();
    await expect(
      signals.run('a', new AbortController().signal, () => Promise.reject(new Error('HTTP 503'))),
    ).rejects.toThrow('HTTP 503');
    await expect(
      signals.run('a', AbortSignal.abort(new Error('already gone')), () => Promise.resolve('never')),
    ).rejects.toThrow('already gone');
  });
});
