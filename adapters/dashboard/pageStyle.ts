/**
 * The status page's stylesheet, inlined in one `<style>` element (allowed by its hash, see
 * securityHeaders.ts). System fonts, light and dark by `prefers-color-scheme`, one colour per state.
 * The script styles nothing itself: it sets classes, so no `style` attribute is ever needed.
 */
export const PAGE_STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f6f7f9; --panel: #ffffff; --text: #1d2330; --muted: #667085; --line: #e3e6ec;
  --ok: #1a9c5b; --warn: #d08a00; --lag: #c2630a; --limit: #7a4fd1; --bad: #d93d3d; --none: #98a2b3;
  --c0: #3b82f6; --c1: #14b8a6; --c2: #f59e0b; --c3: #ec4899; --c4: #8b5cf6; --c5: #84cc16; --c6: #f97316; --c7: #64748b;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1218; --panel: #171b24; --text: #e6e9ef; --muted: #98a1b3; --line: #2a303c;
    --ok: #34c77b; --warn: #f0b429; --lag: #f08a3c; --limit: #a78bfa; --bad: #f26b6b; --none: #6b7385;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header { display: flex; align-items: baseline; gap: 12px; padding: 14px 24px; border-bottom: 1px solid var(--line); background: var(--panel); }
h1 { font-size: 18px; margin: 0; font-weight: 650; }
h2 { font-size: 16px; margin: 0; font-weight: 650; }
h3 { font-size: 12px; margin: 14px 0 6px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
main { padding: 16px 24px; display: grid; gap: 16px; }
footer { padding: 4px 24px 18px; color: var(--muted); font-size: 12px; }
.conn { font-size: 12px; color: var(--muted); }
.conn::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: var(--none); }
.conn.live::before { background: var(--ok); }
.conn.lost::before { background: var(--bad); }
.source { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
.title { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.kind { font-size: 12px; color: var(--muted); }
.chips { display: flex; gap: 6px; flex-wrap: wrap; margin-left: auto; }
.chip { font-size: 12px; padding: 1px 8px; border: 1px solid var(--line); border-radius: 999px; color: var(--muted); }
.chip b { color: var(--text); font-weight: 600; }
.table-wrap { overflow-x: auto; margin-top: 6px; }
.below { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 24px; }
@media (max-width: 900px) { .below { grid-template-columns: 1fr; } }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th { text-align: left; font-size: 12px; font-weight: 600; color: var(--muted); padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
td { padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; vertical-align: middle; }
tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; }
td.label { font-weight: 600; max-width: 340px; overflow: hidden; text-overflow: ellipsis; }
td.reason { color: var(--muted); max-width: 220px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.active::after { content: " ●"; color: var(--c0); font-size: 10px; }
.badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 999px; color: #fff; background: var(--none); }
.s-healthy, .s-open, .b-closed { background: var(--ok); }
.s-slow, .s-connecting, .b-half-open { background: var(--warn); }
.s-lagging { background: var(--lag); }
.s-rate-limited { background: var(--limit); }
.s-down, .s-waiting, .b-open { background: var(--bad); }
.s-unknown { background: var(--none); }
svg { display: block; }
.spark polyline { fill: none; stroke: var(--c0); stroke-width: 1.5; }
.spark circle { fill: var(--c0); }
.strip rect.s-open, .strip rect.s-healthy { fill: var(--ok); }
.strip rect.s-connecting, .strip rect.s-slow { fill: var(--warn); }
.strip rect.s-waiting, .strip rect.s-down { fill: var(--bad); }
.strip rect.s-lagging { fill: var(--lag); }
.strip rect.s-rate-limited { fill: var(--limit); }
.strip rect.s-unknown { fill: var(--none); }
.share rect.empty { fill: var(--line); }
.c0 { fill: var(--c0); background: var(--c0); } .c1 { fill: var(--c1); background: var(--c1); }
.c2 { fill: var(--c2); background: var(--c2); } .c3 { fill: var(--c3); background: var(--c3); }
.c4 { fill: var(--c4); background: var(--c4); } .c5 { fill: var(--c5); background: var(--c5); }
.c6 { fill: var(--c6); background: var(--c6); } .c7 { fill: var(--c7); background: var(--c7); }
.swatch { display: inline-block; width: 8px; height: 8px; border-radius: 2px; margin-right: 6px; }
.legend { display: flex; gap: 10px; flex-wrap: wrap; font-size: 12px; color: var(--muted); margin-top: 6px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.axis { font-size: 11px; color: var(--muted); display: flex; justify-content: space-between; }
ol.events { list-style: none; margin: 0; padding: 0; font-size: 12px; max-height: 132px; overflow: auto; }
ol.events li { padding: 3px 0; border-bottom: 1px dashed var(--line); display: flex; gap: 8px; }
ol.events time { color: var(--muted); flex: none; font-variant-numeric: tabular-nums; }
.empty-note { color: var(--muted); font-size: 12px; }
`;
