import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { cellText, launchChromium, openCheckedPage } from './browserPage.js';
import { chromiumOrSkip } from './requireSoftware.js';

// What a new user does: `switchyard demo --web`, then opens the printed URL. The BUILT demo
// (globalSetup builds dist/) serves its Soroban part's failover; headless Chromium opens the page
// once, sees the demo's three nodes healthy, then sees the demo's own fault timeline take node-a out
// of healthy (its first fault comes at 15% of the run, after the page loaded), live over the page's
// event stream, with no console error, page error or CSP violation. The screenshot goes to
// artifacts/ (git-ignored; a CI artifact).

const browserBinary = chromiumOrSkip();
const root = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${root}dist/cli/switchyard.js`;
const SCREENSHOT = `${root}artifacts/demo-dashboard.png`;
/** The first fault (node-a slow) comes at 15% of it: 4.5 s after the traffic starts. */
const DEMO_SECONDS = 30;
const NODES = ['node-a', 'node-b', 'node-c'];
const WAIT_MS = 20_000;

describe.skipIf(!browserBinary.found)('switchyard demo --web in headless Chromium', () => {
  let browser: Browser | undefined;
  let demo: ChildProcessByStdio<null, Readable, Readable> | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  let stdout = '';
  let stderr = '';

  beforeAll(async () => {
    // Ready before the demo starts: the page must load before the demo's first fault.
    if (browserBinary.found) browser = await launchChromium(browserBinary.path);
  }, 30_000);

  // A failed assertion must not leave the demo (and its nodes) or the browser running.
  afterAll(async () => {
    await browser?.close();
    demo?.kill('SIGKILL');
    await exited;
  });

  it('shows a fault of the demo’s timeline injected after the page loaded, live, without an error', async () => {
    demo = spawn(
      process.execPath,
      [CLI, 'demo', '--chain', 'soroban', '--duration', String(DEMO_SECONDS), '--web', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    exited = once(demo, 'close').then(([code]) => code as number | null);
    demo.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    demo.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    let url = '';
    await waitFor(
      () => {
        url = /^web: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(stdout)?.[1] ?? '';
        return url !== '';
      },
      'the status page URL on stdout',
      WAIT_MS,
    );
    // The page answers 503 (and reloads itself) until the part's nodes run: go there once they do.
    await waitFor(async () => (await fetch(`${url}status.json`)).status === 200, 'the part shown', WAIT_MS);

    const { page, problems } = await openCheckedPage(browser!);
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    await page.goto(url);
    let stdoutWhenHealthy = '';
    await waitFor(
      async () => {
        const states = await Promise.all(NODES.map((label) => cellText(page, 'soroban', label, 'state')));
        stdoutWhenHealthy = stdout;
        return states.every((state) => state === 'healthy');
      },
      'the three nodes healthy on the page',
      WAIT_MS,
    );
    // The page loaded, live, before the timeline's first fault.
    expect(stdoutWhenHealthy).toContain('step 1/6: all healthy');
    expect(stdoutWhenHealthy).not.toContain('step 2/6');

    let faulty: string | null = null;
    await waitFor(
      async () => {
        faulty = await cellText(page, 'soroban', 'node-a', 'state');
        return faulty !== null && faulty !== 'healthy';
      },
      'node-a no longer healthy on the page',
      WAIT_MS,
    );
    expect(stdout).toContain('step 2/6: node-a slow');
    expect(['slow', 'down']).toContain(faulty);
    expect(await page.evaluate<string>('document.title')).toBe('switchyard demo · soroban');
    // Still the page it loaded: the change came over the event stream.
    expect(navigations).toBe(1);
    expect(await page.textContent('#conn')).toBe('live');
    await mkdir(`${root}artifacts`, { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    // Before the demo stops: then the page's stream drops, as it should.
    expect(problems).toEqual([]);
    await page.close();

    demo.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toContain('summary (interrupted)');
    expect(stderr).toBe('');
    // The status page went with the demo.
    await expect(fetch(`${url}status.json`)).rejects.toThrow();
  });
});
