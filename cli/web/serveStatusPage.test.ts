import { describe, expect, it } from 'vitest';
import type { DashboardSnapshot } from '../../adapters/dashboard/index.js';
import { createFailover, type FailoverControl, silentLogger } from '../../src/index.js';
import { serveStatusPage } from './serveStatusPage.js';

// The `--web` server of watch and demo: a page that waits for its instances, then shows them, and
// shows a new set in place of the old one (a demo's next part).

/** A failover whose one endpoint is healthy: nothing is called, the probe answers at once. */
function failoverLabelled(label: string): FailoverControl {
  return createFailover({
    endpoints: [{ url: 'http://127.0.0.1:9/', label }],
    probe: { check: async () => ({ ok: true, latencyMs: 1 }) },
    probeIntervalMs: 100,
    logger: silentLogger,
  });
}

describe('serveStatusPage', () => {
  it('asks a browser to come back until it shows, then shows each new set in place of the last', async () => {
    const first = failoverLabelled('first');
    const second = failoverLabelled('second');
    const web = await serveStatusPage({ host: '127.0.0.1', port: 0 });
    try {
      expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const starting = await fetch(web.url);
      expect(starting.status).toBe(503);
      expect(await starting.text()).toContain('<meta http-equiv="refresh" content="1">');

      web.show({ one: first }, { title: 'part one', sampleIntervalMs: 100 });
      const one = (await (await fetch(`${web.url}status.json`)).json()) as DashboardSnapshot;
      expect([one.title, one.sources[0]!.name]).toEqual(['part one', 'one']);
      const stream = await fetch(`${web.url}events`);

      web.show({ two: second }, { title: 'part two', sampleIntervalMs: 100 });
      // The first dashboard is closed: the stream it served ends (a browser reconnects to the next).
      await expect(stream.text()).resolves.toContain('"title":"part one"');
      const two = (await (await fetch(`${web.url}status.json`)).json()) as DashboardSnapshot;
      expect([two.title, two.sources.map((s) => s.name)]).toEqual(['part two', ['two']]);
    } finally {
      await Promise.all([web.close(), web.close()]);
      await Promise.all([first.close(), second.close()]);
    }
    await expect(fetch(web.url)).rejects.toThrow();
  });
});
