import { describe, expect, it } from 'vitest';
import { renderPage } from './pageHtml.js';
import { PAGE_SCRIPT } from './pageScript.js';
import { routeOf } from './routeRequest.js';

describe('the status page', () => {
  it('escapes the title, the only thing that varies', () => {
    const page = renderPage('<img src=x onerror=alert(1)> & "co"');
    expect(page).toContain('<title>&lt;img src=x onerror=alert(1)&gt; &amp; &quot;co&quot;</title>');
    expect(page).not.toContain('<img');
  });

  it('has a script that parses, and never writes HTML or style attributes', () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
    expect(PAGE_SCRIPT).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|setAttribute\('style'|eval\(/,
    );
  });

  it('routes by the end of the path, so any mount point works', () => {
    expect(routeOf('/')).toBe('page');
    expect(routeOf('/switchyard')).toBe('page');
    expect(routeOf('/a/b/switchyard/')).toBe('page');
    expect(routeOf('/switchyard/status.json')).toBe('status');
    expect(routeOf('/status.json')).toBe('status');
    expect(routeOf('/a/switchyard/events')).toBe('events');
  });
});
