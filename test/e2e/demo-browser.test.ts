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
// event stream, with no console error, page error or CSP violation; and the same tab, still
// unreloaded, follows the demo from its Soroban part to its beacon part. The screenshot goes to
// artifacts/ (git-ignored; a CI artifact).

const browserBinary = chromiumOrSkip();
const root = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${root}dist/cli/switchyard.js`;
const SCREENSHOT = `${root}artifacts/demo-dashboard.png`;
/** The first fault (node-a slow) comes at 15% of it: 4.5 s after the traffic starts. */
const DEMO_SECONDS = 30;
const NODES = ['node-a', 'node-b', 'node-c'];
const WAIT_MS = 20_000;

/** A run of the built demo and what it printed so far. */
interface Demo {
  child: ChildProcessByStdio<null, Readable, Readable>;
  stdout: string;
  stderr: string;
  /** The exit code, once the output is complete too. */
  exited: Promise<number | null>;
}

describe.skipIf(!browserBinary.found)('switchyard demo --web in headless Chromium', () => {
  let browser: Browser | undefined;
  const started: Demo[] = [];

  beforeAll(async () => {
    // Ready before the demo starts: the page must load before the demo's first fault.
    if (browserBinary.found) browser = await launchChromium(browserBinary.path);
  }, 30_000);

  // A failed assertion must not leave a demo (and its nodes) or the browser running.
  afterAll(async () => {
    await browser?.close();
    for (const { child, exited } of started) {
      child.kill('SIGKILL');
      await exited;
    }
  });

  /** The built demo with `args` and `--web 127.0.0.1:0`, stdout piped (plain lines). */
  function startDemo(args: readonly string[]): Demo {
    const child = spawn(process.execPath, [CLI, 'demo', ...args, '--web', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'close').then(([code]) => code as number | null);
    const demo: Demo = { child, stdout: '', stderr: '', exited };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      demo.stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      demo.stderr += chunk;
    });
    started.push(demo);
    return demo;
  }

  /**
   * The page of `demo`, opened once (navigations counted) as soon as it shows a part: before, it
   * answers 503 and reloads itself.
   */
  async function openDemoPage(demo: Demo) {
    let url = '';
    await waitFor(
      () => {
        url = /^web: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(demo.stdout)?.[1] ?? '';
        return url !== '';
      },
      'the status page URL on stdout',
      WAIT_MS,
    );
    await waitFor(async () => (await fetch(`${url}status.json`)).status === 200, 'a part shown', WAIT_MS);
    const checked = await openCheckedPage(browser!);
    const navigations = { count: 0 };
    checked.page.on('framenavigated', (frame) => {
      if (frame === checked.page.mainFrame()) navigations.count++;
    });
    await checked.page.goto(url);
    return { ...checked, url, navigations };
  }

  it('shows a fault of the demo’s timeline injected after the page loaded, live, without an error', async () => {
    const demo = startDemo(['--chain', 'soroban', '--duration', String(DEMO_SECONDS)]);
    const { page, problems, url, navigations } = await openDemoPage(demo);
    let stdoutWhenHealthy = '';
    await waitFor(
      async () => {
        const states = await Promise.all(NODES.map((label) => cellText(page, 'soroban', label, 'state')));
        stdoutWhenHealthy = demo.stdout;
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
    expect(demo.stdout).toContain('step 2/6: node-a slow');
    expect(['slow', 'down']).toContain(faulty);
    expect(await page.evaluate<string>('document.title')).toBe('switchyard demo · soroban');
    // Still the page it loaded: the change came over the event stream.
    expect(navigations.count).toBe(1);
    expect(await page.textContent('#conn')).toBe('live');
    await mkdir(`${root}artifacts`, { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    // Before the demo stops: then the page's stream drops, as it should.
    expect(problems).toEqual([]);
    await page.close();

    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(130);
    expect(demo.stdout).toContain('summary (interrupted)');
    expect(demo.stderr).toBe('');
    // The status page went with the demo.
    await expect(fetch(`${url}status.json`)).rejects.toThrow();
  });

  it('follows the demo from its Soroban part to its beacon part in the same tab, unreloaded', async () => {
    const demo = startDemo(['--duration', '4']);
    const { page, problems, url, navigations } = await openDemoPage(demo);
    /** The sections shown and the page's connection state, e.g. `soroban live`. */
    const shown = () =>
      page.evaluate<string>(
        `[...document.querySelectorAll('section[data-source]')].map((s) => s.dataset.source).join(',')
          + ' ' + document.querySelector('#conn').textContent`,
      );
    await waitFor(async () => (await shown()) === 'soroban live', 'the Soroban part on the page', WAIT_MS);
    // The Soroban part's dashboard closes its stream when the beacon part starts; the page reconnects.
    await waitFor(async () => (await shown()) === 'beacon live', 'the beacon part on the page', WAIT_MS);
    await waitFor(
      async () => (await cellText(page, 'beacon', 'node-a', 'state')) !== null,
      'the beacon nodes in the table',
      WAIT_MS,
    );
    // The heading follows the part shown, though the page was loaded during the Soroban part.
    expect(
      await page.evaluate<string>(`document.title + ' | ' + document.querySelector('h1').textContent`),
    ).toBe('switchyard demo · beacon | switchyard demo · beacon');
    expect(navigations.count).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
    expect(await demo.exited).toBe(0);
    expect(demo.stderr).toBe('');
    await expect(fetch(`${url}status.json`)).rejects.toThrow();
  });
});
