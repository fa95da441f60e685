import type { ServerResponse } from 'node:http';
import { sendError } from './rest.js';

/** Path of the SSE endpoint. */
export const EVENTS_PATH = '/eth/v1/events';

/**
 * The open SSE streams of one beacon node (`/eth/v1/events?topics=head`): opened on request, written to at
 * each slot, dropped as a restarting proxy would, or ended when the node closes.
 *
 * @example
 * const streams = new EventStreams();
 * if (streams.open(res, url.searchParams)) console.log('open:', streams.size);
 * streams.write(sseEvent('head', payload));
 */
export class EventStreams {
  private readonly streams = new Set<ServerResponse>();

  /** SSE streams open right now. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Answers an SSE request: 400 without topics or with one other than `head`, else the stream's headers at
   * once. Returns whether the stream opened.
   */
  open(res: ServerResponse, query: URLSearchParams): boolean {
    const topics = query.getAll('topics').flatMap((value) => value.split(','));
    if (topics.length === 0) {
      sendError(res, 400, 'Missing required query parameter: topics');
      return false;
    }
    const unsupported = topics.filter((topic) => topic !== 'head');
    if (unsupported.length > 0) {
      sendError(res, 400, `Unsupported topics: ${unsupported.join(', ')}`);
      return false;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    // Clients wait for the headers to call the stream open; the first event may be a whole slot away.
    res.flushHeaders();
    this.streams.add(res);
    res.once('close', () => this.streams.delete(res));
    return true;
  }

  /** Writes `text` to every open stream; returns how many got it. */
  write(text: string): number {
    for (const stream of this.streams) stream.write(text);
    return this.streams.size;
  }

  /** Destroys every stream now, as a restarting proxy would; returns how many there were. */
  destroy(): number {
    const count = this.streams.size;
    for (const stream of this.streams) stream.destroy();
    // 'close' events arrive a tick later; the count must drop as soon as the streams are gone.
    this.streams.clear();
    return count;
  }

  /** Ends every stream cleanly, so a reader sees it finish rather than a reset. */
  end(): void {
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }
}
