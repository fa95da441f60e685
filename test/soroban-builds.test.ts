import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { rpc } from '@stellar/stellar-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FailoverServer, withFailover } from '../adapters/soroban/index.js';
import { silentLogger } from '../src/index.js';
import { SorobanCluster } from '../testing/index.js';
import { stellarSdkMajor } from './helpers.js';

// Every entry point of @stellar/stellar-sdk that gives an rpc.Server has a class of its own (a separate
// build: axios or fetch, with or without eventsource), and so does a second copy of the SDK in an
// app's node_modules. withFailover takes a server from any of them, and builds the other endpoints'
// servers with the same class. `npm test` runs this with SDK 15, `npm run test:matrix` with 16 and 17.
const ENTRY_POINTS =
  stellarSdkMajor() >= 16
    ? ['.', './rpc', './axios', './axios/rpc']
    : [
        '.',
        './rpc',
        './minimal',
        './minimal/rpc',
        './no-axios',
        './no-axios/rpc',
        './no-eventsource',
        './no-eventsource/rpc',
      ];

// A copy of the SDK other than the one switchyard resolves, of another version: scripts/test-matrix.mjs
// installs one into .cache/matrix and sets this to its folder.
const SECOND_SDK = process.env['SWITCHYARD_SECOND_STELLAR_SDK'];

type ServerClass = typeof rpc.Server;
type SdkModule = { rpc?: { Server: ServerClass }; Server?: ServerClass };

/** The root entries export the `rpc` namespace, the `/rpc` entries its members. */
const serverClassIn = (sdk: SdkModule): ServerClass => (sdk.rpc?.Server ?? sdk.Server) as ServerClass;

/** `@stellar/stellar-sdk/minimal` for the export `./minimal`. */
const entryPoint = (subpath: string) => `@stellar/stellar-sdk${subpath.slice(1)}`;

function secondCopy(dir: string): { Server: ServerClass; version: string } {
  // Loaded by Node from its own folder, with its own dependencies: no alias of the test runner applies.
  const load = createRequire(join(dir, 'package.json'));
  const { version } = load('./package.json') as { version: string };
  return { Server: serverClassIn(load('./') as SdkModule), version };
}

let cluster: SorobanCluster;
const cleanup: Array<() => Promise<void>> = [];

beforeEach(async () => {
  cluster = await new SorobanCluster({ nodes: 2, ledgerIntervalMs: 0 }).start();
  cleanup.push(() => cluster.close());
  await cluster.nodes[0]!.setFaults({ refuse: true });
});

afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** `user`, a server on the dead primary, wrapped with the live backup as the other endpoint. */
function wrapped(user: rpc.Server): FailoverServer {
  const server = withFailover(user, {
    endpoints: [cluster.nodes[1]!.url],
    // Probes are not what is tested: the first call must fail over on its own.
    probeIntervalMs: 1000,
    logger: silentLogger,
  });
  cleanup.push(() => server.failover.close());
  return server;
}

/** The tests every build passes; `load` gives that build's rpc.Server class. */
function failsOverWith(load: () => Promise<ServerClass>): void {
  it('fails over from a dead primary through a server of the same build', async () => {
    const Server = await load();
    const [primary, backup] = cluster.nodes;
    const server = wrapped(new Server(primary!.url, { allowHttp: true }));

    // The primary refuses connections: only the server built for the backup can answer.
    expect((await server.getLatestLedger()).sequence).toBe(cluster.head);
    expect((await server.getNetwork()).passphrase).toBe(cluster.networkPassphrase);
    expect(backup!.stats().byMethod['getLatestLedger']).toBe(1);
  });

  it("builds the other endpoints' servers with the user's own class", async () => {
    const Server = await load();
    const answeredBy: string[] = [];
    class UsersServer extends Server {
      override async getLatestLedger() {
        answeredBy.push(this.serverURL.toString());
        return super.getLatestLedger();
      }
    }
    const server = wrapped(new UsersServer(cluster.nodes[0]!.url, { allowHttp: true }));

    await server.getLatestLedger();
    expect(answeredBy).toContain(cluster.nodes[1]!.url);
  });
}

describe.each(ENTRY_POINTS.map(entryPoint))('a server from %s', (entry) => {
  failsOverWith(async () => serverClassIn((await import(entry)) as SdkModule));
});

describe.skipIf(!SECOND_SDK)('a server from a second copy of @stellar/stellar-sdk (test:matrix)', () => {
  it('is another class, of another version, than the SDK switchyard resolves', () => {
    const { Server, version } = secondCopy(SECOND_SDK!);
    const versionOf = (server: rpc.Server) =>
      (server.httpClient.defaults.headers as Record<string, unknown>)['X-Client-Version'];
    expect(Server).not.toBe(rpc.Server);
    expect(versionOf(new Server('https://rpc.invalid'))).toBe(version);
    expect(version).not.toBe(versionOf(new rpc.Server('https://rpc.invalid')));
  });

  failsOverWith(async () => secondCopy(SECOND_SDK!).Server);
});

it('covers every entry point the SDK under test gives an rpc.Server from', () => {
  const dir = process.env['SWITCHYARD_STELLAR_SDK'] ?? 'node_modules/@stellar/stellar-sdk';
  const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const subpaths = Object.keys(exports);
  // A build's root entry comes with an `/rpc` entry; `./contract`, `./base`, `./xdr` … have no server.
  const withServer = subpaths.filter((s) => s.endsWith('/rpc') || subpaths.includes(`${s}/rpc`));
  expect(withServer.sort()).toEqual([...ENTRY_POINTS].sort());
});
