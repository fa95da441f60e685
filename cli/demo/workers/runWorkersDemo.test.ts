import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runWorkersDemo } from './runWorkersDemo.js';

// The built CLI and worker: globalSetup builds dist/ before any test runs.
const CLI = fileURLToPath(new URL('../../../dist/cli/switchyard.js', import.meta.url));
const BUILT_WORKER = new URL('../../../dist/cli/demo/workers/demoWorker.js', import.meta.url);

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function tempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'switchyard-demo-test-'));
  directories.push(directory);
  return directory;
}

/** Runs the built CLI with stdout piped (not a TTY), as CI would; `TMPDIR` shows what it leaves behind. */
async function runCli(args: readonly string[], options: { tmp: string; interruptAfterMs?: number }) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, TMPDIR: options.tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const interrupt =
    options.interruptAfterMs === undefined
      ? undefined
      : setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(interrupt);
  return { code, stdout, stderr };
}

describe('switchyard demo --workers', () => {
  it('runs the traffic in worker processes sharing one state file, with 0 failed calls', async () => {
    const tmp = tempDirectory();
    const { code, stdout, stderr } = await runCli(['demo', '--workers', '2', '--duration', '6'], { tmp });

    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(stderr).toBe('');
    // Not a TTY: plain lines, no cursor movement or colour.
    expect(stdout).not.toContain('\x1b');
    expect(stdout).toContain('2 worker processes');
    expect(stdout).toContain('step 6/6: all faults cleared');
    // Status lines per worker, and the probes the nodes received.
    expect(stdout).toMatch(/^\[ *\d+\.\ds\] w1 \d+ calls, 0 failed \| /m);
    expect(stdout).toMatch(/^\[ *\d+\.\ds\] w2 \d+ calls, 0 failed \| /m);
    expect(stdout).toMatch(/probes per 400 ms interval at the nodes: node-a \d+\.\d\d, node-b/);
    // Failover hides the faults in every worker: a failure here is a finding, not a flake.
    expect(stdout).toMatch(/requests {7}[1-9]\d* total, 0 failed/);
    expect(stdout).toMatch(/workers {8}w1 {2}[1-9]\d* requests, 0 failed/);
    expect(stdout).toMatch(/^ {17}w2 {2}[1-9]\d* requests, 0 failed/m);
    expect(stdout).toMatch(/^ {17}node-a \d+\.\d\d {3}node-b \d+\.\d\d {3}node-c \d+\.\d\d$/m);
    expect(stdout).not.toContain('crashed');
    // The state file's temp directory is gone.
    expect(readdirSync(tmp)).toEqual([]);
  }, 30_000);

  it('stops every worker on Ctrl-C, prints the summary and exits 130', async () => {
    const tmp = tempDirectory();
    const { code, stdout } = await runCli(['demo', '--workers', '2', '--duration', '30'], {
      tmp,
      interruptAfterMs: 3000,
    });

    expect(code, stdout).toBe(130);
    expect(stdout).toContain('summary (interrupted)');
    expect(stdout).toMatch(/workers {8}w1 {2}\d+ requests, 0 failed/);
    expect(stdout).not.toContain('crashed');
    expect(readdirSync(tmp)).toEqual([]);
  }, 30_000);

  it('reports a worker that crashes and goes on with the others', async () => {
    // The real worker, except that worker 2 throws after a second of traffic.
    const script = join(tempDirectory(), 'crashingWorker.mjs');
    writeFileSync(
      script,
      [
        'const { index } = JSON.parse(process.argv[2]);',
        "process.on('message', (message) => {",
        "  if (index === 2 && message.type === 'go') setTimeout(() => { throw new Error('worker test crash'); }, 1000);",
        '});',
        `await import(${JSON.stringify(BUILT_WORKER.href)});`,
      ].join('\n'),
    );
    const chunks: string[] = [];

    const summary = await runWorkersDemo({
      workers: 2,
      durationMs: 4000,
      out: { write: (text: string) => chunks.push(text) },
      workerScript: pathToFileURL(script),
    });
    const output = chunks.join('');

    expect(summary.workers[0]!.crashed, output).toBeUndefined();
    expect(summary.workers[1]!.crashed).toMatch(/^crashed \(exit code 1\): Error: worker test crash$/);
    expect(output).toMatch(/w2 crashed \(exit code 1\): Error: worker test crash/);
    expect(summary.failed).toBe(0);
    expect(summary.workers[0]!.requests).toBeGreaterThan(0);
    expect(summary.interrupted).toBe(false);
  }, 30_000);
});
