import type { Emitter, FailoverEvents } from '../events.js';
import type { Clock, LeaseDecision, Logger, SharedEndpointRecord, StateStore } from '../interfaces.js';
import { publishProbeResult, takeProbeLease } from '../state/sharedHealth.js';
import { TaskSet } from '../TaskSet.js';

export interface ProbeSharingDeps {
  store: StateStore;
  /** Who this instance is in the store's leases. */
  ownerId: string;
  clock: Clock;
  logger: Logger;
  events: Emitter<FailoverEvents>;
  /** How long a lease lasts: one probe interval, so each endpoint is probed about once per interval in all. */
  leaseMs: number;
  /** A store slower than this is treated as unavailable for this round: probe locally. */
  timeoutMs: number;
}

const TIMED_OUT = Symbol('timed out');

/**
 * Splits probing between the instances (and processes) that share a {@link StateStore}: the
 * first to take an endpoint's lease for an interval probes it and publishes the result, the
 * others use that result. Never throws: when the store fails or is slow, this instance probes on
 * its own, and the trouble is reported once until the store works again.
 */
export class ProbeSharing {
  readonly #deps: ProbeSharingDeps;
  readonly #operations = new TaskSet();
  #failing = false;

  constructor(deps: ProbeSharingDeps) {
    this.#deps = deps;
  }

  /** Takes the lease of endpoint `id`, or returns what its holder published. */
  async claim(id: string): Promise<LeaseDecision> {
    const { store, ownerId, clock, leaseMs } = this.#deps;
    let decision: LeaseDecision = { kind: 'probe' };
    const ok = await this.#attempt(async () => {
      if (store.claimProbe) {
        decision = await store.claimProbe(id, ownerId, leaseMs);
        return;
      }
      await store.update((state) => {
        const taken = takeProbeLease(state, id, ownerId, clock.wallNow(), leaseMs);
        decision = taken.decision;
        return taken.state;
      });
    });
    return ok ? decision : { kind: 'probe' };
  }

  /** Publishes this instance's probe result for endpoint `id`. */
  async publish(id: string, record: SharedEndpointRecord): Promise<void> {
    const { store, ownerId } = this.#deps;
    await this.#attempt(() =>
      store.publishProbe
        ? store.publishProbe(id, record, ownerId)
        : store.update((state) => publishProbeResult(state, id, record)),
    );
  }

  /**
   * Calls `listener` with every result another instance publishes, as it lands, when the store can push
   * (`onPublished`); otherwise results arrive through `claim`. Returns an unsubscribe.
   */
  watch(listener: (id: string, record: SharedEndpointRecord) => void): () => void {
    const { store, ownerId } = this.#deps;
    if (!store.onPublished) return () => undefined;
    return store.onPublished((id, record, owner) => {
      if (owner !== ownerId) listener(id, record);
    });
  }

  /** Resolves when every store operation started here has ended, including ones that outlived their time limit. */
  settled(): Promise<void> {
    return this.#operations.settled();
  }

  /** Runs one store operation within the time limit; false when it failed or took too long. */
  async #attempt(start: () => Promise<unknown>): Promise<boolean> {
    let operation: Promise<unknown>;
    try {
      // A store that throws instead of rejecting must not escape: this class never throws.
      operation = this.#operations.track(start());
    } catch (error) {
      this.#failed(error);
      return false;
    }
    const { clock, timeoutMs } = this.#deps;
    let cancel: (() => void) | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      cancel = clock.setTimeout(() => resolve(TIMED_OUT), timeoutMs);
    });
    try {
      const outcome = await Promise.race([operation, timeout]);
      if (outcome === TIMED_OUT) {
        // The operation goes on and may still land; its failure, if any, is reported below.
        operation.catch((error: unknown) => this.#failed(error));
        this.#failed(new Error(`state store took longer than ${timeoutMs} ms`));
        return false;
      }
      this.#recovered();
      return true;
    } catch (error) {
      this.#failed(error);
      return false;
    } finally {
      cancel?.();
    }
  }

  #failed(error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    const err = error instanceof Error ? error : new Error(String(error));
    this.#deps.logger.error({ err }, 'switchyard: state store unavailable; probing locally');
    this.#deps.events.emit('error', { source: 'state-store', error: err });
  }

  #recovered(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#deps.logger.info('switchyard: state store is available again; sharing probes');
  }
}
