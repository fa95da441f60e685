import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type DashboardHandler, type DashboardSource, dashboard } from '../../adapters/dashboard/index.js';
import { WatchError } from './watchError.js';

/** Where `--web` serves the status page. */
export interface WebAddress {
  host: string;
  /** 0: any free port. */
  port: number;
}

/** The status page server of `watch --web`. */
export interface WebServer {
  /** `http://HOST:PORT/`, with the port actually bound. */
  url: string;
  /** Starts showing the watched instances (until then the page answers 503). */
  show(sources: Record<string, DashboardSource>, sampleIntervalMs: number): void;
  /** Closes the dashboard (ending open pages' event streams) and the server. */
  close(): Promise<void>;
}

/**
 * Binds the `--web` server at once, so a port in use stops the watch before anything opens; the
 * page (switchyard-rpc/dashboard, at `/`) is shown once the instances are open (`show`).
 *
 * @throws {WatchError} (exit code 1) when the address cannot be bound.
 * @example
 * const web = await serveWatchPage({ host: '127.0.0.1', port: 8080 });
 * web.show({ soroban: server.failover }, 1000);
 * console.log(web.url); // http://127.0.0.1:8080/
 */
export async function serveWatchPage(address: WebAddress): Promise<WebServer> {
  let page: DashboardHandler | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (page) return page(req, res);
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' }).end('starting\n');
  });
  server.listen(address.port, address.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new WatchError(`--web: cannot listen on ${hostPort(address.host, address.port)} (${code})`, 1);
  }
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  return {
    url: `http://${hostPort(address.host, port)}/`,
    show(sources, sampleIntervalMs) {
      page = dashboard(sources, { sampleIntervalMs, title: 'switchyard watch' });
    },
    async close() {
      page?.close();
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;
