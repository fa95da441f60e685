import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Registry } from 'prom-client';
import type { MetricsSource } from '../../adapters/prometheus/index.js';
import { importOptional, WatchError } from './watchError.js';

/** A prom-client Registry and the way to put a switchyard instance on it. */
export interface WatchRegistry {
  registry: Registry;
  /** Registers `source`'s series with the label `client` (`soroban`, `evm`, `beacon`). */
  register(source: MetricsSource, client: string): void;
}

/** The `/metrics` server of `watch`. */
export interface MetricsServer {
  /** `http://127.0.0.1:PORT/metrics`, with the port actually bound. */
  url: string;
  /** Stops listening and drops open connections (keep-alive ones included). */
  close(): Promise<void>;
}

/**
 * Loads prom-client (an optional peer dependency) and `switchyard-rpc/prometheus`, and makes a
 * Registry of its own. Throws a {@link WatchError} saying to `npm i prom-client` when it is not
 * installed. Called only when `--metrics-port` is given: without it the CLI never loads prom-client.
 *
 * @example
 * const prometheus = await loadPrometheus();
 * prometheus.register(server.failover, 'soroban');
 */
export async function loadPrometheus(): Promise<WatchRegistry> {
  const { Registry } = await importOptional('prom-client', '--metrics-port', () => import('prom-client'));
  const { registerMetrics } = await import('../../adapters/prometheus/index.js');
  const registry = new Registry();
  return { registry, register: (source, client) => void registerMetrics(source, { registry, client }) };
}

/**
 * Serves `GET /metrics` from `registry` on 127.0.0.1:`port` (0: a free port); other paths are
 * 404. Throws a {@link WatchError} when the port cannot be bound (in use, not permitted).
 *
 * @example
 * const server = await serveMetrics(registry, 9464);
 * console.log(server.url); // http://127.0.0.1:9464/metrics
 * await server.close();
 */
export async function serveMetrics(registry: Registry, port: number): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' }).end('use GET\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (error: unknown) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`),
    );
  });
  server.listen(port, '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new WatchError(`--metrics-port: cannot listen on 127.0.0.1:${port} (${code})`, 1);
  }
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
