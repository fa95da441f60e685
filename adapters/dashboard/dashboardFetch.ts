import { DashboardHub } from './DashboardHub.js';
import { resolveDashboardOptions } from './dashboardOptions.js';
import { FORBIDDEN, routeRequest } from './routeRequest.js';
import type { DashboardOptions, DashboardSource } from './types.js';

/** A Fetch-API handler (Hono, Bun.serve, Deno.serve) serving the dashboard. */
export interface DashboardFetchHandler {
  /** Serves the page, `…/status.json` or `…/events`. */
  (request: Request): Promise<Response>;
  /** Stops sampling and listening to the sources, and ends open event streams. Idempotent. */
  close(): void;
}

/**
 * {@link dashboard} as a Fetch-API `(request) => Promise<Response>` handler, for Hono, Bun and
 * Deno: the same page, `…/status.json` and `…/events` at any mount path; `authorize` is given the
 * `Request`. The event stream ends when the client goes away (its body is cancelled, or the
 * request's signal aborts).
 *
 * @throws {ConfigError} as {@link dashboard}.
 * @example
 * import { Hono } from 'hono';
 * import { dashboardFetch } from 'switchyard-rpc/dashboard';
 *
 * const status = dashboardFetch({ evm: transport.failover });
 * const app = new Hono();
 * app.mount('/switchyard', status); // Bun.serve({ fetch: status }) or Deno.serve(status) alone
 */
export function dashboardFetch(
  sources: Record<string, DashboardSource>,
  options: DashboardOptions<Request> = {},
): DashboardFetchHandler {
  const { authorize, ...resolved } = resolveDashboardOptions(sources, options);
  const hub = new DashboardHub(sources, resolved);
  const encoder = new TextEncoder();

  const handler = async (request: Request): Promise<Response> => {
    const { method } = request;
    const reply =
      authorize && !(await authorize(request))
        ? FORBIDDEN
        : routeRequest(hub, method, new URL(request.url).pathname);
    if (reply.kind === 'body')
      return new Response(method === 'HEAD' ? null : reply.body, {
        status: reply.status,
        headers: reply.headers,
      });
    if (method === 'HEAD') return new Response(null, { status: reply.status, headers: reply.headers });
    let off = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const end = () => {
          off();
          try {
            controller.close();
          } catch {
            // Already closed or cancelled: the client is gone.
          }
        };
        off = hub.subscribe({
          write: (chunk) => {
            try {
              controller.enqueue(encoder.encode(chunk));
            } catch {
              off();
            }
          },
          end,
        });
        request.signal?.addEventListener('abort', end, { once: true });
      },
      cancel: () => off(),
    });
    return new Response(body, { status: reply.status, headers: reply.headers });
  };
  return Object.assign(handler, { close: () => hub.close() });
}
