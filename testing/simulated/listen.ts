import type { Server } from 'node:http';

/**
 * Listens on `127.0.0.1:port` (0 picks an ephemeral port) and settles once the server is bound or failed.
 * Simulated nodes bind to loopback only: they are test fixtures and must never be reachable from outside.
 *
 * @example
 * await listen(server, 0);
 * const { port } = server.address() as { port: number };
 */
export function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      // The listener is only for this bind; a later error belongs to whoever listens next.
      server.off('error', reject);
      resolve();
    });
  });
}
