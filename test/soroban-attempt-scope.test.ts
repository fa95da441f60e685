import {
  Account,
  Keypair,
  Networks,
  Operation,
  type rpc,
  TransactionBuilder,
  xdr,
} from '@stellar/stellar-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindToAttemptScope, runInAttemptScope } from '../adapters/soroban/attemptScope.js';
import { SOROBAN_METHOD_ROUTES } from '../adapters/soroban/index.js';
import { type RpcStub, startRpcStub, stellarSdkMajor, waitFor } from './helpers.js';

// The attempt scope reaches a request only if the SDK method calls `httpClient.post` before its first
// `await` (attemptScope.ts hands it over synchronously). This holds every routed method of every
// build to that: the request goes out marked as sent, and aborting the attempt's signal ends it.
const BUILDS = stellarSdkMajor() >= 16 ? ['', '/axios'] : ['', '/minimal', '/no-axios', '/no-eventsource'];

const transaction = () => {
  const keypair = Keypair.random();
  const tx = new TransactionBuilder(new Account(keypair.publicKey(), '1'), {
    fee: '100',
    networkPassphrase: Networks.TESTNET,
  })
    .addOperation(Operation.bumpSequence({ bumpTo: '0' }))
    .setTimeout(30)
    .build();
  tx.sign(keypair);
  return tx;
};
const ledgerKey = () =>
  xdr.LedgerKey.account(new xdr.LedgerKeyAccount({ accountId: Keypair.random().xdrPublicKey() }));

/** Arguments each routed method accepts (the answer never comes: only the request matters). */
const ARGUMENTS: Record<string, () => unknown[]> = {
  getLedgers: () => [{ startLedger: 1 }],
  getLedgerEntries: () => [ledgerKey()],
  getTransaction: () => ['a'.repeat(64)],
  getTransactions: () => [{ startLedger: 1 }],
  getEvents: () => [{ startLedger: 1, filters: [] }],
  simulateTransaction: () => [transaction()],
  sendTransaction: () => [transaction()],
};
const argumentsOf = (method: string) => ARGUMENTS[method.replace(/^_/, '')]?.() ?? [];

let stub: RpcStub;
beforeAll(async () => {
  stub = await startRpcStub(() => ({ result: {}, delayMs: 10_000 }));
});
afterAll(() => stub.close());

describe.each(BUILDS)('a server from @stellar/stellar-sdk%s', (build) => {
  it("hands every routed method's request the attempt's signal", async () => {
    const sdk = (await import(`@stellar/stellar-sdk${build}`)) as { rpc: { Server: typeof rpc.Server } };
    const server = new sdk.rpc.Server(stub.url, { allowHttp: true });
    const unbind = bindToAttemptScope(server, 10_000);
    const methods = Object.keys(SOROBAN_METHOD_ROUTES).filter(
      (name) => SOROBAN_METHOD_ROUTES[name] !== 'composite' && name in server,
    );
    try {
      for (const method of methods) {
        const abortedBefore = stub.aborted;
        const callsBefore = stub.calls.length;
        const controller = new AbortController();
        const scope = { signal: controller.signal, sent: false };
        const call = runInAttemptScope(scope, () =>
          (server as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(
            ...argumentsOf(method),
          ),
        );
        const settled = call.then(
          () => 'answered',
          () => 'rejected',
        );
        await waitFor(() => stub.calls.length > callsBefore, `${method}'s request`);
        expect(stub.calls.at(-1)).toBe(method.replace(/^_/, ''));
        expect({ method, sent: scope.sent }).toEqual({ method, sent: true });
        controller.abort();
        expect(await settled).toBe('rejected');
        await waitFor(() => stub.aborted === abortedBefore + 1, `${method}'s request aborted`);
      }
    } finally {
      unbind();
    }
  });
});
