/** Text helpers shared by the table, the plain lines and the summary. */

/**
 * Cuts `text` to at most `width` columns, marking the cut with `…`.
 * Counts UTF-16 units: every character the CLI prints (ASCII, `→`, `▶`, `…`) is one column wide.
 */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** `text` cut to `width`, then padded with spaces to exactly `width` (right-aligned with `align: 'right'`). */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fitted = truncate(text, width);
  return align === 'left' ? fitted.padEnd(width) : fitted.padStart(width);
}

/** Elapsed time as `12.3s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** A latency as `12 ms` (or `1.2 s` past ten seconds); `-` when unknown. */
export function millis(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** A share in 0..1 as `37%`; `-` when unknown. */
export function percent(share: number | undefined): string {
  return share === undefined ? '-' : `${Math.round(share * 100)}%`;
}

/** A time stamp for plain lines and event lists: `[ 12.3s]`. */
export function stamp(elapsedMs: number): string {
  return `[${seconds(elapsedMs).padStart(6)}]`;
}
