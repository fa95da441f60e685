import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultStep } from './faultTimeline.js';

export interface TimelinePlayerContext {
  /** When the run ends, in ms from its start. */
  durationMs: number;
  /** Ms since the start of the run. */
  elapsed(): number;
  /** An event line for each step as its faults come into force. */
  note(text: string): void;
  /** Aborting it ends the run early. */
  signal: AbortSignal | undefined;
}

/**
 * Plays the fault timeline of a demo run: applies each step at its time, keeps the step in
 * force for the display, and calls a refresh function regularly until the end of the run.
 *
 * @example
 * const steps = faultTimeline(30_000, nodes, { headUnit: 'ledgers' });
 * const timeline = new TimelinePlayer(steps, { durationMs: 30_000, elapsed, note, signal });
 * const { interrupted } = await timeline.play(() => display.refresh(view(timeline.step)), 250);
 */
export class TimelinePlayer {
  readonly #steps: readonly FaultStep[];
  readonly #ctx: TimelinePlayerContext;
  #step = 'starting';

  constructor(steps: readonly FaultStep[], ctx: TimelinePlayerContext) {
    this.#steps = steps;
    this.#ctx = ctx;
  }

  /** The step in force, as shown to people: `step 3/6: node-a dead (refuses connections)`. */
  get step(): string {
    return this.#step;
  }

  /**
   * Plays every step, calling `tick` every `tickMs` meanwhile. Resolves with
   * `interrupted: true` when the signal ended the run early; other errors are thrown.
   */
  async play(tick: () => void, tickMs: number): Promise<{ interrupted: boolean }> {
    const { elapsed, signal, note } = this.#ctx;
    const ticker = setInterval(tick, tickMs);
    try {
      for (const [index, { atMs, label, apply }] of this.#steps.entries()) {
        await sleep(Math.max(0, atMs - elapsed()), undefined, { signal });
        await apply();
        this.#step = `step ${index + 1}/${this.#steps.length}: ${label}`;
        note(this.#step);
      }
      await sleep(Math.max(0, this.#ctx.durationMs - elapsed()), undefined, { signal });
      return { interrupted: false };
    } catch (error) {
      if (!signal?.aborted) throw error;
      return { interrupted: true };
    } finally {
      clearInterval(ticker);
    }
  }
}
