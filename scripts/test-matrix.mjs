#!/usr/bin/env node
// Compatibility matrix: the adapter suites under newer Node majors, @stellar/stellar-sdk majors and
// the oldest viem of the peer range. Node 20 with the SDK (15) and viem from node_modules is the plain
// `npm test`; this adds the rows below.
//
//   node scripts/test-matrix.mjs                 every row
//   node scripts/test-matrix.mjs --only 22:17    only Node 22 with SDK 17 (repeat --only for more rows)
//   node scripts/test-matrix.mjs --only 22:viem  only Node 22 with the oldest viem
//
// Node binaries (npm package node-<platform>-<arch>, the official build), SDK and viem versions are
// installed on demand through the npm registry into .cache/matrix/ (gitignored) and reused by later
// runs; the project's own node_modules and lockfile are never touched. Each row runs vitest with that
// Node binary and SWITCHYARD_STELLAR_SDK / SWITCHYARD_VIEM=<the package's folder>, which
// vitest.config.ts turns into aliases, so every in-process import of the package (adapter, simulator,
// tests) loads that version. An SDK row also gets SWITCHYARD_SECOND_STELLAR_SDK=<another SDK's folder>:
// test/soroban-builds.test.ts wraps a server from that second copy, as an app with two copies would.
// Not switched: child processes that run the built package (test/fixtures/close-exits.mjs, started by
// test/soroban-lifecycle.test.ts) import the SDK from node_modules, so they run this row's Node with SDK 15.
//
// Prints one table (Node × SDK → result, counts, duration) and exits 1 if any row failed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Pinned, so every run and every machine tests the same builds; bump them here. */
const NODE_VERSIONS = { 22: '22.23.3', 24: '24.21.0' };
// SDK 16 and 17 require Node >= 22 (their `engines`); 15 is the devDependency, run by `npm test`.
const SDK_VERSIONS = { 16: '16.3.0', 17: '17.2.0' };
const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** The lowest viem the peer range admits (`^2.N.0` → 2.N.0): what an app on the oldest allowed viem runs. */
const OLDEST_VIEM = oldestOf(readJson(join(root, 'package.json')).peerDependencies.viem);
// vitest filters (path substrings): every adapter and simulator suite and the integration tests that use an SDK.
const TEST_FILTERS = ['adapters/', 'testing/', 'test/soroban-', 'test/viem-', 'test/beacon-monitor.test.ts'];
const VIEM_FILTERS = ['adapters/viem/', 'testing/viem/', 'test/viem-'];
/**
 * Rows: a Node major with an SDK major (and the other SDK as the second copy) on every adapter suite,
 * or with the oldest viem on the viem suites (viem 2.x itself supports every Node this package does).
 */
const ROWS = [
  { node: 22, sdk: 16, secondSdk: 17, filters: TEST_FILTERS },
  { node: 22, sdk: 17, secondSdk: 16, filters: TEST_FILTERS },
  { node: 24, sdk: 17, secondSdk: 16, filters: TEST_FILTERS },
  { node: 22, viem: OLDEST_VIEM, filters: VIEM_FILTERS },
].map((row) => ({ ...row, id: `${row.node}:${row.sdk ?? 'viem'}` }));
// One retry: a deterministic incompatibility fails both attempts, while a timing flake seen in the
// plain suite as well does not fail the matrix. Tests that needed the retry are listed.
const RETRY = 1;

const cache = join(root, '.cache', 'matrix');

function oldestOf(range) {
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range ?? '');
  if (!match) throw new Error(`test-matrix: expected a viem peer range like ^2.49.0, got ${range}`);
  return match[1];
}

function usage(message) {
  console.error(`test-matrix: ${message}\nusage: test-matrix.mjs [--only <node>:<sdk>|<node>:viem]...`);
  process.exit(2);
}

function parseArgs(args) {
  const only = [];
  for (let i = 0; i < args.length; i++) {
    const value = args[i] === '--only' ? args[++i] : args[i]?.startsWith('--only=') ? args[i].slice(7) : null;
    if (!/^\d+:(\d+|viem)$/.test(value ?? '')) usage(`unknown argument ${args[i]}`);
    only.push(value);
  }
  const rows = only.length === 0 ? ROWS : ROWS.filter((row) => only.includes(row.id));
  if (rows.length === 0) usage(`no such row; rows are ${ROWS.map((row) => row.id).join(', ')}`);
  return rows;
}

