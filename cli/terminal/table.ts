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
 * duration`, or the elapsed time alone for a run without an end), the fault step in force when
 * there is one, a blank line.
 *
 * @example
 * renderHeading('switchyard demo: 3 EVM nodes', { elapsedMs: 1200, durationMs: 30_000 }, 80);
 * // ['switchyard demo: 3 EVM nodes    (spaces up to column 68)    1.2s / 30.0s', '']
 */
export function renderHeading(
  title: string,
  view: { elapsedMs: number; durationMs?: number | undefined; step?: string | undefined },
  width: number,
): string[] {
  const clock =
    view.durationMs === undefined
      ? seconds(view.elapsedMs)
      : `${seconds(view.elapsedMs)} / ${seconds(view.durationMs)}`;
  return [
    `${truncate(title, width - clock.length - 1).padEnd(width - clock.length)}${clock}`,
    ...(view.step === undefined ? [] : [`now: ${view.step}`]),
    '',
  ];
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
