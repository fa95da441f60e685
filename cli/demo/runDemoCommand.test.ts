import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { DashboardSnapshot, FailoverStatus } from '../../adapters/dashboard/index.js';
import { waitFor } from '../../test/helpers.js';
import { type DemoCommand, parseDemoCommand } from './demoCommand.js';
import { runDemoCommand } from './runDemoCommand.js';

// `switchyard demo --web`: one status page for the whole run, showing each part's instance in turn.

const WAIT_MS = 15_000;

/** The demo command of `args`, which must parse. */
function demo(args: readonly string[]): DemoCommand {
  const command = parseDemoCommand(args);
  if (command.name !== 'demo') throw new Error(`not a demo command: ${JSON.stringify(command)}`);
  return command;
}

/** The status page's snapshot, or undefined while it does not answer 200. */
async function snapshotAt(url: string): Promise<DashboardSnapshot | undefined> {
  const res = await fetch(`${url}status.json`);
  return res.status === 200 ? ((await res.json()) as DashboardSnapshot) : undefined;
}

describe('runDemoCommand with --web', () => {
  it('serves the Soroban failover, then the beacon monitor, on one page closed at the end', async () => {
    let out = '';
    let err = '';
    const running = runDemoCommand(demo(['--duration', '2.5', '--web', '127.0.0.1:0']), {
      out: { write: (text: string) => (out += text) },
      err: { write: (text: string) => (err += text) },
    });
    const url = () => /^web: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(out)?.[1];
    let soroban: DashboardSnapshot | undefined;
    let beacon: DashboardSnapshot | undefined;
    let events: Response | undefined;
    try {
      // While the Soroban part runs: its failover, with the workload's calls counted.
      await waitFor(
        async () => {
          soroban = url() ? await snapshotAt(url()!) : undefined;
          const source = soroban?.sources[0];
          return source?.kind === 'failover' && source.summary.calls.ok > 0;
        },
        'the Soroban part on the page, with calls',
        WAIT_MS,
      );
      // A page open during the Soroban part: its event stream ends when the beacon part replaces it.
      events = await fetch(`${url()}events`);
      await waitFor(
        async () => {
          beacon = await snapshotAt(url()!);
          return beacon?.title === 'switchyard demo · beacon';
        },
        'the beacon part on the page',
        WAIT_MS,
      );
    } finally {
      expect(await running, `${out}\n${err}`).toBe(0);
    }

    expect(soroban!.title).toBe('switchyard demo · soroban');
    expect(soroban!.sources.map((s) => [s.name, s.kind])).toEqual([['soroban', 'failover']]);
    const status = soroban!.sources[0]!.status as FailoverStatus;
    expect(status.endpoints.map((e) => e.label)).toEqual(['node-a', 'node-b', 'node-c']);
    expect(beacon!.sources.map((s) => [s.name, s.kind])).toEqual([['beacon', 'monitor']]);
    // The Soroban dashboard was closed when the beacon part took over: its stream ended.
    expect(events!.status).toBe(200);
    await expect(events!.text()).resolves.toContain('event: state');
    expect(out.match(/^web: /gm)).toHaveLength(1);
    expect(out.indexOf('web: ')).toBe(0);
    expect(err).toBe('');
    // Closed with the demo: the port no longer answers.
    await expect(fetch(`${url()}status.json`)).rejects.toThrow();
  }, 40_000);

  it('stops before starting anything when the --web port is taken (exit code 1, one line)', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const { port } = taken.address() as AddressInfo;
    let out = '';
    let err = '';
    try {
      const code = await runDemoCommand(demo(['--chain', 'soroban', '--web', `127.0.0.1:${port}`]), {
        out: { write: (text: string) => (out += text) },
        err: { write: (text: string) => (err += text) },
      });
      expect(code).toBe(1);
      expect(err).toBe(`switchyard demo: --web: cannot listen on 127.0.0.1:${port} (EADDRINUSE)\n`);
      // No part started: not a line of the demo.
      expect(out).toBe('');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
