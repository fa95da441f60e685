import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../endpoint.js';
import type { EndpointHealth, EndpointState, RouteRanking } from '../health/snapshot.js';
import { ScoreRouter } from './ScoreRouter.js';

function endpoint(id: string, options: { priority?: number; weight?: number } = {}): Endpoint {
  return {
    id,
    url: `https://${id}.example/`,
    label: id,
    headers: {},
    priority: options.priority ?? 0,
    weight: options.weight ?? 1,
  };
}

function health(
  ep: Endpoint,
  state: EndpointState,
  latencyMs: number | undefined,
  consecutiveFailures = 0,
): EndpointHealth {
  return {
    endpoint: ep,
    state,
    reason: undefined,
    breaker: state === 'down' ? 'open' : 'closed',
    latencyMs,
    p95Ms: latencyMs,
    head: undefined,
    lag: undefined,
    consecutiveFailures,
    rateLimitedUntil: 0,
  };
}

const ids = (endpoints: readonly Endpoint[]) => endpoints.map((e) => e.id);

/** A ranking whose first choice (and share group) is `first`, as `previous` for hysteresis. */
function previousWith(first: Endpoint, shared: Endpoint[] = [first]): RouteRanking {
  return { route: [first], shareGroup: shared, shareWeight: shared.reduce((s, e) => s + e.weight, 0) };
}

