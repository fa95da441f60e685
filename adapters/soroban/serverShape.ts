import type { rpc } from '@stellar/stellar-sdk';
import { ConfigError } from '../../src/index.js';

/** The class that made a wrapped server: it builds the servers of the other endpoints. */
export type ServerClass = new (url: string, options?: rpc.Server.Options) => rpc.Server;

// What switchyard calls on a server itself; every other method is only forwarded when the user calls it.
// getHealth is the health probe, getNetwork tells which network an endpoint serves.
const PROBED_METHODS = ['getHealth', 'getNetwork'] as const;

type Loose = Record<string, unknown> | undefined;

/**
 * The parts of `server` switchyard relies on that it lacks, named as `server.<part>`.
 * - `serverURL`: the endpoint's own URL (a urijs URI up to SDK 15, a WHATWG URL from 16).
 * - `httpClient.defaults` and `httpClient.interceptors.request`: the request timeout and the
 *   abort signal of each attempt are set there (axios, or the SDK's fetch client, which has both).
 * - the probed methods, and a class that has them: the other endpoints' servers are built with it.
 */
function missingParts(server: object): string[] {
  const parts = server as Record<string, unknown>;
  const client = parts['httpClient'] as Loose;
  const request = (client?.['interceptors'] as Loose)?.['request'] as Loose;
  const ServerClass = parts['constructor'];
  const missing: string[] = [];
  if (!URL.canParse(String(parts['serverURL']))) missing.push('serverURL (a URL)');
  if (typeof client?.['defaults'] !== 'object' || client['defaults'] === null)
    missing.push('httpClient.defaults');
  if (typeof request?.['use'] !== 'function' || typeof request['eject'] !== 'function')
    missing.push('httpClient.interceptors.request');
  for (const method of PROBED_METHODS) {
    if (typeof parts[method] !== 'function') missing.push(`${method}()`);
  }
  if (
    typeof ServerClass !== 'function' ||
    typeof (ServerClass.prototype as Loose)?.['getHealth'] !== 'function'
  )
    missing.push('constructor (the rpc.Server class that made it)');
  return missing;
}

/**
 * Checks that `server` has the shape of an `rpc.Server` and returns its class.
 *
 * The check is on shape, not `instanceof`: each build of @stellar/stellar-sdk (`/minimal`,
 * `/no-axios`, `/no-eventsource` up to 15, `/axios` from 16, and their `/rpc` entries) has a class of
 * its own, and an app can load a copy of the SDK other than the one switchyard resolves. Building
 * the other endpoints' servers with the returned class gives them the user's build (axios or fetch)
 * and version.
 *
 * @example
 * import { rpc } from '@stellar/stellar-sdk/minimal';
 *
 * const Server = serverClassOf(new rpc.Server('https://rpc-a.example'));
 * const sibling = new Server('https://rpc-b.example'); // a fetch-based server, like the user's
 * serverClassOf('https://rpc-a.example'); // ConfigError: server: must be an rpc.Server …, got a string
 */
export function serverClassOf(server: unknown): ServerClass {
  if (typeof server !== 'object' || server === null)
    throw notAServer(`got ${server === null ? 'null' : `a ${typeof server}`}`);
  const missing = missingParts(server);
  if (missing.length > 0) throw notAServer(`it has no ${missing.join(', ')}`);
  return server.constructor as ServerClass;
}

function notAServer(problem: string): ConfigError {
  return new ConfigError(
    'server',
    `must be an rpc.Server from @stellar/stellar-sdk (any build or copy); ${problem}`,
  );
}
