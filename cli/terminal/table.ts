import { cell, seconds, truncate } from './format.js';

/**
 * A column of a table: header, width (`Infinity`: the rest of the line, uncut), alignment, and its
 * text for a row. A column reads only the fields it needs, so one serves every row type that has them.
 */
export interface Column<R> {
  header: string;
  width: number;
  align: 'left' | 'right';
  text(row: R): string;
}

/**
 * A header line and one line per row, each cell cut and padded to its column's width, cells
 * joined by `gap`, trailing spaces trimmed. Lines are not cut to any total width: the caller does.
 *
 * @example
 * renderColumns([ENDPOINT_COLUMNS.label, ENDPOINT_COLUMNS.state], rows); // ['endpoint     state', 'node-a       healthy', ...]
 */
export function renderColumns<R>(columns: readonly Column<R>[], rows: readonly R[], gap = ' '): string[] {
  const line = (texts: readonly string[]) =>
    columns
      .map((column, i) =>
        Number.isFinite(column.width) ? cell(texts[i]!, column.width, column.align) : texts[i]!,
      )
      .join(gap)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map((row) => line(columns.map((c) => c.text(row))))];
}

/**
 * The first lines of a live table: the title with the run's clock at the right edge (`elapsed /
 * duration`, or the elapsed time alone for a run without an end), the `subtitle` when given, the
 * fault step in force when there is one, and a blank line unless there is a subtitle: it takes
 * that line's place, so a table keeps its height (the beacon table fills a 24-row terminal).
 *
 * @example
 * renderHeading('switchyard demo: 3 EVM nodes', { elapsedMs: 1200, durationMs: 30_000 }, 80);
 * // ['switchyard demo: 3 EVM nodes    (spaces up to column 68)    1.2s / 30.0s', '']
 */
export function renderHeading(
  title: string,
  view: { elapsedMs: number; durationMs?: number | undefined; step?: string | undefined },
  width: number,
  subtitle?: string | undefined,
): string[] {
  const clock =
    view.durationMs === undefined
      ? seconds(view.elapsedMs)
      : `${seconds(view.elapsedMs)} / ${seconds(view.durationMs)}`;
  return [
    `${truncate(title, width - clock.length - 1).padEnd(width - clock.length)}${clock}`,
    ...(subtitle === undefined ? [] : [subtitle]),
    ...(view.step === undefined ? [] : [`now: ${view.step}`]),
    ...(subtitle === undefined ? [''] : []),
  ];
}

/**
 * The subtitle of a demo's live table when `--web` serves the status page; none without one.
 *
 * @example
 * statusPageLine('http://127.0.0.1:8080/'); // 'status page http://127.0.0.1:8080/ (live in a browser)'
 * renderHeading(title, view, 80, statusPageLine(view.webUrl));
 */
export function statusPageLine(url: string | undefined): string | undefined {
  return url === undefined ? undefined : `status page ${url} (live in a browser)`;
}

/**
 * The last lines of a live table: a blank line and the most recent events, oldest first.
 *
 * @example
 * renderRecentEvents([]); // ['', 'recent events', '  (none yet)']
 */
export function renderRecentEvents(events: readonly string[]): string[] {
  return ['', 'recent events', ...(events.length > 0 ? events.map((line) => `  ${line}`) : ['  (none yet)'])];
}
