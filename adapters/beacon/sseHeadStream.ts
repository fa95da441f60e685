import { EventSource } from 'eventsource';
import { type Endpoint, type HeadStream, type HeadStreamHooks, PushQueue } from '../../src/adapter.js';
import { StreamError } from '../../src/index.js';
import { type BeaconHttp, beaconRequest } from './BeaconHttp.js';
import { BeaconDataError, type BeaconHead, parseHeadEvent } from './beaconHead.js';
import { capSseEvents, MAX_SSE_EVENT_BYTES } from './capSseEvents.js';

/** Heads a stream holds for a consumer that has not caught up; the monitor reads them at once. */
const STREAM_BUFFER = 16;

/**
 * `eventsource` hands each event type to its own listeners, so an event nobody listens for would pass
 * unseen. Seeing every dispatch lets the stream refuse topics it did not subscribe to.
 */
class ObservedEventSource extends EventSource {
  constructor(
    url: string,
    init: ConstructorParameters<typeof EventSource>[1],
    private readonly observe: (event: Event) => void,
  ) {
    super(url, init);
  }

  override dispatchEvent(event: Event): boolean {
    this.observe(event);
    return super.dispatchEvent(event);
  }
}

/**
 * The beacon node's `head` events over Server-Sent Events (`GET /eth/v1/events?topics=head`), one
 * `eventsource` connection per `open`. It never reconnects by itself: any failure ends the iterator with
 * a `StreamError` (a non-200 answer, a broken or closed connection, malformed data, an event or line over
 * 1 MiB, an event of another topic) and the monitor decides when to retry.
 *
 * @example
 * const stream = sseHeadStream(new BeaconHttp({ connectTimeoutMs: 5000, bodyTimeoutMs: 30_000 }));
 * for await (const head of stream.open(endpoint, signal)) console.log(head.slot);
 */
export function sseHeadStream(http: BeaconHttp): HeadStream<BeaconHead> {
  return {
    open(endpoint: Endpoint, signal: AbortSignal, hooks?: HeadStreamHooks): AsyncIterable<BeaconHead> {
      const queue = new PushQueue<BeaconHead>(STREAM_BUFFER);
      const label = endpoint.label;
      let source: EventSource | undefined;
      const stop = (failure?: StreamError) => {
        queue.end(failure);
        // After a lost connection, eventsource arms its own reconnect timer right after dispatching
        // `error`; closing a microtask later clears that timer too.
        queueMicrotask(() => source?.close());
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => stop();
      const observe = (event: Event) => {
        if (queue.ended) return;
        switch (event.type) {
          case 'open':
            hooks?.onOpen();
            return;
          case 'error':
            stop(streamErrorOf(label, event as Event & { code?: number; message?: string }));
            return;
          case 'head':
            try {
              queue.push(parseHeadEvent(String((event as MessageEvent).data)));
            } catch (error) {
              const detail = error instanceof BeaconDataError ? error.message : 'unreadable head event';
              stop(new StreamError(label, 'malformed', detail));
            }
            return;
          default:
            stop(
              new StreamError(
                label,
                'unexpected-event',
                `got a "${event.type}" event on a head subscription`,
              ),
            );
        }
      };
      if (signal.aborted) queue.end();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        const request = beaconRequest(endpoint, 'eth/v1/events?topics=head');
        const fetch = capSseEvents(
          http.eventSourceFetch(request, () => hooks?.onActivity()),
          MAX_SSE_EVENT_BYTES,
          (detail) => stop(new StreamError(label, 'malformed', detail)),
        );
        source = new ObservedEventSource(request.url, { fetch }, observe);
      }
      return {
        [Symbol.asyncIterator]: () => {
          const inner = queue[Symbol.asyncIterator]();
          return {
            next: () => inner.next(),
            return: () => {
              stop();
              return Promise.resolve({ value: undefined, done: true });
            },
          };
        },
      };
    },
  };
}

function streamErrorOf(label: string, event: { code?: number; message?: string }): StreamError {
  if (typeof event.code === 'number') {
    return new StreamError(label, 'http-status', event.message ?? `HTTP ${event.code}`, event.code);
  }
  // eventsource reports a normal end of the body as an error without a message.
  if (!event.message) return new StreamError(label, 'ended', 'the node closed the stream');
  // eventsource flattens the fetch error to "TypeError: fetch failed: …"; the class name says nothing.
  return new StreamError(label, 'network', event.message.replace(/^\w*Error: /, ''));
}
