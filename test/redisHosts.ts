import type { ChildProcess } from 'node:child_process';
import type { FailoverStatus } from '../src/index.js';
import type { childProcesses } from './childProcesses.js';

// The hosts of the Redis process suites: test/fixtures/redisHostWorker.mjs, each a process with its own
// failover over simulated nodes, sharing health through a RedisStateStore, driven over IPC.

/** What a host reports about itself. */
export interface HostReport {
  status: FailoverStatus;
  calls: { ok: number; failed: number; firstFailure: string | undefined };
  /** 'error' events with source 'state-store'. */
  storeErrors: { message: string; at: number }[];
  /** Log lines of its failover ('failover') and of its RedisStateStore ('store'); `at` is wall-clock ms. */
  lines: {
    source: 'failover' | 'store';
    level: 'debug' | 'info' | 'warn' | 'error';
    text: string;
    at: number;
  }[];
  /** The probe results its store heard published (its own included); `owner` starts with the publisher's pid. */
  heard: { id: string; owner: string; at: number }[];
}

let requests = 0;

/** Sends `{ type, id, ...body }` and resolves with the host's answer of the same type and id. */
function ask<T>(host: ChildProcess, type: string, body: object = {}): Promise<T> {
  const id = ++requests;
  return new Promise<T>((resolve, reject) => {
    const onExit = () => reject(new Error(`host exited before answering '${type}'`));
    const onMessage = (m: unknown) => {
      const answer = m as { type?: string; id?: number };
      if (answer?.type !== type || answer.id !== id) return;
      host.off('message', onMessage);
      host.off('exit', onExit);
      resolve(m as T);
    };
    host.on('message', onMessage);
    host.once('exit', onExit);
    host.send({ type, id, ...body });
  });
}

/**
 * What one host reports now.
 *
 * @example
 * const { calls } = await report(host);
 */
export const report = (host: ChildProcess) => ask<HostReport>(host, 'status');

/** What every host reports now. */
export const reports = (hosts: ChildProcess[]) => Promise.all(hosts.map(report));

/** Starts (one call every `everyMs` on each host) or stops the hosts' user calls. */
export const setCalls = (hosts: ChildProcess[], on: boolean, everyMs?: number) =>
  Promise.all(hosts.map((h) => ask(h, 'calls', { on, everyMs })));

/** Whether every host sees every node healthy. */
export const allHealthy = async (hosts: ChildProcess[]) =>
  (await reports(hosts)).every((r) => r.status.endpoints.every((e) => e.state === 'healthy'));

/** Whether every host has logged that its store is back (`available again`) since it started. */
export const allSharingAgain = async (hosts: ChildProcess[]) =>
  (await reports(hosts)).every((r) =>
    r.lines.some((l) => l.source === 'failover' && l.text.includes('available again')),
  );

/**
 * Starts `count` hosts sharing `namespace` through Redis at `target` (a url, or the JSON options of an
 * ioredis client), each probing `urls` every `intervalMs`, and waits until each is up.
 *
 * @example
 * const hosts = await startHosts(processes, 3, server.url, 'ns', 300, cluster.nodes.map((n) => n.url));
 */
export async function startHosts(
  processes: ReturnType<typeof childProcesses>,
  count: number,
  target: string,
  namespace: string,
  intervalMs: number,
  urls: string[],
): Promise<ChildProcess[]> {
  const hosts = Array.from({ length: count }, () =>
    processes.start('redisHostWorker.mjs', [target, namespace, String(intervalMs), ...urls]),
  );
  await Promise.all(hosts.map((h) => processes.message(h, 'ready')));
  return hosts;
}
