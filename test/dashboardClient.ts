import { createHash } from 'node:crypto';
import { expect } from 'vitest';

/** One Server-Sent Event as the dashboard sends it. */
export interface SseMessage {
  event: string;
  data: unknown;
}

/** An open `…/events` response, read in the background. */
export interface EventStreamReader {
  status: number;
  headers: Headers;
  messages: SseMessage[];
  /** Everything received, comments included. */
  text(): string;
  ended(): boolean;
  /** Goes away, as a closed browser tab. */
  close(): void;
}

/** Reads an event stream response: messages are parsed as they arrive. */
export function readEventStream(res: Response, abort: () => void = () => {}): EventStreamReader {
  const messages: SseMessage[] = [];
  let raw = '';
  let ended = false;
  void (async () => {
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        raw += text;
        buffer += text;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          const event = block.find((line) => line.startsWith('event: '))?.slice(7);
          const data = block.find((line) => line.startsWith('data: '))?.slice(6);
          if (event && data) messages.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // Aborted by close().
    }
    ended = true;
  })();
  return {
    status: res.status,
    headers: res.headers,
    messages,
    text: () => raw,
    ended: () => ended,
    close: () => {
      abort();
      void res.body?.cancel().catch(() => {});
    },
  };
}

/** `fetch` of an event stream that can be closed, as a browser tab would. */
export async function openEventStream(url: string): Promise<EventStreamReader> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  return readEventStream(res, () => controller.abort());
}

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Checks a page's Content-Security-Policy: strict, and each inline `<script>` and `<style>` of the
 * page allowed by its hash (so the browser runs them and nothing else).
 */
export function expectStrictCsp(csp: string | null, page: string): void {
  expect(csp).toBeTruthy();
  const directives = new Map(
    csp!.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
  expect(directives.get('default-src')).toEqual(["'none'"]);
  expect(directives.get('connect-src')).toEqual(["'self'"]);
  expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
  expect(directives.get('base-uri')).toEqual(["'none'"]);
  expect(directives.get('form-action')).toEqual(["'none'"]);
  expect(directives.get('frame-ancestors')).toEqual(["'self'"]);
  expect(csp).not.toContain('unsafe-inline');
  const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  expect(styles.length).toBeGreaterThan(0);
  for (const script of scripts) expect(directives.get('script-src')).toContain(hashOf(script));
  for (const style of styles) expect(directives.get('style-src')).toContain(hashOf(style));
  // No other way in for a script or a style: no src, no inline handler, no style attribute.
  expect(page).not.toMatch(/<script[^>]+src=|<link|\son[a-z]+=|\sstyle=/i);
}
