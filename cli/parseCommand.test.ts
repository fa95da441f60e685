import { describe, expect, it } from 'vitest';
import { parseDemoCommand } from './demo/demoCommand.js';
import { HELP, parseCommand } from './parseCommand.js';
import { parseWatchCommand } from './watch/watchCommand.js';

describe('parseCommand', () => {
  it('shows help for no command, help, --help, -h and demo --help', () => {
    for (const argv of [[], ['help'], ['--help'], ['-h'], ['demo', '--help']]) {
      expect(parseCommand(argv)).toEqual({ name: 'help' });
    }
  });

  it('hands the arguments after demo and watch to that command’s parser, and refuses any other command', () => {
    expect(parseCommand(['demo', '--chain', 'evm', '--duration', '10'])).toEqual(
      parseDemoCommand(['--chain', 'evm', '--duration', '10']),
    );
    expect(parseCommand(['demo', '--fast'])).toEqual(parseDemoCommand(['--fast']));
    expect(parseCommand(['watch', '--evm', 'https://a.example', '--interval', '2s'])).toEqual(
      parseWatchCommand(['--evm', 'https://a.example', '--interval', '2s']),
    );
    expect(parseCommand(['watch'])).toEqual(parseWatchCommand([]));
    expect(parseCommand(['deploy'])).toEqual({ name: 'usage-error', message: "unknown command 'deploy'" });
  });

  it('documents --workers and --chain in the help, in 80 columns', () => {
    expect(HELP).toContain('--workers <n>');
    expect(HELP).toContain('switchyard demo --workers 3');
    expect(HELP).toContain('--chain <name>');
    expect(HELP).toContain('switchyard demo --chain evm');
    expect(HELP).toContain('switchyard demo --chain beacon');
    expect(HELP).toContain('--nodes <source>');
    expect(HELP).toContain('switchyard demo --chain evm --nodes anvil');
    expect(HELP).toContain('(default: soroban, then beacon)');
    expect(HELP).toContain('30 for soroban and evm, 20 for beacon');
    for (const line of HELP.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
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
