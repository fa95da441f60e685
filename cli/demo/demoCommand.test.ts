import { describe, expect, it } from 'vitest';
import { parseDemoCommand } from './demoCommand.js';

describe('parseDemoCommand', () => {
  it('runs the Soroban part, then the shorter beacon part, by default', () => {
    expect(parseDemoCommand([])).toEqual({
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
    expect(parseDemoCommand(['--duration', '6.5', '--interval-ms', '250'])).toEqual({
      name: 'demo',
      parts: [
        { chain: 'soroban', durationMs: 6500 },
        { chain: 'beacon', durationMs: 6500 },
      ],
      probeIntervalMs: 250,
      workers: undefined,
    });
    expect(parseDemoCommand(['--duration=2', '--chain=beacon'])).toMatchObject({
      parts: [{ chain: 'beacon', durationMs: 2000 }],
    });
  });

  it('runs the demo in 1 to 16 worker processes with --workers', () => {
    // The worker processes are a Soroban demo: the beacon part is left out.
    expect(parseDemoCommand(['--workers', '3', '--duration', '10'])).toEqual({
      name: 'demo',
      parts: [{ chain: 'soroban', durationMs: 10_000 }],
      probeIntervalMs: 400,
      workers: 3,
    });
    expect(parseDemoCommand(['--workers=1'])).toMatchObject({ workers: 1 });
    expect(parseDemoCommand(['--workers', '16'])).toMatchObject({ workers: 16 });
    for (const bad of ['0', '17', '2.5', '-1', 'two', '', '1e1']) {
      expect(parseDemoCommand([`--workers=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--workers must be a whole number from 1 to 16 (got '${bad}')`,
      });
    }
    expect(parseDemoCommand(['--workers'])).toMatchObject({
      name: 'usage-error',
      message: expect.stringContaining('--workers'),
    });
  });

  it('reads --web as [host:]port, on 127.0.0.1 unless a host is given, for every part', () => {
    expect(parseDemoCommand([])).toMatchObject({ name: 'demo', web: undefined });
    // Everything else as without it.
    expect(parseDemoCommand(['--web', '127.0.0.1:8080'])).toEqual({
      ...parseDemoCommand([]),
      web: { host: '127.0.0.1', port: 8080 },
    });
    expect(parseDemoCommand(['--web=0', '--chain', 'evm'])).toMatchObject({
      parts: [{ chain: 'evm' }],
      web: { host: '127.0.0.1', port: 0 },
    });
    expect(parseDemoCommand(['--web', '[::1]:9000'])).toMatchObject({ web: { host: '::1', port: 9000 } });
    for (const bad of ['', 'x', ':8080', '127.0.0.1:70000', 'http://h:1']) {
      expect(parseDemoCommand([`--web=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--web must be [host:]port, such as 127.0.0.1:8080 or 8080 (got '${bad}')`,
      });
    }
  });

  it('refuses --web with --workers: the failover instances live in the worker processes', () => {
    expect(parseDemoCommand(['--workers', '2', '--web', '8080'])).toEqual({
      name: 'usage-error',
      message: '--web is not available with --workers: each worker process has its own failover',
    });
  });

  it('runs only the part named by --chain, each with its own default duration', () => {
    expect(parseDemoCommand(['--chain', 'evm', '--duration', '10'])).toEqual({
      name: 'demo',
      parts: [{ chain: 'evm', durationMs: 10_000 }],
      probeIntervalMs: 400,
      workers: undefined,
    });
    expect(parseDemoCommand(['--chain=soroban'])).toMatchObject({
      name: 'demo',
      parts: [{ chain: 'soroban', durationMs: 30_000 }],
    });
    expect(parseDemoCommand(['--chain', 'beacon'])).toEqual({
      name: 'demo',
      parts: [{ chain: 'beacon', durationMs: 20_000 }],
      probeIntervalMs: 400,
      workers: undefined,
    });
    expect(parseDemoCommand(['--chain', 'soroban', '--workers', '2'])).toMatchObject({
      parts: [{ chain: 'soroban' }],
      workers: 2,
    });
    for (const bad of ['solana', 'EVM', 'both', 'Beacon', '']) {
      expect(parseDemoCommand([`--chain=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--chain must be one of soroban, evm, beacon (got '${bad}')`,
      });
    }
  });

  it('refuses --workers with --chain evm or beacon: the worker processes are Soroban only', () => {
    for (const [chain, argv] of [
      ['evm', ['--chain', 'evm', '--workers', '3']],
      ['evm', ['--workers=3', '--chain=evm']],
      ['beacon', ['--chain', 'beacon', '--workers', '3']],
      ['beacon', ['--workers=1', '--chain=beacon', '--duration', '5']],
    ] as const) {
      expect(parseDemoCommand(argv)).toEqual({
        name: 'usage-error',
        message: `--workers runs the Soroban demo only; it cannot go with --chain ${chain}`,
      });
    }
  });

  it('runs the EVM part on real anvil nodes with --nodes anvil, and on simulated ones otherwise', () => {
    expect(parseDemoCommand(['--chain', 'evm', '--nodes', 'anvil', '--duration', '8'])).toEqual({
      name: 'demo',
      parts: [{ chain: 'evm', durationMs: 8000, nodes: 'anvil' }],
      probeIntervalMs: 400,
      workers: undefined,
    });
    expect(parseDemoCommand(['--nodes=simulated', '--chain=evm'])).toEqual(parseDemoCommand(['--chain=evm']));
    for (const argv of [
      ['--nodes', 'anvil'],
      ['--chain', 'soroban', '--nodes', 'anvil'],
      ['--chain=beacon', '--nodes=anvil'],
    ]) {
      expect(parseDemoCommand(argv)).toEqual({
        name: 'usage-error',
        message: '--nodes anvil goes with --chain evm only',
      });
    }
    for (const bad of ['geth', 'Anvil', '']) {
      expect(parseDemoCommand(['--chain', 'evm', `--nodes=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--nodes must be one of simulated, anvil (got '${bad}')`,
      });
    }
  });

  it('names what is wrong with a bad command line', () => {
    expect(parseDemoCommand(['--fast'])).toEqual({
      name: 'usage-error',
      message: "Unknown option '--fast'",
    });
    expect(parseDemoCommand(['extra'])).toMatchObject({
      name: 'usage-error',
      message: expect.stringContaining("Unexpected argument 'extra'"),
    });
    expect(parseDemoCommand(['--duration'])).toMatchObject({
      message: expect.stringContaining('--duration'),
    });
    expect(parseDemoCommand(['--duration', '-3'])).toMatchObject({
      message: expect.stringContaining("'--duration=-XYZ'"),
    });
    for (const bad of ['0', '-3', 'abc', '', 'Infinity']) {
      expect(parseDemoCommand([`--duration=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--duration must be a positive number (got '${bad}')`,
      });
    }
    expect(parseDemoCommand(['--interval-ms', '-1'])).toMatchObject({ name: 'usage-error' });
  });
});
