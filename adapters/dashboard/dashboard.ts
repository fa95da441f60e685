import type { IncomingMessage, ServerResponse } from 'node:http';
import { DashboardHub } from './DashboardHub.js';
import { resolveDashboardOptions } from './dashboardOptions.js';
import { type BodyReply, FORBIDDEN, routeRequest } from './routeRequest.js';
import type { DashboardOptions, DashboardSource } from './types.js';

/** A Node request handler (node:http, Express, Fastify's raw request and reply) serving the dashboard. */
export interface DashboardHandler {
  /** Serves the page, `…/status.json` or `…/events`; an error goes to `next` when given (Express). */
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /** Stops sampling and listening to the sources, and ends open event streams. Idempotent. */
  close(): void;
}

/**
 * A read-only status page for failover instances and head monitors, as a plain Node
 * `(req, res, next?)` handler: at any mount path, the page (endpoint table, latency sparklines,
 * traffic share over time, recent events, live over Server-Sent Events), `…/status.json` for
 * scripts and `…/events` (the event stream). Only GET and HEAD (405 otherwise). The sources are
 * sampled from creation, on an unref'd timer, until `close()`. Endpoints are shown by label only,
 * never by URL; still, mount it behind your app's own authentication (and `authorize`).
 *
 * @throws {ConfigError} naming the field: no sources, a source without `status()`, `metrics()`,
 * `on()` or `endpoints()`, a bad option.
 * @example
 * import express from 'express';
 * import { dashboard } from 'switchyard-rpc/dashboard';
 *
 * const app = express();
 * const status = dashboard({ soroban: server.failover, beacon: monitor }, { authorize: (req) => isAdmin(req) });
 * app.use('/switchyard', status); // also: http.createServer(status), or Fastify with reply.hijack()
 * // on shutdown: status.close();
 */
export function dashboard(
  sources: Record<string, DashboardSource>,
  options: DashboardOptions<IncomingMessage> = {},
): DashboardHandler {
  const { authorize, ...resolved } = resolveDashboardOptions(sources, options);
  const hub = new DashboardHub(sources, resolved);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (authorize && !(await authorize(req))) return writeBody(res, FORBIDDEN, method);
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const reply = routeRequest(hub, method, pathname);
    if (reply.kind === 'body') return writeBody(res, reply, method);
    res.writeHead(reply.status, reply.headers);
    if (method === 'HEAD') {
      res.end();
      return;
    }
    const off = hub.subscribe({ write: (chunk) => res.write(chunk), end: () => res.end() });
    res.on('close', off);
  }

  const handler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => {
    serve(req, res).catch((error: unknown) => {
      if (next) return next(error);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error\n');
    });
  };
  return Object.assign(handler, { close: () => hub.close() });
}

function writeBody(res: ServerResponse, reply: BodyReply, method: string): void {
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)) });
  res.end(method === 'HEAD' ? undefined : reply.body);
}
