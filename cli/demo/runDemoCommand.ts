import { findAnvil } from '../../testing/anvil/findAnvil.js';
import { EXIT_INTERRUPTED } from '../exitCodes.js';
import type { DemoCommand, DemoPart } from './demoCommand.js';
import { runDemo } from './runDemo.js';

/**
 * `switchyard demo`: runs the parts of `command` one after the other and resolves with the exit
 * code: 0, 1 when a worker process crashed or anvil is missing for `--nodes anvil`, 130 after
 * Ctrl-C. The first Ctrl-C ends the run
 * cleanly (summary, everything closed); a second leaves at once.
 *
 * @example
 * const command = parseCommand(['demo', '--chain', 'evm']);
 * if (command.name === 'demo') process.exitCode = await runDemoCommand(command);
 */
export async function runDemoCommand(command: DemoCommand): Promise<number> {
  // Said before anything starts, in one line, rather than as a stack trace from the first part.
  if (command.parts.some((part) => part.nodes === 'anvil')) {
    const anvil = findAnvil();
    if (!anvil.found) {
      process.stderr.write(`switchyard demo: --nodes anvil needs anvil: ${anvil.reason}\n`);
      return 1;
    }
  }
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

/** Runs one part of the demo; resolves with whether a worker process crashed. */
async function runPart(
  part: DemoPart,
  { probeIntervalMs, workers }: Pick<DemoCommand, 'probeIntervalMs' | 'workers'>,
  signal: AbortSignal,
): Promise<boolean> {
  const { chain, durationMs, nodes } = part;
  if (chain === 'beacon') {
    // Loaded when its part runs, like the chains' SDKs: a Soroban-only run need not load undici.
    const { runBeaconDemo } = await import('./beacon/runBeaconDemo.js');
    await runBeaconDemo({ durationMs, probeIntervalMs, signal });
    return false;
  }
  if (workers === undefined) {
    await runDemo({ chain, nodes, durationMs, probeIntervalMs, signal });
    return false;
  }
  // Loaded only when asked for: it needs the Stellar SDK, which an EVM-only user may not have.
  const { runWorkersDemo } = await import('./workers/runWorkersDemo.js');
  const summary = await runWorkersDemo({ durationMs, probeIntervalMs, workers, signal });
  return summary.workers.some((worker) => worker.crashed !== undefined);
}
