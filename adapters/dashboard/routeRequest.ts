import type { DashboardHub } from './DashboardHub.js';
import { renderPage } from './pageHtml.js';
import { SECURITY_HEADERS } from './securityHeaders.js';

/** What a request asks for, read from the end of its path, so any mount point works. */
export type DashboardRoute = 'page' | 'status' | 'events';

/** A response the Node and Fetch handlers write each in their own way. */
export type DashboardReply = BodyReply | { kind: 'events'; status: 200; headers: Record<string, string> };

/** A reply with a whole body: the page, the JSON, an error. */
export interface BodyReply {
  kind: 'body';
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The route of a path: `…/status.json`, `…/events`, else the page (the mount path itself, with or
 * without a trailing slash, or a path Express has already stripped to `/`).
 *
 * @example
 * routeOf('/admin/switchyard/status.json'); // 'status'
 * routeOf('/switchyard'); // 'page'
 */
export function routeOf(pathname: string): DashboardRoute {
  if (pathname.endsWith('/status.json')) return 'status';
  if (pathname.endsWith('/events')) return 'events';
  return 'page';
}

const plain = (status: number, body: string, extra: Record<string, string> = {}): BodyReply => ({
  kind: 'body',
  status,
  headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', ...extra },
  body: `${body}\n`,
});

/** The reply to a request that authorize() turned away. */
export const FORBIDDEN = plain(403, 'forbidden');

/**
 * Decides the reply to an authorized request: 405 for anything but GET and HEAD, 503 once the
 * dashboard is closed, else the page, the JSON or an event stream. Every reply carries the
 * security headers.
 *
 * @example
 * const reply = routeRequest(hub, 'GET', '/switchyard/status.json'); // { kind: 'body', status: 200, ... }
 */
export function routeRequest(hub: DashboardHub, method: string, pathname: string): DashboardReply {
  if (method !== 'GET' && method !== 'HEAD')
    return plain(405, 'method not allowed: use GET', { allow: 'GET, HEAD' });
  if (hub.closed) return plain(503, 'the dashboard is closed');
  switch (routeOf(pathname)) {
    case 'status':
      return {
        kind: 'body',
        status: 200,
        headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' },
        body: hub.snapshotJson(),
      };
    case 'events':
      return {
        kind: 'events',
        status: 200,
        // no-transform: a compressing proxy would hold the stream back.
        headers: {
          ...SECURITY_HEADERS,
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store, no-transform',
          'x-accel-buffering': 'no',
        },
      };
    case 'page':
      return {
        kind: 'body',
        status: 200,
        headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' },
        body: renderPage(hub.options.title),
      };
  }
}
