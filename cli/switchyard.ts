#!/usr/bin/env node
import 'reflect-metadata';
import { runDemoCommand } from './demo/runDemoCommand.js';
import { reportUsageError } from './exitCodes.js';
import { HELP, parseCommand } from './parseCommand.js';
import { runWatchCommand } from './watch/runWatchCommand.js';

// The `switchyard` bin: reads the command line and hands it to its command.

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommand(argv);
  switch (command.name) {
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case 'usage-error':
      return reportUsageError(command.message);
    case 'demo':
      return runDemoCommand(command);
    case 'watch':
      return runWatchCommand(command);
  }
}

// Only the exit code is set: the process ends by itself once the command has closed everything,
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
