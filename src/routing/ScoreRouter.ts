import type { Endpoint } from '../endpoint.js';
import type { EndpointHealth, EndpointState, RouteRanking } from '../health/snapshot.js';
import type { Router } from '../interfaces.js';

export interface ScoreRouterConfig {
  /**
   * An endpoint replaces the current first choice only when it is faster by more than this
   * share of the current one's latency (no flapping between two similar endpoints).
   * @default 0.25
   */
  hysteresisRatio?: number;
  /** ...and by more than this many ms (latencies of a few ms are noise). @default 15 */
  hysteresisMs?: number;
  /** Score penalty per consecutive failed call, so a failing endpoint sinks before its breaker opens. @default 100 */
  failurePenaltyMs?: number;
  /** Random source for weighted picks (tests make it deterministic). @default Math.random */
  random?: () => number;
}

// Lower is better. Down and rate-limited endpoints are not routable at all.
const CLASS_OF: Record<EndpointState, number | undefined> = {
  healthy: 0,
  unknown: 0,
  slow: 1,
  lagging: 2,
  'rate-limited': undefined,
  down: undefined,
};

interface Candidate {
  health: EndpointHealth;
  cls: number;
  score: number;
  index: number;
}

/**
 * The default {@link Router}: healthy before slow before lagging, then by priority tier, then
 * by latency score with hysteresis. Equally good endpoints of the best tier share traffic by
 * weight.
 *
 * @example
 * const router = new ScoreRouter({ hysteresisRatio: 0.5 });
 * createFailover({ endpoints, probe, router });
 */
export class ScoreRouter implements Router {
  readonly #ratio: number;
  readonly #marginMs: number;
  readonly #penaltyMs: number;
  readonly #random: () => number;

  constructor(config: ScoreRouterConfig = {}) {
    this.#ratio = config.hysteresisRatio ?? 0.25;
    this.#marginMs = config.hysteresisMs ?? 15;
    this.#penaltyMs = config.failurePenaltyMs ?? 100;
    this.#random = config.random ?? Math.random;
  }

  rank(health: readonly EndpointHealth[], previous: RouteRanking | undefined): RouteRanking {
    const candidates: Candidate[] = [];
    health.forEach((h, index) => {
      const cls = CLASS_OF[h.state];
      if (cls === undefined) return;
      // Unmeasured endpoints sort after measured ones of the same class, in configured order.
      const score = (h.latencyMs ?? Number.POSITIVE_INFINITY) + this.#penaltyMs * h.consecutiveFailures;
      candidates.push({ health: h, cls, score, index });
    });
    candidates.sort((a, b) => (sameTier(a, b) ? a.score - b.score || a.index - b.index : tierOrder(a, b)));

    const best = candidates[0];
    if (!best) return { route: [], shareGroup: [], shareWeight: 0 };
    const wasFirst = previous?.route[0]?.id;
    const incumbent = candidates.find((c) => c.health.endpoint.id === wasFirst);
    if (
      incumbent &&
      incumbent !== best &&
      sameTier(incumbent, best) &&
      this.#keeps(incumbent.score, best.score)
    ) {
      candidates.splice(candidates.indexOf(incumbent), 1);
      candidates.unshift(incumbent);
    }

    const leader = candidates[0]!;
    const wasShared = new Set(previous?.shareGroup.map((e) => e.id));
    // The leading run of endpoints about as good as the leader; a former member stays in a wider band.
    const shareGroup: Endpoint[] = [];
    for (const c of candidates) {
      const band = wasShared.has(c.health.endpoint.id) ? 2 : 1;
      if (!sameTier(c, leader) || !this.#close(c.score, leader.score, band)) break;
      shareGroup.push(c.health.endpoint);
    }
    return {
      route: candidates.map((c) => c.health.endpoint),
      shareGroup,
      shareWeight: shareGroup.reduce((sum, e) => sum + e.weight, 0),
    };
  }

  plan(ranking: RouteRanking): readonly Endpoint[] {
    if (ranking.shareGroup.length <= 1) return ranking.route;
    let ticket = this.#random() * ranking.shareWeight;
    const chosen =
      ranking.shareGroup.find((e) => {
        ticket -= e.weight;
        return ticket < 0;
      }) ?? ranking.shareGroup[0]!;
    if (chosen === ranking.route[0]) return ranking.route;
    return [chosen, ...ranking.route.filter((e) => e !== chosen)];
  }

  /** Does the incumbent keep first place? Only a challenger faster by the band of the incumbent's own latency takes it. */
  #keeps(incumbent: number, challenger: number): boolean {
    if (!Number.isFinite(incumbent)) return !Number.isFinite(challenger);
    return incumbent - challenger <= Math.max(incumbent * this.#ratio, this.#marginMs);
  }

  /** Is `score` within the hysteresis band of `reference`? `widen` makes leaving harder than joining. */
  #close(score: number, reference: number, widen: number): boolean {
    if (!Number.isFinite(score) || !Number.isFinite(reference)) return score === reference;
    return score <= reference + widen * Math.max(reference * this.#ratio, this.#marginMs);
  }
}

function sameTier(a: Candidate, b: Candidate): boolean {
  return a.cls === b.cls && a.health.endpoint.priority === b.health.endpoint.priority;
}

function tierOrder(a: Candidate, b: Candidate): number {
  return a.cls - b.cls || a.health.endpoint.priority - b.health.endpoint.priority;
}
