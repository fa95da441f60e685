import { Horizon, rpc } from '@stellar/stellar-sdk';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/index.js';
import { withFailover } from './index.js';
import { serverClassOf } from './serverShape.js';

function problemOf(server: unknown): ConfigError {
  try {
    serverClassOf(server);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('server');
    return error as ConfigError;
  }
  throw new Error('accepted');
}

/** A server of the real class, with `parts` in place of its own `serverURL` and `httpClient`. */
function realClassWith(parts: Record<string, unknown>): unknown {
  return Object.assign(Object.create(rpc.Server.prototype), parts);
}

describe('serverClassOf', () => {
  const real = new rpc.Server('https://rpc.invalid');

  it("returns an rpc.Server's own class", () => {
    expect(serverClassOf(real)).toBe(rpc.Server);
    class Subclass extends rpc.Server {}
    expect(serverClassOf(new Subclass('https://rpc.invalid'))).toBe(Subclass);
  });

  it.each([
    ['a URL string', 'https://rpc.invalid', /got a string$/],
    ['null', null, /got null$/],
    ['the class instead of a server', rpc.Server, /got a function$/],
  ])('rejects %s', (_, value, message) => {
    expect(problemOf(value).message).toMatch(message);
  });

  it('names every part an object lacks', () => {
    expect(problemOf({}).message).toBe(
      'server: must be an rpc.Server from @stellar/stellar-sdk (any build or copy); it has no serverURL (a URL), ' +
        'httpClient.defaults, httpClient.interceptors.request, getHealth(), getNetwork(), ' +
        'constructor (the rpc.Server class that made it)',
    );
  });

  it('rejects a Horizon.Server: it has a URL and an HTTP client, but is not a Soroban RPC server', () => {
    expect(problemOf(new Horizon.Server('https://horizon.invalid')).message).toMatch(
      /it has no .*getHealth\(\), getNetwork\(\), constructor/,
    );
  });

  it.each([
    ['no serverURL', { httpClient: real.httpClient }, 'serverURL (a URL)'],
    ['a serverURL that is no URL', { serverURL: 'rpc', httpClient: real.httpClient }, 'serverURL (a URL)'],
    ['no httpClient', { serverURL: real.serverURL }, 'httpClient.defaults, httpClient.interceptors.request'],
    [
      'an httpClient without interceptors',
      { serverURL: real.serverURL, httpClient: { defaults: {} } },
      'httpClient.interceptors.request',
    ],
  ])('names what is missing from a server with %s', (_, parts, missing) => {
    const { message } = problemOf(realClassWith(parts));
    expect(message.slice(message.indexOf('; ') + 2)).toBe(`it has no ${missing}`);
  });

  it("rejects a look-alike whose class cannot build the other endpoints' servers", () => {
    const lookAlike = {
      serverURL: real.serverURL,
      httpClient: real.httpClient,
      getHealth: real.getHealth,
      getNetwork: real.getNetwork,
    };
    expect(problemOf(lookAlike).message).toMatch(
      /; it has no constructor \(the rpc\.Server class that made it\)$/,
    );
  });

  it('is what withFailover checks its server with', () => {
    expect(() => withFailover('https://rpc.invalid' as never)).toThrow(
      /^server: must be an rpc\.Server .*got a string$/,
    );
  });
});
