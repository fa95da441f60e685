// What every benchmark script shares: its command line, the machine it ran on, percentiles,
// plain-text tables on stdout and a JSON file in bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';

/** `--quick` (and any extra boolean/string options a script declares). */
export function benchArgs(options = {}) {
  return parseArgs({ options: { quick: { type: 'boolean' }, ...options }, strict: true }).values;
}

export function machineInfo() {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${release()} ${process.arch}`,
  };
}

/** p50/p99/max of unsorted samples (nearest rank), rounded to 0.01. */
export function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: nearestRank(sorted, 0.5),
    p99: nearestRank(sorted, 0.99),
    max: sorted.length === 0 ? undefined : round(sorted.at(-1)),
  };
}

function nearestRank(sorted, q) {
  if (sorted.length === 0) return undefined;
  return round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
}

export function round(value, digits = 2) {
  if (value === undefined || !Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A number for a table cell: `-` when missing, else fixed to `digits`. */
export function cell(value, digits = 0) {
  return value === undefined || value === null
    ? '-'
    : typeof value === 'number'
      ? value.toFixed(digits)
      : String(value);
}

/** Right-aligned columns, each as wide as its widest cell, under an optional title. */
export function printTable(title, header, rows) {
  if (title) process.stdout.write(`\n${title}\n`);
  const lines = [header, ...rows].map((cells) => cells.map(String));
  const widths = header.map((_, i) => Math.max(...lines.map((cells) => cells[i].length)));
  for (const cells of lines) {
    process.stdout.write(`${cells.map((c, i) => c.padStart(widths[i])).join('  ')}\n`);
  }
}

/** The same table as GitHub markdown (first column left-aligned), for the README. */
export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.map(String).join(' | ')} |`;
  const rule = header.map((_, i) => (i === 0 ? ':--' : '--:'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
}

/**
 * Writes bench/results/<name>.json: `{ name, date, quick, durationMs, machine, ...data }`.
 * `data.tables` (`[{ title, header, rows }]`) is what bench/run.mjs puts in the summary.
 */
export function writeResult(name, { quick, startedAt, ...data }) {
  const url = new URL(`../results/${name}.json`, import.meta.url);
  mkdirSync(new URL('.', url), { recursive: true });
  const result = {
    name,
    date: new Date().toISOString(),
    quick: Boolean(quick),
    durationMs: Math.round(performance.now() - startedAt),
    machine: machineInfo(),
    ...data,
  };
  writeFileSync(url, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nwritten to bench/results/${name}.json\n`);
  return result;
}
