import { once } from 'node:events';
import { copyFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { type DashboardHandler, dashboard } from 'switchyard-rpc/dashboard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFailover, silentLogger } from '../../src/index.js';
import { DASHBOARD_SECRETS, type DashboardCluster, startDashboardCluster } from '../dashboardCluster.js';
import { cellText, launchChromium, openCheckedPage } from './browserPage.js';
import { chromiumOrSkip } from './requireSoftware.js';

// The status page in a real browser (Debian's headless Chromium, driven by playwright-core): served by
// dashboard() on node:http over simulated Soroban and beacon nodes with traffic flowing, it must show a
// fault injected after it loaded (live, over its event stream), with no console error, page error or CSP
// violation; a hostile label must show as text and run nothing. The screenshot goes to artifacts/
// (git-ignored; a CI artifact); with SWITCHYARD_UPDATE_SCREENSHOT=1 it also replaces
// docs/images/dashboard.png, which the README shows.

const browserBinary = chromiumOrSkip();
const root = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = `${root}artifacts/dashboard.png`;
const README_IMAGE = `${root}docs/images/dashboard.png`;
const WAIT_MS = 15_000;

describe.skipIf(!browserBinary.found)('the status page in headless Chromium', () => {
  let cluster: DashboardCluster;
  let handler: DashboardHandler;
  let server: Server;
  let browser: Browser;
  let url: string;
  let traffic = true;
  let flowing: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    cluster = await startDashboardCluster();
    handler = dashboard(
      { soroban: cluster.server.failover, beacon: cluster.monitor },
      { sampleIntervalMs: 250, historyMinutes: 1, title: 'switchyard · simulated cluster' },
    );
    server = createServer(handler).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/switchyard`;
    // A few calls a second, so that the traffic share and the latency lines have something to show.
    flowing = (async () => {
      while (traffic) {
        await cluster.server.getLatestLedger().catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    if (browserBinary.found) browser = await launchChromium(browserBinary.path);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    traffic = false;
    await flowing;
    handler?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await cluster?.close();
  });

  const openPage = () => openCheckedPage(browser);

  const until = async (what: string, condition: () => Promise<boolean>) => {
    const deadline = Date.now() + WAIT_MS;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('shows a fault injected after it loaded, live, without an error or a CSP violation', async () => {
    const { page, problems } = await openPage();
    await page.goto(url);
    const [, keyed] = cluster.labels;
    await until('every endpoint healthy in the table', async () => {
      const states = await Promise.all(cluster.labels.map((l) => cellText(page, 'soroban', l, 'state')));
      return states.every((s) => s === 'healthy');
    });
    await until('bn-2 streaming', async () => (await cellText(page, 'beacon', 'bn-2', 'state')) === 'open');
    // Some seconds of traffic before the fault, for the chart (and the README's screenshot).
    await until('eight seconds of samples', async () =>
      page.evaluate<boolean>(
        `document.querySelectorAll('section[data-source="beacon"] tbody tr:first-child .strip rect').length >= 32`,
      ),
    );

    await cluster.soroban.nodes[1]!.setFaults({ refuse: true });
    await cluster.beacon.nodes[1]!.setFaults({ refuse: true });
    try {
      await until(
        `${keyed} down on the page`,
        async () => (await cellText(page, 'soroban', keyed!, 'state')) === 'down',
      );
      await until(
        'bn-2 waiting on the page',
        async () => (await cellText(page, 'beacon', 'bn-2', 'state')) === 'waiting',
      );
      await until('the degraded event listed', async () =>
        page.evaluate<boolean>(
          `document.querySelector('section[data-source="soroban"] ol.events')?.textContent.includes('→ down') ?? false`,
        ),
      );
      expect(await cellText(page, 'soroban', keyed!, 'reason')).toBe('ECONNREFUSED');
      // Still the page it loaded: the update came over the event stream.
      expect(await page.evaluate<number>(`performance.getEntriesByType('navigation').length`)).toBe(1);
      expect(await page.textContent('#conn')).toBe('live');

      await mkdir(`${root}artifacts`, { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      if (process.env.SWITCHYARD_UPDATE_SCREENSHOT === '1') await copyFile(SCREENSHOT, README_IMAGE);
    } finally {
      await cluster.soroban.nodes[1]!.clearFaults();
      await cluster.beacon.nodes[1]!.clearFaults();
    }

    const content = await page.content();
    for (const secret of DASHBOARD_SECRETS) expect(content.includes(secret), secret).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });
  it('shows a hostile label as text: no element made of it, nothing run', async () => {
    const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    const failover = createFailover({
      endpoints: [{ url: 'http://127.0.0.1:9/', label: hostile }],
      probe: { check: async () => ({ ok: true, latencyMs: 1 }) },
      probeIntervalMs: 100,
      logger: silentLogger,
    });
    const hostileHandler = dashboard({ [hostile]: failover }, { sampleIntervalMs: 100, title: hostile });
    const hostileServer = createServer(hostileHandler).listen(0, '127.0.0.1');
    await once(hostileServer, 'listening');
    const { page, problems } = await openPage();
    try {
      await page.goto(`http://127.0.0.1:${(hostileServer.address() as AddressInfo).port}/`);
      await until('the hostile row', async () =>
        page.evaluate<boolean>(`document.querySelectorAll('tbody tr').length === 1`),
      );
      expect(await page.evaluate<string | undefined>(`document.querySelector('td.label')?.textContent`)).toBe(
        hostile,
      );
      expect(await page.evaluate<string>('document.title')).toBe(hostile);
      expect(await page.evaluate<number>(`document.querySelectorAll('img, main script').length`)).toBe(0);
      expect(await page.evaluate<unknown>('window.pwned')).toBeUndefined();
      expect(problems).toEqual([]);
    } finally {
      await page.close();
      hostileHandler.close();
      hostileServer.closeAllConnections();
      await new Promise((resolve) => hostileServer.close(resolve));
      await failover.close();
    }
  });
});
