// Runs every benchmark, one child process each (so one bench's sockets and timers cannot skew the
// next), then writes bench/results/summary.md with every table and the machine they ran on.
//
//   npm run bench                           # the full run (its duration is printed and recorded)
//   npm run bench -- --quick                # every scenario, shorter: under 2 minutes on 2 cores
//   npm run bench -- --only evm,overhead    # some of them
//   npm run bench -- --quick --update-docs  # also replace the tables of docs/benchmarks.md
//
// Runs against the built package (`npm run build`; the npm script does it). Exit code 1 when a
// bench failed to run (not when a client did badly: that is what the tables are for).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { benchArgs, machineInfo, markdownTable } from './lib/report.mjs';

/** In the order the summary shows them. */
const BENCHES = ['evm', 'evmBatch', 'soroban', 'beacon', 'overhead', 'scale', 'probeCost', 'recovery'];
const SUMMARY = new URL('./results/summary.md', import.meta.url);
const FULL_TABLES = new URL('../docs/benchmarks.md', import.meta.url);
const MARKERS = { start: '<!-- bench:start -->', end: '<!-- bench:end -->' };

const args = benchArgs({ only: { type: 'string' }, 'update-docs': { type: 'boolean' } });
const selected = args.only ? args.only.split(',').map((name) => name.trim()) : BENCHES;
const unknown = selected.filter((name) => !BENCHES.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown bench: ${unknown.join(', ')} (known: ${BENCHES.join(', ')})\n`);
  process.exit(2);
}

const startedAt = performance.now();
const failed = [];
for (const name of selected) {
  process.stdout.write(`\n=== ${name}${args.quick ? ' --quick' : ''} ===\n`);
  const code = await runBench(name, args.quick);
  if (code !== 0) failed.push(`${name} (exit ${code})`);
}
const durationMs = performance.now() - startedAt;

const results = selected.flatMap((name) => {
  try {
    return [JSON.parse(readFileSync(new URL(`./results/${name}.json`, import.meta.url), 'utf8'))];
  } catch {
    return [];
  }
});
const summary = renderSummary(results, durationMs);
writeFileSync(SUMMARY, summary);
process.stdout.write(
  `\nall benches: ${(durationMs / 1000).toFixed(0)} s; summary in bench/results/summary.md\n`,
);
if (args['update-docs']) {
  updateTables(summary);
  // Aligned columns, as the repository's formatter (and its lint) wants them.
  const biome = new URL('../node_modules/.bin/biome', import.meta.url).pathname;
  if (spawnSync(biome, ['format', '--write', FULL_TABLES.pathname], { stdio: 'inherit' }).status !== 0)
    process.exitCode = 1;
}
if (failed.length > 0) process.stderr.write(`FAILED: ${failed.join(', ')}\n`);
process.exitCode = failed.length > 0 ? 1 : 0;

function runBench(name, quick) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [new URL(`./${name}.mjs`, import.meta.url).pathname, ...(quick ? ['--quick'] : [])],
      {
        stdio: 'inherit',
      },
    );
    child.once('exit', (code, signal) => resolve(code ?? signal));
  });
}

/** Markdown: how and where it ran, then each bench's tables (those marked `detail` folded in a <details>). */
function renderSummary(results, totalMs) {
  const machine = machineInfo();
  const command = `npm run bench${args.quick ? ' -- --quick' : ''}`;
  const lines = [
    `Produced by \`${command}\` on ${new Date().toISOString().slice(0, 10)}: ${machine.cpus} × ${machine.cpuModel},` +
      ` ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ${(totalMs / 1000).toFixed(0)} s in all.` +
      ' Simulated nodes on 127.0.0.1, every client under the same fault timeline; the machine is shared, so compare' +
      ' rows of one run, not runs.',
  ];
  for (const result of results) {
    for (const table of result.tables ?? []) {
      const rendered = markdownTable(table.header, table.rows);
      if (table.detail)
        lines.push('', '<details>', `<summary>${table.title}</summary>`, '', rendered, '', '</details>');
      else lines.push('', `**${table.title}**`, '', rendered);
    }
    if (result.notes?.length) lines.push('', ...result.notes.map((note) => `- ${note}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Replaces the tables between the markers of docs/benchmarks.md; the prose around them stays. */
function updateTables(summary) {
  const text = readFileSync(FULL_TABLES, 'utf8');
  const start = text.indexOf(MARKERS.start);
  const end = text.indexOf(MARKERS.end);
  if (start < 0 || end < start) {
    process.stderr.write(`docs/benchmarks.md has no ${MARKERS.start} … ${MARKERS.end} block: not updated\n`);
    process.exitCode = 1;
    return;
  }
  writeFileSync(FULL_TABLES, `${text.slice(0, start + MARKERS.start.length)}\n${summary}${text.slice(end)}`);
  process.stdout.write('docs/benchmarks.md tables updated\n');
}