/** Seeded PRNG (mulberry32), uniform in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const a = endpoint('a');
const b = endpoint('b');
const c = endpoint('c');
const d = endpoint('d');

describe('ScoreRouter.rank: ordering', () => {
  const router = new ScoreRouter();

  it('puts healthy before slow before lagging, whatever their latency', () => {
    const ranking = router.rank(
      [health(a, 'lagging', 5), health(b, 'slow', 10), health(c, 'healthy', 400)],
      undefined,
    );
    expect(ids(ranking.route)).toEqual(['c', 'b', 'a']);
  });

  it('leaves out down and rate-limited endpoints', () => {
    const ranking = router.rank(
      [
        health(a, 'down', 5),
        health(b, 'rate-limited', 5),
        health(c, 'lagging', 50),
        health(d, 'healthy', 90),
      ],
      undefined,
    );
    expect(ids(ranking.route)).toEqual(['d', 'c']);
  });

  it('returns an empty ranking when nothing is usable', () => {
    expect(router.rank([health(a, 'down', 5), health(b, 'rate-limited', 5)], undefined)).toEqual({
      route: [],
      shareGroup: [],
      shareWeight: 0,
    });
    expect(router.rank([], undefined)).toEqual({ route: [], shareGroup: [], shareWeight: 0 });
  });

  it('orders endpoints of one class by latency', () => {
    const ranking = router.rank(
      [health(a, 'healthy', 300), health(b, 'healthy', 100), health(c, 'healthy', 200)],
      undefined,
    );
    expect(ids(ranking.route)).toEqual(['b', 'c', 'a']);
  });

  it('treats unknown like healthy, after measured endpoints, in configured order', () => {
    const ranking = router.rank(
      [
        health(a, 'unknown', undefined),
        health(b, 'slow', 50),
        health(c, 'unknown', undefined),
        health(d, 'healthy', 300),
      ],
      undefined,
    );
    expect(ids(ranking.route)).toEqual(['d', 'a', 'c', 'b']);
  });

  it('sinks an endpoint with consecutive failed calls before its breaker opens', () => {
    const ranking = router.rank([health(a, 'healthy', 50, 2), health(b, 'healthy', 200)], undefined);
    expect(ids(ranking.route)).toEqual(['b', 'a']);
  });

  it('does not modify the health array it is given', () => {
    const input = [health(a, 'healthy', 300), health(b, 'healthy', 100)];
    router.rank(input, undefined);
    expect(input.map((h) => h.endpoint.id)).toEqual(['a', 'b']);
  });
});

describe('ScoreRouter.rank: priority tiers', () => {
  const router = new ScoreRouter();
  const own = endpoint('own', { priority: 0 });
  const paid = endpoint('paid', { priority: 1 });

  it('prefers the lower priority number within one health class, even when slower', () => {
    const ranking = router.rank([health(paid, 'healthy', 20), health(own, 'healthy', 300)], undefined);
    expect(ids(ranking.route)).toEqual(['own', 'paid']);
  });

  it('puts a healthy endpoint of any tier before a slow endpoint of any tier', () => {
    const ranking = router.rank([health(own, 'slow', 600), health(paid, 'healthy', 100)], undefined);
    expect(ids(ranking.route)).toEqual(['paid', 'own']);
  });

  it('orders tiers within the slow class too', () => {
    const slowOwn = endpoint('slow-own', { priority: 0 });
    const slowPaid = endpoint('slow-paid', { priority: 1 });
    const ranking = router.rank(
      [health(slowPaid, 'slow', 550), health(paid, 'lagging', 10), health(slowOwn, 'slow', 900)],
      undefined,
    );
    expect(ids(ranking.route)).toEqual(['slow-own', 'slow-paid', 'paid']);
  });
});

describe('ScoreRouter.rank: hysteresis', () => {
  const router = new ScoreRouter({ hysteresisRatio: 0.25, hysteresisMs: 15 });

  it('keeps the incumbent first when a challenger is only slightly faster', () => {
    const ranking = router.rank([health(a, 'healthy', 90), health(b, 'healthy', 100)], previousWith(b));
    expect(ranking.route[0]).toBe(b);
    expect(ids(ranking.route)).toEqual(['b', 'a']);
  });

  it('replaces the incumbent when a challenger is clearly faster', () => {
    const ranking = router.rank([health(a, 'healthy', 40), health(b, 'healthy', 100)], previousWith(b));
    expect(ranking.route[0]).toBe(a);
  });

  it('needs the challenger to be faster by more than hysteresisMs when latencies are small', () => {
    // 12 ms faster (60 %), below the 15 ms floor: noise.
    expect(router.rank([health(a, 'healthy', 8), health(b, 'healthy', 20)], previousWith(b)).route[0]).toBe(
      b,
    );
    // 20 ms faster (50 %): clearly faster.
    expect(router.rank([health(a, 'healthy', 20), health(b, 'healthy', 40)], previousWith(b)).route[0]).toBe(
      a,
    );
  });

  it('replaces the incumbent only when faster by more than hysteresisRatio of the incumbent’s latency', () => {
    // Documented: "replaces the current first choice only when it is faster by more than this share of
    // the current one's latency". 76 ms is 24 % faster than 100 ms: below 25 %, so b stays first.
    const kept = router.rank([health(a, 'healthy', 76), health(b, 'healthy', 100)], previousWith(b));
    expect(kept.route[0]).toBe(b);
    // 70 ms is 30 % faster: replaced.
    const replaced = router.rank([health(a, 'healthy', 70), health(b, 'healthy', 100)], previousWith(b));
    expect(replaced.route[0]).toBe(a);
  });

  it('drops the incumbent at once when it leaves the healthy class', () => {
    const ranking = router.rank([health(a, 'healthy', 100), health(b, 'slow', 95)], previousWith(b));
    expect(ids(ranking.route)).toEqual(['a', 'b']);
  });

  it('drops the incumbent when a lower priority tier is healthy again', () => {
    const own = endpoint('own', { priority: 0 });
    const paid = endpoint('paid', { priority: 1 });
    const ranking = router.rank(
      [health(own, 'healthy', 100), health(paid, 'healthy', 95)],
      previousWith(paid),
    );
    expect(ranking.route[0]).toBe(own);
  });

  it('forgets an incumbent that is no longer usable', () => {
    const ranking = router.rank([health(a, 'healthy', 90), health(b, 'down', 10)], previousWith(b));
    expect(ids(ranking.route)).toEqual(['a']);
  });

  it('applies the configured ratio', () => {
    const loose = new ScoreRouter({ hysteresisRatio: 1, hysteresisMs: 0 });
    // 100 ≤ 60 + 60: within a 100 % band, the incumbent stays.
    expect(loose.rank([health(a, 'healthy', 60), health(b, 'healthy', 100)], previousWith(b)).route[0]).toBe(
      b,
    );
    const tight = new ScoreRouter({ hysteresisRatio: 0, hysteresisMs: 0 });
    expect(tight.rank([health(a, 'healthy', 99), health(b, 'healthy', 100)], previousWith(b)).route[0]).toBe(
      a,
    );
  });
});

describe('ScoreRouter.rank: share group', () => {
  const router = new ScoreRouter({ hysteresisRatio: 0.25, hysteresisMs: 15 });

  it('groups the leader with endpoints of its tier within the band, summing their weights', () => {
    const heavy = endpoint('heavy', { weight: 3 });
    const other = endpoint('other-tier', { priority: 1 });
    const ranking = router.rank(
      [
        health(heavy, 'healthy', 100),
        health(a, 'healthy', 120),
        health(b, 'healthy', 200),
        health(other, 'healthy', 100),
      ],
      undefined,
    );
    expect(ids(ranking.shareGroup)).toEqual(['heavy', 'a']);
    expect(ranking.shareWeight).toBe(4);
    expect(ids(ranking.route)).toEqual(['heavy', 'a', 'b', 'other-tier']);
  });

  it('never groups endpoints of different health classes', () => {
    const ranking = router.rank([health(a, 'healthy', 100), health(b, 'slow', 100)], undefined);
    expect(ids(ranking.shareGroup)).toEqual(['a']);
    expect(ranking.shareWeight).toBe(1);
  });

  it('makes leaving the group harder than joining it', () => {
    // Band 25 ms around 100 ms: 140 ms does not join, but a previous member stays within twice the band.
    const fresh = router.rank([health(a, 'healthy', 100), health(b, 'healthy', 140)], undefined);
    expect(ids(fresh.shareGroup)).toEqual(['a']);
    const kept = router.rank([health(a, 'healthy', 100), health(b, 'healthy', 140)], previousWith(a, [a, b]));
    expect(ids(kept.shareGroup)).toEqual(['a', 'b']);
    const left = router.rank([health(a, 'healthy', 100), health(b, 'healthy', 160)], previousWith(a, [a, b]));
    expect(ids(left.shareGroup)).toEqual(['a']);
  });

  it('groups unmeasured endpoints only with other unmeasured ones', () => {
    const ranking = router.rank(
      [health(a, 'unknown', undefined), health(b, 'unknown', undefined)],
      undefined,
    );
    expect(ids(ranking.shareGroup)).toEqual(['a', 'b']);
    const mixed = router.rank([health(a, 'healthy', 100), health(b, 'unknown', undefined)], undefined);
    expect(ids(mixed.shareGroup)).toEqual(['a']);
  });

  it('keeps the share group a leading part of the route', () => {
    // b (130 ms) is outside the band of a (100 ms); c (140 ms) was shared before, so it stays within the
    // wider band. The group must still be the head of the route: c cannot share while faster b does not.
    const ranking = router.rank(
      [health(a, 'healthy', 100), health(b, 'healthy', 130), health(c, 'healthy', 140)],
      previousWith(a, [a, c]),
    );
    expect(ids(ranking.route)).toEqual(['a', 'b', 'c']);
    expect(ids(ranking.shareGroup)).toEqual(ids(ranking.route.slice(0, ranking.shareGroup.length)));
  });
});

describe('ScoreRouter.plan', () => {
  it('returns the route itself when only one endpoint shares, without drawing a random number', () => {
    const router = new ScoreRouter({
      random: () => {
        throw new Error('random must not be used');
      },
    });
    const ranking = router.rank([health(a, 'healthy', 100), health(b, 'healthy', 300)], undefined);
    expect(ranking.shareGroup).toHaveLength(1);
    expect(router.plan(ranking)).toBe(ranking.route);
  });

  it('returns the empty route when nothing is usable', () => {
    const router = new ScoreRouter();
    const ranking = router.rank([], undefined);
    expect(router.plan(ranking)).toEqual([]);
  });

  it('picks by weight: the ticket falls in each endpoint’s share of the total', () => {
    const heavy = endpoint('heavy', { weight: 3 });
    const light = endpoint('light', { weight: 1 });
    let next = 0;
    const router = new ScoreRouter({ random: () => next });
    const ranking = router.rank([health(heavy, 'healthy', 100), health(light, 'healthy', 100)], undefined);
    expect(ranking.shareWeight).toBe(4);
    next = 0;
    expect(ids(router.plan(ranking))).toEqual(['heavy', 'light']);
    next = 0.74;
    expect(ids(router.plan(ranking))).toEqual(['heavy', 'light']);
    next = 0.76;
    expect(ids(router.plan(ranking))).toEqual(['light', 'heavy']);
    next = 0.999;
    expect(ids(router.plan(ranking))).toEqual(['light', 'heavy']);
  });

  it('splits traffic 3:1 by weight over many plans', () => {
    const heavy = endpoint('heavy', { weight: 3 });
    const light = endpoint('light', { weight: 1 });
    const router = new ScoreRouter({ random: seeded(42) });
    const ranking = router.rank([health(light, 'healthy', 100), health(heavy, 'healthy', 105)], undefined);
    expect(ids(ranking.shareGroup)).toEqual(['light', 'heavy']);
    const firsts = { heavy: 0, light: 0 };
    const plans = 10_000;
    for (let i = 0; i < plans; i++) firsts[router.plan(ranking)[0]!.id as 'heavy' | 'light']++;
    expect(firsts.heavy / plans).toBeGreaterThan(0.72);
    expect(firsts.heavy / plans).toBeLessThan(0.78);
    expect(firsts.heavy + firsts.light).toBe(plans);
  });

  it('puts the chosen endpoint first and keeps the rest in route order, each once', () => {
    let next = 0.99;
    const router = new ScoreRouter({ random: () => next });
    const ranking = router.rank(
      [
        health(a, 'healthy', 100),
        health(b, 'healthy', 105),
        health(c, 'healthy', 110),
        health(d, 'slow', 600),
      ],
      undefined,
    );
    expect(ids(ranking.shareGroup)).toEqual(['a', 'b', 'c']);
    expect(ids(router.plan(ranking))).toEqual(['c', 'a', 'b', 'd']);
    next = 0.5;
    expect(ids(router.plan(ranking))).toEqual(['b', 'a', 'c', 'd']);
    expect(ids(ranking.route)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('returns the route unchanged when the draw picks the first endpoint', () => {
    const router = new ScoreRouter({ random: () => 0 });
    const ranking = router.rank([health(a, 'healthy', 100), health(b, 'healthy', 100)], undefined);
    expect(router.plan(ranking)).toBe(ranking.route);
  });
});
