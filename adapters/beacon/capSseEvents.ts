import type { FetchLike } from 'eventsource';

/**
 * Largest SSE event (or single line) a head stream accepts. A beacon `head` event is under 1 KB; what
 * is bigger is a broken or hostile node, and eventsource 4 (its parser created without
 * `maxBufferSize`) would hold an unfinished line or event in memory however long it grows.
 */
export const MAX_SSE_EVENT_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;

/**
 * Wraps an `eventsource` fetch so that its body ends at the first event over `maxBytes`: the unfinished
 * line plus the event's earlier lines (comments excepted, since the parser drops them), which is what
 * the SSE parser would buffer. `onOverflow` hears why first; then the body errors, which releases the
 * connection and what was buffered.
 *
 * @example
 * const fetch = capSseEvents(http.eventSourceFetch(request, onBytes), MAX_SSE_EVENT_BYTES, (detail) =>
 *   stop(new StreamError(label, 'malformed', detail)),
 * );
 * new EventSource(url, { fetch });
 */
export function capSseEvents(
  fetch: FetchLike,
  maxBytes: number,
  onOverflow: (detail: string) => void,
): FetchLike {
  return async (url, init) => {
    const response = await fetch(url, init);
    const body = response.body as ReadableStream<Uint8Array> | null;
    const { status, url: finalUrl, redirected, headers } = response;
    return {
      status,
      url: finalUrl,
      redirected,
      headers,
      body: body?.pipeThrough(sizeGuard(maxBytes, onOverflow)) ?? null,
    };
  };
}

function sizeGuard(maxBytes: number, onOverflow: (detail: string) => void): TransformStream<Uint8Array> {
  // Complete lines of the event being received (comments excepted), and the line being received.
  let eventBytes = 0;
  let lineBytes = 0;
  let comment = false;
  let afterCR = false;
  return new TransformStream({
    transform(chunk, controller) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!;
        // CRLF is one line end.
        if (byte === LF && afterCR) {
          afterCR = false;
          continue;
        }
        afterCR = byte === CR;
        if (byte === LF || byte === CR) {
          // A blank line dispatches the event.
          if (lineBytes === 0) eventBytes = 0;
          else if (!comment) eventBytes += lineBytes;
          lineBytes = 0;
          comment = false;
        } else {
          if (lineBytes === 0) comment = byte === COLON;
          lineBytes += 1;
        }
      }
      if (eventBytes + lineBytes > maxBytes) {
        const detail = `SSE ${lineBytes > maxBytes ? 'line' : 'event'} over ${maxBytes} bytes`;
        onOverflow(detail);
        controller.error(new Error(detail));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}
