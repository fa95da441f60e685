import { describe, expect, it } from 'vitest';
import { HELP, parseCommand } from './parseCommand.js';

describe('parseCommand', () => {
  it('runs the Soroban part, then the shorter beacon part, by default', () => {
    expect(parseCommand(['demo'])).toEqual({
      name: 'demo',
      parts: [
        { chain: 'soroban', durationMs: 30_000 },
        { chain: 'beacon', durationMs: 20_000 },
      ],
      probeIntervalMs: 400,
      workers: undefined,
    });
  });

  it('gives each part the fractional duration and the probe interval asked for', () => {
    expect(parseCommand(['demo', '--duration', '6.5', '--interval-ms', '250'])).toEqual({
      name: 'demo',
      parts: [
        { chain: 'soroban', durationMs: 6500 },
        { chain: 'beacon', durationMs: 6500 },
      ],
      probeIntervalMs: 250,
      workers: undefined,
    });
    expect(parseCommand(['demo', '--duration=2', '--chain=beacon'])).toMatchObject({
      parts: [{ chain: 'beacon', durationMs: 2000 }],
    });
  });

  it('runs the demo in 1 to 16 worker processes with --workers', () => {
    // The worker processes are a Soroban demo: the beacon part is left out.
    expect(parseCommand(['demo', '--workers', '3', '--duration', '10'])).toEqual({
      name: 'demo',
      parts: [{ chain: 'soroban', durationMs: 10_000 }],
      probeIntervalMs: 400,
      workers: 3,
    });
    expect(parseCommand(['demo', '--workers=1'])).toMatchObject({ workers: 1 });
    expect(parseCommand(['demo', '--workers', '16'])).toMatchObject({ workers: 16 });
    for (const bad of ['0', '17', '2.5', '-1', 'two', '', '1e1']) {
      expect(parseCommand(['demo', `--workers=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--workers must be a whole number from 1 to 16 (got '${bad}')`,
      });
    }
    expect(parseCommand(['demo', '--workers'])).toMatchObject({
      name: 'usage-error',
      message: expect.stringContaining('--workers'),
    });
  });

  it('runs only the part named by --chain, each with its own default duration', () => {
    expect(parseCommand(['demo', '--chain', 'evm', '--duration', '10'])).toEqual({
      name: 'demo',
      parts: [{ chain: 'evm', durationMs: 10_000 }],
      probeIntervalMs: 400,
      workers: undefined,
    });
    expect(parseCommand(['demo', '--chain=soroban'])).toMatchObject({
      name: 'demo',
      parts: [{ chain: 'soroban', durationMs: 30_000 }],
    });
    expect(parseCommand(['demo', '--chain', 'beacon'])).toEqual({
      name: 'demo',
      parts: [{ chain: 'beacon', durationMs: 20_000 }],
      probeIntervalMs: 400,
      workers: undefined,
    });
    expect(parseCommand(['demo', '--chain', 'soroban', '--workers', '2'])).toMatchObject({
      parts: [{ chain: 'soroban' }],
      workers: 2,
    });
    for (const bad of ['solana', 'EVM', 'both', 'Beacon', '']) {
      expect(parseCommand(['demo', `--chain=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--chain must be one of soroban, evm, beacon (got '${bad}')`,
      });
    }
  });

  it('refuses --workers with --chain evm or beacon: the worker processes are Soroban only', () => {
    for (const [chain, argv] of [
      ['evm', ['demo', '--chain', 'evm', '--workers', '3']],
      ['evm', ['demo', '--workers=3', '--chain=evm']],
      ['beacon', ['demo', '--chain', 'beacon', '--workers', '3']],
      ['beacon', ['demo', '--workers=1', '--chain=beacon', '--duration', '5']],
    ] as const) {
      expect(parseCommand(argv)).toEqual({
        name: 'usage-error',
        message: `--workers runs the Soroban demo only; it cannot go with --chain ${chain}`,
      });
    }
  });

  it('shows help for no command, help, --help, -h and demo --help', () => {
    for (const argv of [[], ['help'], ['--help'], ['-h'], ['demo', '--help']]) {
      expect(parseCommand(argv)).toEqual({ name: 'help' });
    }
  });

  it('names what is wrong with a bad command line', () => {
    expect(parseCommand(['deploy'])).toEqual({ name: 'usage-error', message: "unknown command 'deploy'" });
    expect(parseCommand(['demo', '--fast'])).toEqual({
      name: 'usage-error',
      message: "Unknown option '--fast'",
    });
    expect(parseCommand(['demo', 'extra'])).toMatchObject({
      name: 'usage-error',
      message: expect.stringContaining("Unexpected argument 'extra'"),
    });
    expect(parseCommand(['demo', '--duration'])).toMatchObject({
      message: expect.stringContaining('--duration'),
    });
    expect(parseCommand(['demo', '--duration', '-3'])).toMatchObject({
      message: expect.stringContaining("'--duration=-XYZ'"),
    });
    for (const bad of ['0', '-3', 'abc', '', 'Infinity']) {
      expect(parseCommand(['demo', `--duration=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--duration must be a positive number (got '${bad}')`,
      });
    }
    expect(parseCommand(['demo', '--interval-ms', '-1'])).toMatchObject({ name: 'usage-error' });
  });

  it('documents --workers and --chain in the help, in 80 columns', () => {
    expect(HELP).toContain('--workers <n>');
    expect(HELP).toContain('switchyard demo --workers 3');
    expect(HELP).toContain('--chain <name>');
    expect(HELP).toContain('switchyard demo --chain evm');
    expect(HELP).toContain('switchyard demo --chain beacon');
    expect(HELP).toContain('(default: soroban, then beacon)');
    expect(HELP).toContain('30 for soroban and evm, 20 for beacon');
    for (const line of HELP.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('says watch is not yet available', () => {
    expect(parseCommand(['watch', 'https://rpc.example'])).toEqual({
      name: 'usage-error',
      message: "'watch' is not yet available; try 'switchyard demo'",
    });
  });
});
