import { PAGE_SCRIPT } from './pageScript.js';
import { PAGE_STYLE } from './pageStyle.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/**
 * The whole status page: one HTML document with its style and script inline (no CDN, no build
 * step, no framework). Only the title varies, escaped; the data comes from the event stream.
 *
 * @example
 * renderPage('payments · switchyard'); // '<!doctype html>…'
 */
export function renderPage(title: string): string {
  const shown = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${shown}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header><h1>${shown}</h1><span id="conn" class="conn">connecting…</span></header>
<main id="sources"></main>
<footer>Read-only · endpoints shown by label, never by URL · updated live</footer>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
