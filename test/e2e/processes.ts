import { execFileSync } from 'node:child_process';

/**
 * The live processes (zombies not counted: they are gone, only not yet reaped by their parent)
 * named `name` whose parent is this process: what a suite started and has not reaped.
 */
export function childProcessesNamed(name: string): number[] {
  let out: string;
  try {
    out = execFileSync('ps', ['-o', 'pid=,ppid=,stat=,comm=', '--ppid', String(process.pid)], {
      encoding: 'utf8',
    });
  } catch {
    return []; // ps exits 1 when nothing matches
  }
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, , stat, comm]) => pid && comm === name && !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

/** The anvil nodes this process started and has not reaped. */
export const anvilProcesses = (): number[] => childProcessesNamed('anvil');
