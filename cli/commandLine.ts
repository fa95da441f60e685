// What reading a command line ends in besides a command: the help text, or a usage error.

/** The command line asked for `switchyard help`. */
export interface HelpCommand {
  name: 'help';
}

/** A bad command line: `message` names the problem; the CLI prints it and exits with code 2. */
export interface UsageError {
  name: 'usage-error';
  message: string;
}

/**
 * A usage error saying `message`.
 *
 * @example
 * return usageError("--workers must be a whole number from 1 to 16 (got 'two')");
 */
export function usageError(message: string): UsageError {
  return { name: 'usage-error', message };
}

/**
 * Node's own `parseArgs` message as a usage error, on one line: it names the option and says what
 * is wrong.
 *
 * @example
 * try { parseArgs({ args, options }); } catch (error) { return parseArgsError(error); } // "Unknown option '--fast'"
 */
export function parseArgsError(error: unknown): UsageError {
  return usageError(String((error as Error).message).replace(/\s*\n\s*/g, ' '));
}