/** npm itself: the one running this script under `npm run`, else the one on PATH. */
function npm(args, options = {}) {
  const cli = process.env.npm_execpath;
  const [command, argv] =
    cli && /npm-cli\.js$/.test(cli) ? [process.execPath, [cli, ...args]] : ['npm', args];
  const result = spawnSync(command, argv, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    throw new Error(`npm ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}`);
  }
  return result.stdout;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Installs `spec` with npm into its own prefix folder, once. A marker written last makes a folder
 * left by an interrupted install count as missing (it is removed and installed again).
 */
function installOnce(folder, spec, check) {
  const dir = join(cache, folder);
  const marker = join(dir, '.installed.json');
  if (readJson(marker)?.spec === spec && check(dir)) return { dir, installedMs: undefined };
  const started = performance.now();
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // A package.json of its own keeps npm from looking for a project further up (this repository).
  writeFileSync(join(staging, 'package.json'), '{ "private": true }\n');
  npm(
    [
      'install',
      '--prefix',
      staging,
      spec,
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--no-save',
      '--prefer-offline',
    ],
    {
      cwd: staging,
    },
  );
  if (!check(staging)) throw new Error(`${spec} installed into ${staging} but does not work`);
  writeFileSync(join(staging, '.installed.json'), `${JSON.stringify({ spec })}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return { dir, installedMs: performance.now() - started };
}

function nodeVersionOf(bin) {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function installNode(major) {
  const version = NODE_VERSIONS[major];
  const platform = { linux: 'linux', darwin: 'darwin' }[process.platform];
  if (!platform) throw new Error(`no Node binary package for ${process.platform}`);
  const pkg = `node-${platform}-${process.arch}`;
  const binOf = (dir) => join(dir, 'node_modules', pkg, 'bin', 'node');
  const { dir, installedMs } = installOnce(`node-${version}`, `${pkg}@${version}`, (d) => {
    return nodeVersionOf(binOf(d)) === `v${version}`;
  });
  return { bin: binOf(dir), version: nodeVersionOf(binOf(dir)), installedMs };
}

/** `name@version` in a folder of its own; gives the package's folder and its installed version. */
function installPackage(name, version) {
  const packageOf = (dir) => join(dir, 'node_modules', ...name.split('/'));
  const versionIn = (dir) => readJson(join(packageOf(dir), 'package.json'))?.version;
  const { dir, installedMs } = installOnce(
    `${name.split('/').pop()}-${version}`,
    `${name}@${version}`,
    (d) => {
      return versionIn(d) === version;
    },
  );
  return { name, dir: packageOf(dir), version: versionIn(dir), installedMs };
}

/** The row's packages, replacing node_modules' copy in every in-process import. */
function aliasEnv({ sdk, secondSdk, viem }) {
  return {
    ...(sdk && { SWITCHYARD_STELLAR_SDK: sdk.dir }),
    ...(secondSdk && { SWITCHYARD_SECOND_STELLAR_SDK: secondSdk.dir }),
    ...(viem && { SWITCHYARD_VIEM: viem.dir }),
  };
}

function runVitest(node, packages, filters, report) {
  const args = [
    join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...filters,
    `--retry=${RETRY}`,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ];
  const env = {
    ...process.env,
    ...aliasEnv(packages),
    // Anything started as plain `node` (not through process.execPath) gets this row's Node too.
    PATH: `${join(node.bin, '..')}:${process.env.PATH ?? ''}`,
  };
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(node.bin, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolvePromise({ code, signal, ms: performance.now() - started }));
  });
}

function summarise(report, exit) {
  const json = readJson(report);
  if (!json) return { ok: false, note: `no report (vitest exit ${exit.code ?? exit.signal})` };
  const tests = json.testResults.flatMap((file) =>
    file.assertionResults.map((test) => ({ file: file.name.slice(root.length + 1), ...test })),
  );
  const retried = tests.filter((t) => t.status === 'passed' && t.failureMessages.length > 0);
  // A file that failed to load (import or syntax error) has no tests to count.
  const brokenFiles = json.testResults
    .filter((f) => f.status === 'failed' && f.assertionResults.length === 0)
    .map((f) => ({ file: f.name.slice(root.length + 1), fullName: `did not run: ${f.message}` }));
  const failures = [...brokenFiles, ...tests.filter((t) => t.status === 'failed')];
  return {
    ok: exit.code === 0 && json.success && failures.length === 0,
    passed: json.numPassedTests,
    failed: failures.length,
    skipped: json.numPendingTests + json.numTodoTests,
    retried,
    failures,
    note: exit.code === 0 || failures.length > 0 ? '' : `vitest exit ${exit.code ?? exit.signal}`,
  };
}

const seconds = (ms) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const rows = parseArgs(process.argv.slice(2));
const started = performance.now();
mkdirSync(cache, { recursive: true });

console.log('== test matrix: installing (cached in .cache/matrix)');
const nodes = new Map();
const packages = new Map();
const installed = (what, ms) =>
  console.log(`   ${what}: ${ms === undefined ? 'cached' : `installed in ${seconds(ms)}`}`);
const nodeOf = (major) => {
  if (!nodes.has(major)) {
    const node = installNode(major);
    nodes.set(major, node);
    installed(`node ${node.version}`, node.installedMs);
  }
  return nodes.get(major);
};
const packageOf = (name, version) => {
  if (version === undefined) return undefined;
  const spec = `${name}@${version}`;
  if (!packages.has(spec)) {
    const pkg = installPackage(name, version);
    packages.set(spec, pkg);
    installed(`${name} ${pkg.version}`, pkg.installedMs);
  }
  return packages.get(spec);
};
let runs;
try {
  runs = rows.map((row) => ({
    row,
    node: nodeOf(row.node),
    packages: {
      sdk: packageOf('@stellar/stellar-sdk', SDK_VERSIONS[row.sdk]),
      secondSdk: packageOf('@stellar/stellar-sdk', SDK_VERSIONS[row.secondSdk]),
      viem: packageOf('viem', row.viem),
    },
  }));
} catch (error) {
  console.error(`test-matrix: install failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
const installMs = performance.now() - started;

const local = (name) => readJson(join(root, 'node_modules', ...name.split('/'), 'package.json'))?.version;
/** A row's version of a package: its own install, else node_modules' (the plain `npm test`'s). */
const versionOf = (pkg, name) => pkg?.version ?? `${local(name)} (node_modules)`;

const results = [];
for (const { row, node, packages: pkgs } of runs) {
  const sdk = versionOf(pkgs.sdk, '@stellar/stellar-sdk');
  const viem = versionOf(pkgs.viem, 'viem');
  const second = pkgs.secondSdk ? `, second copy ${pkgs.secondSdk.version} (${pkgs.secondSdk.dir})` : '';
  console.log(
    `\n== test matrix ${row.id}: Node ${node.version} (${node.bin}) × @stellar/stellar-sdk ${sdk}${second} × viem ${viem}` +
      `\n   ${row.filters.join(' ')}`,
  );
  const report = join(cache, 'reports', `node${row.node}-${row.sdk ?? 'viem'}.json`);
  rmSync(report, { force: true });
  mkdirSync(join(cache, 'reports'), { recursive: true });
  const exit = await runVitest(node, pkgs, row.filters, report);
  results.push({ row, node, sdk, viem, ms: exit.ms, ...summarise(report, exit) });
}

console.log(`\n== test matrix (retry ${RETRY})`);
console.log(
  table(
    ['row', 'node', 'stellar-sdk', 'viem', 'result', 'passed', 'failed', 'skipped', 'retried', 'duration'],
    results.map((r) => [
      r.row.id,
      r.node.version,
      r.sdk,
      r.viem,
      r.ok ? 'passed' : `FAILED${r.note ? ` (${r.note})` : ''}`,
      r.passed ?? '-',
      r.failed ?? '-',
      r.skipped ?? '-',
      r.retried?.length ?? '-',
      seconds(r.ms),
    ]),
  ),
);
for (const r of results) {
  for (const t of r.retried ?? []) console.log(`retried: row ${r.row.id} ${t.file} > ${t.fullName}`);
  for (const t of r.failures ?? []) console.log(`FAILED:  row ${r.row.id} ${t.file} > ${t.fullName}`);
}
console.log(
  `(Node ${process.version} × @stellar/stellar-sdk ${local('@stellar/stellar-sdk')} × viem ${local('viem')}: the plain \`npm test\`)`,
);
console.log(`install ${seconds(installMs)}, total ${seconds(performance.now() - started)}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
