import { findAnvil } from '../../testing/anvil/findAnvil.js';
import { EXIT_INTERRUPTED } from '../exitCodes.js';
import type { ScreenOutput } from '../terminal/display.js';
import { type StatusPageServer, serveStatusPage, WebListenError } from '../web/serveStatusPage.js';
import type { DemoCommand, DemoPart } from './demoCommand.js';
import { runDemo } from './runDemo.js';

/** Where the demo writes. */
export interface DemoCommandOutput {
  /** The tables, event lines and summaries. @default process.stdout */
  out?: ScreenOutput | undefined;
  /** Why it could not run. @default process.stderr */
  err?: ScreenOutput | undefined;
}

/**
 * `switchyard demo`: runs the parts of `command` one after the other and resolves with the exit
 * code: 0, 1 when a worker process crashed, anvil is missing for `--nodes anvil` or the `--web`
 * address cannot be bound, 130 after Ctrl-C. The first Ctrl-C ends the run cleanly (summary,
 * everything closed); a second leaves at once. With `--web`, one status page serves the whole run,
 * showing each part's instances in turn, and is closed at the end, after Ctrl-C and on errors.
 *
 * @example
 * const command = parseCommand(['demo', '--chain', 'evm']);
 * if (command.name === 'demo') process.exitCode = await runDemoCommand(command);
 */
export async function runDemoCommand(command: DemoCommand, output: DemoCommandOutput = {}): Promise<number> {
  const out = output.out ?? process.stdout;
  const err = output.err ?? process.stderr;
  // Said before anything starts, in one line, rather than as a stack trace from the first part.
  if (command.parts.some((part) => part.nodes === 'anvil')) {
    const anvil = findAnvil();
    if (!anvil.found) {
      err.write(`switchyard demo: --nodes anvil needs anvil: ${anvil.reason}\n`);
      return 1;
    }
  }
  let web: StatusPageServer | undefined;
  if (command.web) {
    // Bound before any node starts: a port in use stops the demo with nothing to close.
    try {
      web = await serveStatusPage(command.web);
    } catch (error) {
      if (!(error instanceof WebListenError)) throw error;
      err.write(`switchyard demo: ${error.message}\n`);
      return 1;
    }
    out.write(`web: ${web.url}\n`);
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
      if (index > 0) out.write('\n');
      if (await runPart(part, command, { out, web, signal: interrupt.signal })) crashed = true;
    }
  } finally {
    process.off('SIGINT', onSigint);
    await web?.close();
  }
  if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
  return crashed ? 1 : 0;
}

/** What every part is run with. */
interface PartContext {
  out: ScreenOutput;
  web: StatusPageServer | undefined;
  signal: AbortSignal;
}

/** Runs one part of the demo; resolves with whether a worker process crashed. */
async function runPart(
  part: DemoPart,
  { probeIntervalMs, workers }: Pick<DemoCommand, 'probeIntervalMs' | 'workers'>,
  { out, web, signal }: PartContext,
): Promise<boolean> {
  const { chain, durationMs, nodes } = part;
  if (chain === 'beacon') {
    // Loaded when its part runs, like the chains' SDKs: a Soroban-only run need not load undici.
    const { runBeaconDemo } = await import('./beacon/runBeaconDemo.js');
    await runBeaconDemo({ durationMs, probeIntervalMs, signal, out, web });
    return false;
  }
  if (workers === undefined) {
    await runDemo({ chain, nodes, durationMs, probeIntervalMs, signal, out, web });
    return false;
  }
  // Loaded only when asked for: it needs the Stellar SDK, which an EVM-only user may not have.
  // No status page here: the parser refuses --web with --workers.
  const { runWorkersDemo } = await import('./workers/runWorkersDemo.js');
  const summary = await runWorkersDemo({ durationMs, probeIntervalMs, workers, signal, out });
  return summary.workers.some((worker) => worker.crashed !== undefined);
}
