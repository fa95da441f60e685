import { StrKey } from '@stellar/stellar-sdk';
import { nodeSpecs, SimulatedCluster } from '../simulated/SimulatedCluster.js';
import { waitForHead } from '../simulated/waitForHead.js';
import { Ledger, ledgerConfig } from './Ledger.js';
import type { SorobanClusterOptions } from './options.js';
import { createNode, type SorobanSimulator } from './SorobanSimulator.js';

/**
 * Several simulated nodes sharing one ledger clock and one transaction pool: a transaction sent to any node
 * is included at the next ledger close, and resending it to any node answers DUPLICATE.
 *
 * @example
 * const cluster = await new SorobanCluster({ nodes: 3, ledgerIntervalMs: 100 }).start();
 * const [primary, backup] = cluster.nodes;
 * await backup!.setFaults({ lag: 4 });
 * await cluster.waitForLedger(cluster.head + 1);
 * await cluster.close();
 */
export class SorobanCluster extends SimulatedCluster<SorobanSimulator> {
  /** The nodes, in the order given by `options.nodes`. */
  readonly nodes: readonly SorobanSimulator[];
  /** Passphrase every node hashes transactions with. */
  readonly networkPassphrase: string;
  private readonly ledger: Ledger;

  constructor(options: SorobanClusterOptions = {}) {
    const { nodes = 3, ...network } = options;
    const ledger = new Ledger(ledgerConfig(network));
    super(ledger);
    this.ledger = ledger;
    this.networkPassphrase = ledger.config.passphrase;
    this.nodes = nodeSpecs(nodes).map((spec, index) => createNode(this, ledger, spec, index));
  }

  /** Latest closed ledger of the cluster; a node's head may trail it. */
  get head(): number {
    return this.ledger.head;
  }

  /**
   * Closes a ledger now, including every pending transaction; returns the new head.
   *
   * @example
   * const cluster = await new SorobanCluster({ ledgerIntervalMs: 0 }).start(); // manual clock
   * cluster.closeLedger();
   */
  closeLedger(): number {
    return this.ledger.close();
  }

  /**
   * Resolves with the head once the cluster head reaches `sequence`.
   *
   * @example
   * await cluster.waitForLedger(cluster.head + 2);
   */
  waitForLedger(sequence: number, timeoutMs = 30_000): Promise<number> {
    return waitForHead(this.ledger, sequence, timeoutMs, 'ledger');
  }

  /**
   * Creates (or resets) an account so `getLedgerEntries`, and thus `server.getAccount()`, find it on every
   * node. Its sequence follows the transactions it sources once they are included.
   *
   * @example
   * cluster.seedAccount(keypair.publicKey(), '100');
   * const account = await server.getAccount(keypair.publicKey()); // sequence '100'
   */
  seedAccount(accountId: string, sequence = '0'): void {
    if (!StrKey.isValidEd25519PublicKey(accountId)) throw new TypeError(`invalid account id: ${accountId}`);
    this.ledger.seedAccount(accountId, sequence);
  }
}
