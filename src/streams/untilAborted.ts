/**
 * Iterates `stream` until it ends or `signal` aborts, whichever comes first: a stream implementation
 * that ignores its signal must not keep a superseded connection's loop, or `close()`, waiting forever.
 *
 * @example
 * for await (const head of untilAborted(stream.open(endpoint, signal), signal)) accept(head);
 */
export async function* untilAborted<T>(stream: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = stream[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    onAbort = () => resolve({ value: undefined, done: true });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  let finished = false;
  try {
    while (true) {
      const result = await Promise.race([iterator.next(), aborted]);
      if (result.done) {
        finished = !signal.aborted;
        return;
      }
      yield result.value;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // Not awaited when aborted: a stuck iterator must not hold us; its own signal tells it to let go.
    if (!finished) iterator.return?.().catch(() => undefined);
  }
}
