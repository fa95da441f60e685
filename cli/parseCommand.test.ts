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

  it('reads watch URLs repeated, several after one option, or inline, in order per kind', () => {
    expect(
      parseCommand([
        'watch',
        '--soroban',
        'https://rpc-a.example',
        'https://rpc-b.example',
        '--evm=https://eth-a.example',
        '--beacon',
        'http://bn1:5052',
        '--evm',
        'https://eth-b.example/v2/KEY',
        'https://eth-c.example',
      ]),
    ).toEqual({
      name: 'watch',
      endpoints: {
        soroban: ['https://rpc-a.example', 'https://rpc-b.example'],
        evm: ['https://eth-a.example', 'https://eth-b.example/v2/KEY', 'https://eth-c.example'],
        beacon: ['http://bn1:5052'],
      },
      intervalMs: 1000,
      durationMs: undefined,
      metricsPort: undefined,
    });
  });

  it('reads --interval and --duration in ms or with a unit, and --metrics-port', () => {
    const urls = ['--beacon', 'http://bn1:5052'];
    expect(
      parseCommand(['watch', ...urls, '--interval', '250', '--duration', '1500', '--metrics-port', '0']),
    ).toMatchObject({ name: 'watch', intervalMs: 250, durationMs: 1500, metricsPort: 0 });
    expect(parseCommand(['watch', ...urls, '--interval=2s', '--duration=5m'])).toMatchObject({
      intervalMs: 2000,
      durationMs: 300_000,
    });
    expect(parseCommand(['watch', ...urls, '--duration', '0.5s', '--metrics-port=9464'])).toMatchObject({
      durationMs: 500,
      metricsPort: 9464,
    });
    for (const bad of ['0', '-1', 'soon', '5 min', '', '1e3']) {
      expect(parseCommand(['watch', ...urls, `--duration=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--duration must be a positive time in ms, or with a unit: 500ms, 10s, 5m (got '${bad}')`,
      });
    }
    expect(parseCommand(['watch', ...urls, '--interval', '10'])).toEqual({
      name: 'usage-error',
      message: "--interval must be at least 50ms (got '10')",
    });
    for (const bad of ['65536', '-1', 'http', '80.5', '']) {
      expect(parseCommand(['watch', ...urls, `--metrics-port=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--metrics-port must be a port number from 0 to 65535 (got '${bad}')`,
      });
    }
  });

  it('refuses a watch without URLs, with a bad or repeated URL, or a URL before any kind', () => {
    for (const argv of [['watch'], ['watch', '--duration', '5s'], ['watch', '--metrics-port', '0']]) {
      expect(parseCommand(argv)).toEqual({
        name: 'usage-error',
        message: 'watch needs at least one endpoint URL after --soroban, --evm or --beacon',
      });
    }
    expect(parseCommand(['watch', '--evm', 'not a url'])).toEqual({
      name: 'usage-error',
      message: "--evm: 'not a url' is not a URL",
    });
    // Not a URL, so not redacted by redactUrl: still nothing after the host part is shown.
    expect(parseCommand(['watch', '--evm', 'rpc.example/rpc/S3cretPathKey?key=x'])).toEqual({
      name: 'usage-error',
      message: "--evm: 'rpc.example/***' is not a URL",
    });
    expect(parseCommand(['watch', '--soroban', 'https://ok.example', 'rpc.example:443'])).toEqual({
      name: 'usage-error',
      message: "--soroban: 'rpc.example:443' is not an http or https URL",
    });
    expect(parseCommand(['watch', '--beacon', 'ws://bn1:5052'])).toEqual({
      name: 'usage-error',
      message: "--beacon: 'ws://bn1:5052' is not an http or https URL",
    });
    expect(parseCommand(['watch', '--evm', 'https://a.example', '--evm', 'https://a.example/'])).toEqual({
      name: 'usage-error',
      message: "--evm lists 'https://a.example' twice",
    });
    expect(parseCommand(['watch', 'https://a.example', '--evm', 'https://b.example'])).toEqual({
      name: 'usage-error',
      message: "unexpected argument 'https://a.example': URLs follow --soroban, --evm or --beacon",
    });
    // Another option ends a kind's list: a URL after it belongs to no kind.
    expect(
      parseCommand(['watch', '--evm', 'https://a.example', '--interval', '500', 'https://b.example']),
    ).toMatchObject({ name: 'usage-error', message: expect.stringContaining("'https://b.example'") });
    expect(parseCommand(['watch', '--evm'])).toMatchObject({
      name: 'usage-error',
      message: expect.stringContaining('--evm'),
    });
    expect(parseCommand(['watch', '--solana', 'https://a.example'])).toMatchObject({
      name: 'usage-error',
      message: "Unknown option '--solana'",
    });
  });

  it('never repeats the credentials of a bad URL in its message', () => {
    const secrets = ['hunter2', 'alice', '0123456789abcdef0123456789abcdef', 'sk_live_ABCDEF'];
    for (const bad of [
      'ftp://alice:hunter2@rpc.example/key/0123456789abcdef0123456789abcdef?apikey=sk_live_ABCDEF',
      'https://alice:hunter2@rpc.example:99999/v2/0123456789abcdef0123456789abcdef',
      'alice:hunter2@rpc.example/0123456789abcdef0123456789abcdef?apikey=sk_live_ABCDEF',
    ]) {
      const command = parseCommand(['watch', '--evm', bad]);
      expect(command).toMatchObject({ name: 'usage-error' });
      const { message } = command as { message: string };
      for (const secret of secrets) expect(message).not.toContain(secret);
      expect(message).toContain('***');
    }
    const twice = 'https://alice:hunter2@rpc.example/v2/0123456789abcdef0123456789abcdef';
    expect(parseCommand(['watch', '--evm', twice, twice])).toEqual({
      name: 'usage-error',
      message: "--evm lists 'https://***@rpc.example/v2/***' twice",
    });
  });

  it('shows help for watch --help and documents watch in the help', () => {
    expect(parseCommand(['watch', '--help'])).toEqual({ name: 'help' });
    expect(parseCommand(['watch', '-h', '--evm', 'nonsense'])).toEqual({ name: 'help' });
    for (const option of ['--soroban <url>...', '--evm <url>...', '--beacon <url>...', '--metrics-port <n>'])
      expect(HELP).toContain(option);
    expect(HELP).toContain('npm i');
    expect(HELP).toContain('switchyard watch --soroban https://rpc-a.example https://rpc-b.example');
  });
});
