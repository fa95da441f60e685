import { type ChildProcess, fork } from 'node:child_process';
import { afterEach } from 'vitest';

/**
 * Child processes of a test file (scripts in test/fixtures/, run with an IPC channel), killed after each
 * test whatever its outcome. Call once at the top of a test file.
 *
 * @example
 * const { start, exited } = childProcesses();
 * const worker = start('incrementWorker.mjs', ['file', path, '500']);
 * expect(await exited(worker)).toBe(0);
 */
export function childProcesses() {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });
  return {
    start(script: string, args: string[]): ChildProcess {
      const child = fork(`test/fixtures/${script}`, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      return child;
    },
    /** Resolves with the exit code once the child has exited. */
    exited: (child: ChildProcess) =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
        else child.once('exit', (code) => resolve(code));
      }),
    /** Resolves when the child sends `expected`; rejects if it exits first. */
    message: (child: ChildProcess, expected: string) =>
      new Promise<void>((resolve, reject) => {
        child.once('exit', () => reject(new Error(`child exited before '${expected}'`)));
        child.on('message', (m) => m === expected && resolve());
      }),
  };
}
