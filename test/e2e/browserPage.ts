import { type Browser, chromium, type Page } from 'playwright-core';

/** Chromium's flags on a closed network, as root (see the machine notes): no sandbox, no background calls. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless Chromium at `executablePath` (Debian's, see chromiumOrSkip), with the flags the browser
 * suites share.
 *
 * @example
 * const browser = await launchChromium('/usr/bin/chromium');
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/** A tab, and what went wrong in it so far. */
export interface CheckedPage {
  page: Page;
  /** Console errors, page errors and CSP violations, in order: a test expects none. */
  problems: string[];
}

/**
 * A new tab of 1280×800 that records console errors, page errors and Content-Security-Policy
 * violations (reported by the page itself, before any of its scripts run).
 *
 * @example
 * const { page, problems } = await openCheckedPage(browser);
 * await page.goto(url);
 * expect(problems).toEqual([]);
 */
export async function openCheckedPage(browser: Browser): Promise<CheckedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
  });
  return { page, problems };
}

/**
 * The text of a cell (`td.<cell>`) of `label`'s row in `source`'s section of the status page, or null
 * while there is none. The DOM is read with an expression in a string: this project compiles
 * without the DOM's types.
 *
 * @example
 * await cellText(page, 'soroban', 'node-a', 'state'); // 'healthy'
 */
export function cellText(page: Page, source: string, label: string, cell: string): Promise<string | null> {
  return page.evaluate<string | null>(
    `[...document.querySelectorAll('section[data-source=${JSON.stringify(source)}] tbody tr')]
      .find((row) => row.dataset.label === ${JSON.stringify(label)})
      ?.querySelector('td.${cell}')?.textContent ?? null`,
  );
}
