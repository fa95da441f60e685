// How `switchyard` ends: the exit codes a shell expects, and the line a bad command line gets.

/** Exit code of a bad command line, as for most Unix tools. */
export const EXIT_USAGE = 2;
/** Exit code after Ctrl-C: 128 + SIGINT, what a shell expects. */
export const EXIT_INTERRUPTED = 130;
/** Exit code of a second SIGTERM while `watch` closes: 128 + SIGTERM. */
export const EXIT_TERMINATED = 143;

/**
 * Prints a bad command line's message, with the way to usage, and returns exit code 2.
 *
 * @example
 * return reportUsageError("unknown command 'deploy'"); // stderr: switchyard: unknown command 'deploy'
 */
export function reportUsageError(message: string): number {
  process.stderr.write(`switchyard: ${message}\nRun 'switchyard help' for usage.\n`);
  return EXIT_USAGE;
}
