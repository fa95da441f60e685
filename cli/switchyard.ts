#!/usr/bin/env node
import 'reflect-metadata';
import { runDemo } from './demo.js';
import { HELP, parseCommand } from './parseCommand.js';

/** Exit code of a bad command line, as for most Unix tools. */
const EXIT_USAGE = 2;
/** Exit code after Ctrl-C: 128 + SIGINT, what a shell expects. */
const EXIT_INTERRUPTED = 130;

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  switch (command.name) {
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case 'usage-error':
      process.stderr.write(`switchyard: ${command.message}\nRun 'switchyard help' for usage.\n`);
      return EXIT_USAGE;
    case 'demo': {
      const interrupt = new AbortController();
      // First Ctrl-C: stop the demo cleanly (summary, close everything). Second: leave now.
      const onSigint = () => {
        if (interrupt.signal.aborted) process.exit(EXIT_INTERRUPTED);
        interrupt.abort();
      };
      process.on('SIGINT', onSigint);
      const { chain, durationMs, probeIntervalMs, workers } = command;
      let crashed = false;
      try {
        if (workers === undefined) {
          await runDemo({ chain, durationMs, probeIntervalMs, signal: interrupt.signal });
        } else {
          // Loaded only when asked for: it needs the Stellar SDK, which an EVM-only user may not have.
          const { runWorkersDemo } = await import('./workersDemo.js');
          const summary = await runWorkersDemo({
            durationMs,
            probeIntervalMs,
            workers,
            signal: interrupt.signal,
          });
          crashed = summary.workers.some((worker) => worker.crashed !== undefined);
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
      if (interrupt.signal.aborted) return EXIT_INTERRUPTED;
      return crashed ? 1 : 0;
    }
  }
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
