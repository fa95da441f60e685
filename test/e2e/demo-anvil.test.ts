import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { anvilOrSkip } from './requireSoftware.js';

// The built CLI: globalSetup builds dist/ before any test runs.
const CLI = fileURLToPath(new URL('../../dist/cli/switchyard.js', import.meta.url));
const anvil = anvilOrSkip();

/** A run of the built CLI and what it printed so far. */
interface Cli {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stdout: string;
  stderr: string;
  /** The exit code, once the output is complete too. */
  exited: Promise<number | null>;
}
const started: Cli[] = [];

// A failed assertion must not leave a demo (and its anvils) running.
afterEach(async () => {
  for (const { child, exited } of started.splice(0)) {
    child.kill('SIGKILL');
    await exited;
  }
});

describe.skipIf(!anvil.found)('switchyard demo --chain evm --nodes anvil', () => {
  it('shows the faults of real anvil nodes and the traffic moving round them, then reaps every anvil', async () => {
    const cli = startCli(['--duration', '12']);
    const anvils = await anvilsOf(cli);
    const code = await cli.exited;
    const out = cli.stdout;

    expect({ code, stderr: cli.stderr }).toEqual({ code: 0, stderr: '' });
    expect(out).toContain('switchyard demo: 3 anvil EVM nodes on 127.0.0.1');
    for (const step of [
      'step 2/6: node-a frozen (SIGSTOP: accepts connections, never answers)',
      'step 3/6: node-a killed (SIGKILL: connections refused)',
      'step 4/6: node-a restarted at height 0 and synced back; node-b head stalled (evm_setIntervalMining 0)',
      'step 5/6: node-a frozen again (SIGSTOP)',
      'step 6/6: all faults cleared',
    ])
      expect(out).toContain(step);
    // What the failover made of it: node-a seen down, node-b's stalled head seen lagging.
    expect(out).toMatch(/node-a down/);
    expect(out).toMatch(/node-b lagging/);
    // The traffic left node-a for the backups and came back to it.
    expect(out).toMatch(/route node-a → node-[bc]/);
    expect(out).toMatch(/route node-[bc] → node-a/);
    // Stale answers are not asserted away: node-b's head stops rather than jumping behind, so in
    // the moment between the network moving 3 blocks past it and the next probe seeing that, a call
    // it serves is counted stale by the demo (which reads the heads every 250 ms).
    expect(out).toMatch(/requests\s+\d+ total, 0 failed, \d+ stale/);
    for (const label of ['node-a', 'node-b', 'node-c'])
      expect(out).toMatch(new RegExp(`${label}\\s+\\d+%\\s+\\([1-9]\\d* calls\\)`));
    expect(alive(anvils)).toEqual([]);
  });

  it('reaps every anvil after Ctrl-C, a frozen one included', async () => {
    const cli = startCli(['--duration', '30']);
    const anvils = await anvilsOf(cli);
    await waitFor(() => cli.stdout.includes('step 2/6: node-a frozen'), 'node-a frozen', 20_000);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(cli.stdout).toContain('summary (interrupted):');
    expect(alive(anvils)).toEqual([]);
  });
});

describe('switchyard demo --nodes anvil without anvil', () => {
  it('says why and exits 1 before starting anything', async () => {
    const cli = startCli([], { ANVIL: '/nonexistent/anvil' });
    expect(await cli.exited).toBe(1);
    expect(cli.stderr).toBe(
      'switchyard demo: --nodes anvil needs anvil: ANVIL=/nonexistent/anvil does not exist\n',
    );
    expect(cli.stdout).toBe('');
  });
});

/** The demo on anvil through the built CLI, stdout piped (plain lines, as in CI). */
function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Cli {
  const child = spawn(process.execPath, [CLI, 'demo', '--chain', 'evm', '--nodes', 'anvil', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = once(child, 'close').then(([code]) => code as number | null);
  const cli: Cli = { child, stdout: '', stderr: '', exited };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    cli.stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    cli.stderr += chunk;
  });
  started.push(cli);
  return cli;
}

/** The pids of the three anvils the demo started, once all three run. */
async function anvilsOf(cli: Cli): Promise<number[]> {
  let pids: number[] = [];
  await waitFor(
    () => {
      pids = anvilProcessesOf(cli.child.pid!);
      return pids.length === 3;
    },
    'three anvils',
    20_000,
  );
  return pids;
}

/** The live anvil processes whose parent is `parent` (the demo's, not this process's children). */
function anvilProcessesOf(parent: number): number[] {
  return psLines(['-C', 'anvil', '-o', 'pid=,ppid=,stat='])
    .filter(([, ppid, stat]) => Number(ppid) === parent && !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

/** Those of `pids` still running (zombies count as gone). */
function alive(pids: readonly number[]): number[] {
  return psLines(['-p', pids.join(','), '-o', 'pid=,stat='])
    .filter(([, stat]) => !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

function psLines(args: readonly string[]): string[][] {
  try {
    return execFileSync('ps', args, { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([pid]) => pid);
  } catch {
    return []; // ps exits 1 when nothing matches
  }
}
