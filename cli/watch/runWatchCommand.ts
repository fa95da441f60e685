import { EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_USAGE, reportUsageError } from '../exitCodes.js';
import { runWatch } from './runWatch.js';
import type { WatchCommand } from './watchCommand.js';
import { WatchError } from './watchError.js';

/**
 * `switchyard watch`: runs until its --duration passes, SIGINT/SIGTERM arrives or stdout's reader
 * leaves; either way it closes everything and resolves with exit code 0. A second signal while it
 * closes leaves at once. When it cannot start, prints why and resolves with the
 * {@link WatchError}'s exit code.
 *
 * @example
 * const command = parseCommand(['watch', '--beacon', 'http://bn:5052']);
 * if (command.name === 'watch') process.exitCode = await runWatchCommand(command);
 */
export async function runWatchCommand(command: WatchCommand): Promise<number> {
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
    if (error.exitCode === EXIT_USAGE) return reportUsageError(error.message);
    process.stderr.write(`switchyard: ${error.message}\n`);
    return error.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
