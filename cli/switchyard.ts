#!/usr/bin/env node
import 'reflect-metadata';
import { runDemo } from './demo/runDemo.js';
import { type Command, type DemoPart, HELP, parseCommand, type WatchCommand } from './parseCommand.js';
import { runWatch } from './watch.js';
import { WatchError } from './watchError.js';

/** A command line that asked for the demo. */
type DemoCommand = Extract<Command, { name: 'demo' }>;

/** Exit code of a bad command line, as for most Unix tools. */
const EXIT_USAGE = 2;
/** Exit code after Ctrl-C: 128 + SIGINT, what a shell expects. */
const EXIT_INTERRUPTED = 130;
/** Exit code of a second SIGTERM while `watch` closes: 128 + SIGTERM. */
const EXIT_TERMINATED = 143;

/** Prints a bad command line's message, with the way to usage, and returns exit code 2. */
function usageError(message: string): number {
  process.stderr.write(`switchyard: ${message}\nRun 'switchyard help' for usage.\n`);
  return EXIT_USAGE;
}

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  switch (command.name) {
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case 'usage-error':
      return usageError(command.message);
    case 'watch':
      return watch(command);
    case 'demo': {
      const interrupt = new AbortController();
      // First Ctrl-C: stop the demo cleanly (summary, close everything). Second: leave now.
      const onSigint = () => {
        if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED);
        interrupt.abort();
      };
      process.on('SIGINT', onSigint);
      let crashed = false;
      try {
        for (const [index, part] of command.parts.entries()) {
          // Ctrl-C ends the whole run, not just the part in progress.
          if (interrupt.signal.aborted) break;
          if (index > 0) process.stdout.write('\n');
          if (await runPart(part, command, interrupt.signal)) crashed = true;
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
      if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
      return crashed ? 1 : 0;
    }
  }
}

/**
 * Runs `watch` until its --duration passes, SIGINT/SIGTERM arrives or stdout's reader leaves;
 * either way it closes everything and exits 0. A second signal while it closes leaves at once.
 */
async function watch(command: WatchCommand): Promise<number> {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(signal === 'SIGTERM' ? EXIT_TERMINATED : EXIT_INTERRUPTED);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The reader went away (`| head`, a closed pager): stop as after Ctrl-C, without a stack trace.
  // Left attached: a write that fails while closing must not crash either.
  process.stdout.on('error', () => stop.abort());
  try {
    await runWatch({ ...command, signal: stop.signal });
    return 0;
  } catch (error) {
    if (!(error instanceof WatchError)) throw error;
    if (error.exitCode === EXIT_USAGE) return usageError(error.message);
    process.stderr.write(`switchyard: ${error.message}\n`);
    return error.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Runs one part of the demo; resolves with whether a worker process crashed. */
async function runPart(
  part: DemoPart,
  { probeIntervalMs, workers }: Pick<DemoCommand, 'probeIntervalMs' | 'workers'>,
  signal: AbortSignal,
): Promise<boolean> {
  const { chain, durationMs } = part;
  if (chain === 'beacon') {
    // Loaded when its part runs, like the chains' SDKs: a Soroban-only run need not load undici.
    const { runBeaconDemo } = await import('./demo/beacon/runBeaconDemo.js');
    await runBeaconDemo({ durationMs, probeIntervalMs, signal });
    return false;
  }
  if (workers === undefined) {
    await runDemo({ chain, durationMs, probeIntervalMs, signal });
    return false;
  }
  // Loaded only when asked for: it needs the Stellar SDK, which an EVM-only user may not have.
  const { runWorkersDemo } = await import('./demo/workers/runWorkersDemo.js');
  const summary = await runWorkersDemo({ durationMs, probeIntervalMs, workers, signal });
  return summary.workers.some((worker) => worker.crashed !== undefined);
}

// Only the exit code is set: the process ends by itself once the demo has closed everything,
// which proves nothing was left running.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `switchyard: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
