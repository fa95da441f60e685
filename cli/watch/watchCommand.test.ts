import { describe, expect, it } from 'vitest';
import { parseWatchCommand } from './watchCommand.js';

describe('parseWatchCommand', () => {
  it('reads --web as [host:]port, on 127.0.0.1 unless a host is given', () => {
    const urls = ['--beacon', 'http://bn1:5052'];
    expect(parseWatchCommand(urls)).toMatchObject({ name: 'watch', web: undefined });
    expect(parseWatchCommand([...urls, '--web', '127.0.0.1:8080'])).toMatchObject({
      web: { host: '127.0.0.1', port: 8080 },
    });
    expect(parseWatchCommand([...urls, '--web=0'])).toMatchObject({ web: { host: '127.0.0.1', port: 0 } });
    expect(parseWatchCommand([...urls, '--web', 'localhost:80'])).toMatchObject({
      web: { host: 'localhost', port: 80 },
    });
    expect(parseWatchCommand([...urls, '--web', '[::1]:9000'])).toMatchObject({
      web: { host: '::1', port: 9000 },
    });
    for (const bad of ['', 'x', '127.0.0.1:', ':8080', '127.0.0.1:70000', 'http://h:1', '1:2:3']) {
      expect(parseWatchCommand([...urls, `--web=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--web must be [host:]port, such as 127.0.0.1:8080 or 8080 (got '${bad}')`,
      });
    }
  });

  it('reads watch URLs repeated, several after one option, or inline, in order per kind', () => {
    expect(
      parseWatchCommand([
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
      parseWatchCommand([...urls, '--interval', '250', '--duration', '1500', '--metrics-port', '0']),
    ).toMatchObject({ name: 'watch', intervalMs: 250, durationMs: 1500, metricsPort: 0 });
    expect(parseWatchCommand([...urls, '--interval=2s', '--duration=5m'])).toMatchObject({
      intervalMs: 2000,
      durationMs: 300_000,
    });
    expect(parseWatchCommand([...urls, '--duration', '0.5s', '--metrics-port=9464'])).toMatchObject({
      durationMs: 500,
      metricsPort: 9464,
    });
    for (const bad of ['0', '-1', 'soon', '5 min', '', '1e3']) {
      expect(parseWatchCommand([...urls, `--duration=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--duration must be a positive time in ms, or with a unit: 500ms, 10s, 5m (got '${bad}')`,
      });
    }
    expect(parseWatchCommand([...urls, '--interval', '10'])).toEqual({
      name: 'usage-error',
      message: "--interval must be at least 50ms (got '10')",
    });
    for (const bad of ['65536', '-1', 'http', '80.5', '']) {
      expect(parseWatchCommand([...urls, `--metrics-port=${bad}`])).toEqual({
        name: 'usage-error',
        message: `--metrics-port must be a port number from 0 to 65535 (got '${bad}')`,
      });
    }
  });

  it('refuses a watch without URLs, with a bad or repeated URL, or a URL before any kind', () => {
    for (const argv of [[], ['--duration', '5s'], ['--metrics-port', '0']]) {
      expect(parseWatchCommand(argv)).toEqual({
        name: 'usage-error',
        message: 'watch needs at least one endpoint URL after --soroban, --evm or --beacon',
      });
    }
    expect(parseWatchCommand(['--evm', 'not a url'])).toEqual({
      name: 'usage-error',
      message: "--evm: 'not a url' is not a URL",
    });
    // Not a URL, so not redacted by redactUrl: still nothing after the host part is shown.
    expect(parseWatchCommand(['--evm', 'rpc.example/rpc/S3cretPathKey?key=x'])).toEqual({
      name: 'usage-error',
      message: "--evm: 'rpc.example/***' is not a URL",
    });
    expect(parseWatchCommand(['--soroban', 'https://ok.example', 'rpc.example:443'])).toEqual({
      name: 'usage-error',
      message: "--soroban: 'rpc.example:443' is not an http or https URL",
    });
    expect(parseWatchCommand(['--beacon', 'ws://bn1:5052'])).toEqual({
      name: 'usage-error',
      message: "--beacon: 'ws://bn1:5052' is not an http or https URL",
    });
    expect(parseWatchCommand(['--evm', 'https://a.example', '--evm', 'https://a.example/'])).toEqual({
      name: 'usage-error',
      message: "--evm lists 'https://a.example' twice",
    });
    expect(parseWatchCommand(['https://a.example', '--evm', 'https://b.example'])).toEqual({
      name: 'usage-error',
      message: "unexpected argument 'https://a.example': URLs follow --soroban, --evm or --beacon",
    });
    // Another option ends a kind's list: a URL after it belongs to no kind.
    expect(
      parseWatchCommand(['--evm', 'https://a.example', '--interval', '500', 'https://b.example']),
    ).toMatchObject({ name: 'usage-error', message: expect.stringContaining("'https://b.example'") });
    expect(parseWatchCommand(['--evm'])).toMatchObject({
      name: 'usage-error',
      message: expect.stringContaining('--evm'),
    });
    expect(parseWatchCommand(['--solana', 'https://a.example'])).toMatchObject({
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
      const command = parseWatchCommand(['--evm', bad]);
      expect(command).toMatchObject({ name: 'usage-error' });
      const { message } = command as { message: string };
      for (const secret of secrets) expect(message).not.toContain(secret);
      expect(message).toContain('***');
    }
    const twice = 'https://alice:hunter2@rpc.example/v2/0123456789abcdef0123456789abcdef';
    expect(parseWatchCommand(['--evm', twice, twice])).toEqual({
      name: 'usage-error',
      message: "--evm lists 'https://***@rpc.example/v2/***' twice",
    });
  });
});
