import { createServer } from 'node:http';
import { rpc } from '@stellar/stellar-sdk';
import { container } from 'tsyringe';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { withFailover } from '../adapters/soroban/index.js';
import {
  createFailover,
  createHeadMonitor,
  type EndpointRef,
  type HeadStream,
  type HealthProbe,
  type Logger,
  type Router,
  ScoreRouter,
  silentLogger,
  TOKENS,
} from '../src/index.js';
import { fetchProbe, waitFor } from './helpers.js';

/*
 * Registrations in tsyringe's global container (another library's, another test's) reach only the
 * instances given that container. Each test runs an instance without `container` beside one with
 * tsyringe's global `container`, on endpoints labelled `isolated` and `global`, and looks at which
 * labels the globally registered parts saw.
 */

/** A node that answers 503 to everything: its endpoints go down, which is logged and ranked. */
const node = createServer((_req, res) => {
  res.writeHead(503).end();
});
let nodeUrl = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve));
  nodeUrl = `http://127.0.0.1:${(node.address() as { port: number }).port}`;
});
afterAll(async () => {
  node.closeAllConnections();
  await new Promise((resolve) => node.close(resolve));
});

/** Labels of the endpoints each globally registered part was used for. */
let seen: { logged: Set<string>; ranked: Set<string>; probed: Set<string> };

const labelOf = (obj: object | string) => (obj as { endpoint?: EndpointRef }).endpoint?.label;

beforeEach(() => {
  seen = { logged: new Set(), ranked: new Set(), probed: new Set() };
  const log = (obj: object | string) => {
    const label = labelOf(obj);
    if (label) seen.logged.add(label);
  };
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  const scores = new ScoreRouter();
  const router: Router = {
    rank(health, previous) {
      for (const { endpoint } of health) seen.ranked.add(endpoint.label);
      return scores.rank(health, previous);
    },
    plan: (ranking) => scores.plan(ranking),
  };
  const probe: HealthProbe = {
    async check(endpoint) {
      seen.probed.add(endpoint.label);
      return { ok: true, latencyMs: 1, head: 1 };
    },
  };
  container.register(TOKENS.Logger, { useValue: logger });
  container.register(TOKENS.Router, { useValue: router });
  container.register(TOKENS.HealthProbe, { useValue: probe });
});

// Each test file runs in a process of its own (pool: forks): resetting the global container touches no other file.
afterEach(() => container.reset());

/** The default logger writes to the console: silenced here, and the labels it was given are kept. */
function consoleWarnings(): Set<string> {
  const warned = new Set<string>();
  const spy = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    const label = labelOf(args[2] as object);
    if (label) warned.add(label);
  });
  onTestFinished(() => spy.mockRestore());
  return warned;
}

/** A stream that never delivers a head, until it is aborted. */
const quietStream: HeadStream = {
  open: (_endpoint, signal) => ({
    [Symbol.asyncIterator]: () => ({
      next: () =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true }),
        ),
    }),
  }),
};

const closeAtEnd = (close: () => Promise<void>) => onTestFinished(close);

describe("tsyringe's global container", () => {
  it('reaches a createFailover instance only when given as its container', async () => {
    const warned = consoleWarnings();
    const isolated = createFailover({
      endpoints: [{ url: `${nodeUrl}/a/`, label: 'isolated' }],
      probe: fetchProbe,
      probeIntervalMs: 20,
    });
    closeAtEnd(() => isolated.close());
    const global = createFailover({
      endpoints: [{ url: `${nodeUrl}/b/`, label: 'global' }],
      probe: fetchProbe,
      probeIntervalMs: 20,
      container,
    });
    closeAtEnd(() => global.close());

    await waitFor(
      () => (warned.has('isolated') || seen.logged.has('isolated')) && seen.logged.has('global'),
      'both endpoints down, logged',
    );
    expect(warned).toContain('isolated');
    expect(seen.logged).not.toContain('isolated');
    expect(seen.ranked).not.toContain('isolated');
    // A probe given in the options wins over any registration.
    expect(seen.probed.size).toBe(0);
    expect(warned).not.toContain('global');
  });

  it('reaches a withFailover server only when given as its container', async () => {
    const warned = consoleWarnings();
    const wrap = (path: string, label: string, options: { container?: typeof container } = {}) => {
      const url = `${nodeUrl}${path}`;
      const server = withFailover(new rpc.Server(url, { allowHttp: true }), {
        endpoints: [{ url, label }],
        probeIntervalMs: 20,
        ...options,
      });
      closeAtEnd(() => server.failover.close());
      return server;
    };
    wrap('/a/', 'isolated');
    wrap('/b/', 'global', { container });

    await waitFor(
      () => (warned.has('isolated') || seen.logged.has('isolated')) && seen.logged.has('global'),
      'both endpoints down, logged',
    );
    expect(warned).toContain('isolated');
    expect(seen.logged).not.toContain('isolated');
    expect(seen.ranked).not.toContain('isolated');
    expect(seen.probed.size).toBe(0);
  });

  it('gives a head monitor without a probe none, unless given as its container', async () => {
    const monitor = (path: string, label: string, options: { container?: typeof container } = {}) => {
      const created = createHeadMonitor({
        candidates: [{ url: `${nodeUrl}${path}`, label }],
        stream: quietStream,
        probeIntervalMs: 20,
        logger: silentLogger,
        ...options,
      });
      closeAtEnd(() => created.close());
      return created;
    };
    const isolated = monitor('/a/', 'isolated');
    const global = monitor('/b/', 'global', { container });

    await waitFor(() => seen.probed.has('global'), 'the registered probe at work');
    expect(global.metrics().health).toBeDefined();
    expect(isolated.metrics().health).toBeUndefined();
    expect(seen.probed).not.toContain('isolated');
  });
});
