import { describe, expect, it } from 'vitest';
import { type Endpoint, parseEndpoints } from '../endpoint.js';
import { ConfigError } from '../errors.js';
import { NetworkCheck, type NetworkCheckConfig } from './NetworkCheck.js';

const TESTNET = 'Test SDF Network ; September 2015';
const MAINNET = 'Public Global Stellar Network ; September 2015';
const signal = new AbortController().signal;

function setup(networks: Record<string, string>, config: NetworkCheckConfig = {}) {
  const endpoints = parseEndpoints(
    Object.keys(networks).map((label) => ({ url: `http://${label}.test`, label })),
  );
  const reads: string[] = [];
  const read = async (endpoint: Endpoint) => {
    reads.push(endpoint.label);
    return networks[endpoint.label]!;
  };
  const check = new NetworkCheck(config, endpoints);
  const byLabel = (label: string) => endpoints.find((e) => e.label === label)!;
  const verify = (label: string, now = 0) => check.verify(byLabel(label), read, now, signal);
  return { check, verify, reads, byLabel, endpoints, networks };
}

describe('NetworkCheck', () => {
  it('refuses an endpoint on another network than the expected one, and says which', async () => {
    const { verify } = setup({ own: TESTNET, backup: MAINNET }, { expected: TESTNET });
    expect(await verify('own')).toBeUndefined();
    expect(await verify('backup')).toBe(`wrong network: ${MAINNET}, expected ${TESTNET}`);
  });

  it("with reference 'first', trusts the first endpoint over a majority", async () => {
    const { verify } = setup({ own: TESTNET, b: MAINNET, c: MAINNET }, { reference: 'first' });
    expect(await verify('b')).toBeUndefined(); // the first has not answered: majority so far
    expect(await verify('own')).toBeUndefined();
    expect(await verify('b')).toMatch(/^wrong network: Public/);
    expect(await verify('c')).toMatch(/^wrong network: Public/);
  });

  it('by default follows the majority; a tie goes to the earlier endpoint', async () => {
    const { verify, check, byLabel } = setup({ a: MAINNET, b: TESTNET, c: TESTNET });
    expect(await verify('b')).toBeUndefined();
    expect(await verify('a')).toBeUndefined(); // 1:1, a is earlier
    expect(check.verdict(byLabel('b').id)).toBe('wrong');
    expect(await verify('c')).toBeUndefined(); // 2:1 now
    expect(check.verdict(byLabel('a').id)).toBe('wrong');
    expect(check.verdict(byLabel('b').id)).toBe('match');
  });

  it('the first node to answer is not the majority on its own: undecided until more than half have', async () => {
    const { verify, check, byLabel } = setup({ a: MAINNET, b: TESTNET, c: TESTNET, d: TESTNET });
    expect(await verify('a')).toBeUndefined();
    expect(check.verdict(byLabel('a').id)).toBe('undecided');
    await verify('b');
    expect(check.expected()).toBeUndefined(); // two of four
    await verify('c');
    expect(check.verdict(byLabel('a').id)).toBe('wrong');
    expect(check.refusal(byLabel('a').id)).toBe(`wrong network: ${MAINNET}, expected ${TESTNET}`);
  });

  it('an endpoint that cannot be read does not hold the majority up', async () => {
    const { check, byLabel, endpoints } = setup({ a: TESTNET, b: TESTNET, c: MAINNET });
    const read = async (endpoint: Endpoint) => {
      if (endpoint.label === 'b') throw new Error('ECONNREFUSED');
      return endpoint.label === 'a' ? TESTNET : MAINNET;
    };
    await check.verify(endpoints[0]!, read, 0, signal);
    await expect(check.verify(endpoints[1]!, read, 0, signal)).rejects.toThrow('ECONNREFUSED');
    expect(check.expected()).toBeUndefined(); // one of the two that can answer
    await check.verify(endpoints[2]!, read, 0, signal);
    expect(check.expected()).toBe(TESTNET); // 1:1 of two, a is earlier
    expect(check.verdict(byLabel('c').id)).toBe('wrong');
  });

  it('reads a matching endpoint again only after recheckMs, a refused one at every check', async () => {
    const { verify, reads } = setup({ a: TESTNET, b: MAINNET }, { expected: TESTNET, recheckMs: 1000 });
    await verify('a', 0);
    await verify('a', 999);
    await verify('b', 0);
    await verify('b', 1);
    expect(reads).toEqual(['a', 'b', 'b']);
    await verify('a', 1000);
    expect(reads).toEqual(['a', 'b', 'b', 'a']);
  });

  it('serves again as soon as a repointed endpoint answers the right network', async () => {
    const { verify, networks } = setup({ a: TESTNET, b: MAINNET }, { expected: TESTNET });
    expect(await verify('b')).toBeDefined();
    networks['b'] = TESTNET;
    expect(await verify('b')).toBeUndefined();
  });

  it('follows a majority that moves when a node is repointed and read again', async () => {
    const { check, verify, networks, byLabel } = setup(
      { a: TESTNET, b: TESTNET, c: MAINNET },
      { recheckMs: 1000 },
    );
    for (const label of ['a', 'b', 'c']) await verify(label, 0);
    expect(check.expected()).toBe(TESTNET);
    networks['a'] = MAINNET;
    await verify('a', 999); // not due again: still counted as TESTNET
    expect(check.expected()).toBe(TESTNET);
    await verify('a', 1000);
    expect(check.expected()).toBe(MAINNET); // 2:1 now
    expect(check.verdict(byLabel('c').id)).toBe('match');
    expect(check.verdict(byLabel('b').id)).toBe('wrong');
  });

  it('applies an expected network learned later', async () => {
    let expected: string | undefined;
    const { verify } = setup({ a: '1', b: '5' }, { expected: () => expected });
    expect(await verify('b')).toBeUndefined();
    expected = '1';
    expect(await verify('b')).toBe('wrong network: 5, expected 1');
  });

  it('forgets removed endpoints', async () => {
    const { check, verify, endpoints, byLabel } = setup({ a: TESTNET, b: MAINNET, c: MAINNET });
    await verify('a');
    await verify('b');
    await verify('c');
    expect(check.verdict(byLabel('a').id)).toBe('wrong');
    check.setEndpoints(endpoints.filter((e) => e.label !== 'b'));
    expect(check.verdict(byLabel('b').id)).toBe('unknown');
    expect(check.verdict(byLabel('a').id)).toBe('match'); // 1:1, a is first
  });

  it('fails the check when the node names no network', async () => {
    const { verify } = setup({ a: '' });
    await expect(verify('a')).rejects.toThrow('the node named no network');
  });

  it.each([
    [{ reference: 'last' }, 'network.reference'],
    [{ recheckMs: 0 }, 'network.recheckMs'],
    [{ expected: 5 }, 'network.expected'],
  ])('rejects %o with a ConfigError naming the field', (config, field) => {
    expect(() => new NetworkCheck(config as NetworkCheckConfig, [])).toThrow(ConfigError);
    expect(() => new NetworkCheck(config as NetworkCheckConfig, [])).toThrow(field);
  });
});
