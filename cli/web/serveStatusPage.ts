import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type DashboardHandler, type DashboardSource, dashboard } from '../../adapters/dashboard/index.js';
import { hostPort, type WebAddress } from './webAddress.js';

/** What the page shows now, and how. */
export interface StatusPageView {
  /** The page's title, e.g. `switchyard demo · soroban`. */
  title: string;
  /** How often the sources are sampled. */
  sampleIntervalMs: number;
}

/** The status page server of `watch --web` and `demo --web`. */
export interface StatusPageServer {
  /** `http://HOST:PORT/`, with the port actually bound. */
  url: string;
  /**
   * Shows these instances from now on, in place of those shown before (whose dashboard is closed,
   * so its timers stop; open pages reconnect to the new one by themselves). Until the first call,
   * the page answers 503 with a page that reloads itself every second.
   */
  show(sources: Record<string, DashboardSource>, view: StatusPageView): void;
  /** Closes the dashboard (ending open pages' event streams) and the server. Idempotent. */
  close(): Promise<void>;
}

/** Why the `--web` server could not start: the address cannot be bound (in use, no such host). */
export class WebListenError extends Error {
  override name = 'WebListenError';
}

/** Served before the first `show()`: a start-up takes seconds, and a browser opened at once waits. */
const STARTING_PAGE =
  '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="1">' +
  '<title>switchyard: starting</title><p>starting…</p>\n';

/**
 * Binds the `--web` server at once, so a port in use stops the command before anything starts; the
 * page (switchyard-rpc/dashboard, at `/`) shows the instances given to `show`, which a command
 * calls once they are open (a demo: once per part, with the part's new instances).
 *
 * @throws {WebListenError} when the address cannot be bound, in one line: `--web: cannot listen on
 *   127.0.0.1:8080 (EADDRINUSE)`.
 * @example
 * const web = await serveStatusPage({ host: '127.0.0.1', port: 8080 });
 * web.show({ soroban: server.failover }, { title: 'switchyard watch', sampleIntervalMs: 1000 });
 * console.log(web.url); // http://127.0.0.1:8080/
 */
export async function serveStatusPage(address: WebAddress): Promise<StatusPageServer> {
  let page: DashboardHandler | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (page) return page(req, res);
    res
      .writeHead(503, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'",
        'retry-after': '1',
      })
      .end(STARTING_PAGE);
  });
  server.listen(address.port, address.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new WebListenError(`--web: cannot listen on ${hostPort(address.host, address.port)} (${code})`);
  }
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPort(address.host, port)}/`,
    show(sources, view) {
      const previous = page;
      page = dashboard(sources, view);
      previous?.close();
    },
    close() {
      closing ??= (async () => {
        page?.close();
        const closed = once(server, 'close');
        server.close();
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
